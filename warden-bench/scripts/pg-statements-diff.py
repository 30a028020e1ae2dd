#!/usr/bin/env python3
"""Per-minute top statements from pg-statements-per-minute.sh's samples: python3 pg-statements-diff.py OUTDIR [top]"""
import sys,glob,collections
d=sys.argv[1]; top=int(sys.argv[2]) if len(sys.argv)>2 else 12
files=sorted(glob.glob(d+'/stm-*.tsv'))
snaps=[]
for f in files:
    m={}
    for line in open(f):
        p=line.rstrip('\n').split('\t')
        if len(p)<10: continue
        m[p[1]]=(p[0],int(p[2]),float(p[3]),int(p[4]),int(p[5]),int(p[6]),int(p[7]),int(p[8]) if p[8] else 0,p[9])
    snaps.append(m)
for i in range(1,len(snaps)):
    a,b=snaps[i-1],snaps[i]
    rows=[]
    for k,v in b.items():
        u=a.get(k)
        calls=v[1]-(u[1] if u else 0); t=v[2]-(u[2] if u else 0)
        hit=v[4]-(u[4] if u else 0); rd=v[5]-(u[5] if u else 0)
        if calls>0: rows.append((t,calls,hit,rd,v[8]))
    rows.sort(reverse=True)
    ts=next(iter(b.values()))[0] if b else '?'
    tot=sum(r[0] for r in rows)
    print(f"== interval ending {ts}: total exec {tot:.0f} ms")
    for t,c,h,r,q in rows[:top]:
        print(f"  {t:9.0f} ms {c:8d} calls {t/c*1000:8.1f} us/call hit/call {h/c:7.1f} read/call {r/c:6.2f}  {q[:110]}")
