#!/bin/bash
# Samples PostgreSQL's statement statistics once a minute beside a soak (docs/benchmarks.md, "Soak").
# usage: pg-statements-per-minute.sh OUTDIR   (stop it with kill when the soak ends)
# Needs pg_stat_statements: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', restart,
# CREATE EXTENSION pg_stat_statements in the database "postgres" (reset the setting afterwards).
# Writes stm-NNN.tsv (statements of warden_soak_* databases, cumulative) and rel-NNN.tsv (sizes of
# the soak database's tables and indexes over 1 MB); pg-statements-diff.py OUTDIR prints per minute.
out=$1; mkdir -p $out; i=0
psql -h 127.0.0.1 -U postgres -qAt -c "select pg_stat_statements_reset()" >/dev/null
while true; do
  ts=$(date +%H:%M:%S)
  psql -h 127.0.0.1 -U postgres -qAt -F $'\t' -c "select '$ts', s.queryid, s.calls, round(s.total_exec_time::numeric,1), s.rows, s.shared_blks_hit, s.shared_blks_read, s.shared_blks_dirtied, s.wal_bytes, regexp_replace(left(s.query,160), '\s+', ' ', 'g') from pg_stat_statements s join pg_database d on d.oid=s.dbid where d.datname like 'warden_soak_%'" > $out/stm-$(printf %03d $i).tsv
  db=$(psql -h 127.0.0.1 -U postgres -qAt -c "select datname from pg_database where datname like 'warden_soak_%' order by oid desc limit 1")
  if [ -n "$db" ]; then
    psql -h 127.0.0.1 -U postgres -d $db -qAt -F $'\t' -c "select '$ts', c.relname, c.relkind, pg_relation_size(c.oid), coalesce(s.n_live_tup,0), coalesce(s.n_dead_tup,0), coalesce(s.autovacuum_count,0) from pg_class c join pg_namespace n on n.oid=c.relnamespace left join pg_stat_user_tables s on s.relid=c.oid where n.nspname='public' and c.relkind in ('r','i') and pg_relation_size(c.oid) > 1000000 order by 4 desc" > $out/rel-$(printf %03d $i).tsv
  fi
  i=$((i+1)); sleep 60
done
