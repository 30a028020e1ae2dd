package dev.warden.server.config;

import static dev.warden.server.config.ConfigKey.bool;
import static dev.warden.server.config.ConfigKey.duration;
import static dev.warden.server.config.ConfigKey.durationOrZero;
import static dev.warden.server.config.ConfigKey.integer;
import static dev.warden.server.config.ConfigKey.list;
import static dev.warden.server.config.ConfigKey.optionalPath;
import static dev.warden.server.config.ConfigKey.optionalText;
import static dev.warden.server.config.ConfigKey.path;
import static dev.warden.server.config.ConfigKey.text;

import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.Finding;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.SigningAlgorithm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Every configuration key of the server, in the order they are listed. Adding a setting means
 * adding its key here (and reading it where it is used, {@code cfg.get(KEY)}); the loader, the
 * environment variable, {@code warden server --list-keys} and the table in docs/configuration.md
 * follow from this declaration ({@code ConfigDocTest} fails when the doc lags behind).
 *
 * <p>Why it is over 400 lines: it is a declarative table, one typed entry per setting with its
 * default, validation and documentation; its length is the number of settings.
 */
public final class ServerKeys {
  private ServerKeys() {}

  public static final ConfigKey<String> SERVER_HOST =
      text("server.host", "127.0.0.1", "address to listen on (`0.0.0.0` for all interfaces)");
  public static final ConfigKey<Integer> SERVER_PORT =
      integer(
          "server.port",
          8080,
          0,
          65535,
          "TCP port (`0` picks a free one); checked before anything is created: a port in use stops the start with "
              + "one line naming it");
  public static final ConfigKey<@Nullable String> SERVER_ISSUER =
      optionalText(
              "server.issuer",
              "URL",
              "public base URL of this server, the `iss` of its tokens; set it behind a proxy or TLS terminator")
          .defaultShownAs("`http://<host>:<port>` (`https://` with TLS)");
  public static final ConfigKey<String> SERVER_TRUST_DOMAIN =
      ConfigKey.<String>of(
          "server.trustDomain",
          "string",
          "warden.local",
          (k, td) -> {
            SpiffeId.parse("spiffe://" + td);
            return td;
          },
          "SPIFFE trust domain");
  public static final ConfigKey<Path> SERVER_DATA_DIR =
      path(
          "server.dataDir",
          "./warden-data",
          "directory for the embedded database and the master key file; with the embedded store one server at a time "
              + "holds it (`warden.lock`, with its pid) and a second is refused with \"another Warden server is using DIR\"");

  public static final ConfigKey<@Nullable String> DB_URL =
      ConfigKey.<String>optional(
              "db.url",
              "JDBC URL",
              (k, url) -> {
                if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
                  throw new ValidationException(
                      k,
                      "'"
                          + ConfigLoader.redactUrl(url)
                          + "' is not supported; use jdbc:postgresql://host:5432/db (or jdbc:h2:... for tests)");
                }
                return url;
              },
              "JDBC URL of PostgreSQL (`jdbc:postgresql://host:5432/db`); unset: embedded H2 in `server.dataDir`")
          .unsetWhenBlank()
          .defaultShownAs("unset (embedded H2)");
  public static final ConfigKey<String> DB_USER = text("db.user", "warden", "database user");

  /** A secret: printed as {@code Secret[redacted]}, reached only through {@code reveal()}. */
  public static final ConfigKey<@Nullable Secret> DB_PASSWORD =
      ConfigKey.<Secret>optional(
          "db.password",
          "secret",
          (k, v) -> Secret.of(v),
          "database password (`WARDEN_DB_PASSWORD` keeps it out of files and process lists)");

  public static final ConfigKey<Integer> DB_MAX_POOL =
      integer("db.maxPool", 16, 1, 1000, "maximum database connections per node");

  public static final ConfigKey<@Nullable Path> MASTER_KEY_FILE =
      optionalPath(
              "masterKey.file",
              "Tink AEAD keyset (JSON), created `0600` on first start; `WARDEN_MASTER_KEY` wins over it")
          .defaultShownAs("`<dataDir>/master.key`");

  public static final ConfigKey<SigningAlgorithm> KEYS_ALGORITHM =
      ConfigKey.of(
          "keys.algorithm",
          "`ES256` or `EdDSA`",
          "ES256",
          SigningAlgorithm::parse,
          "signing algorithm of new access-token keys");

  /** Unset ({@code manual}): no automatic rotation. */
  public static final ConfigKey<@Nullable Duration> KEYS_ROTATE_EVERY =
      ConfigKey.<@Nullable Duration>of(
          "keys.rotateEvery",
          "duration or `manual`",
          "30d",
          (k, s) -> "manual".equalsIgnoreCase(s) ? null : ConfigKey.positive(k, s),
          "how long a signing key signs before the next takes over; `manual` rotates only on request");

  public static final ConfigKey<Duration> KEYS_PUBLISH_LEAD =
      durationOrZero("keys.publishLead", "10m", "how long a new key is published before it signs");
  public static final ConfigKey<Duration> KEYS_RETAIN_AFTER_RETIRE =
      duration(
          "keys.retainAfterRetire",
          "25h",
          "how long a retired key stays published (at least 24h, the longest token)");
  public static final ConfigKey<Duration> KEYS_CHECK_INTERVAL =
      duration(
          "keys.checkInterval",
          "30s",
          "how often rotation is checked (and the CA, the daily KPI snapshot and recertification reminders)");

  public static final ConfigKey<Duration> TOKENS_DEFAULT_TTL =
      duration(
              "tokens.defaultTtl",
              "5m",
              "access token lifetime when the policy allows more (at most 24h; policies set their own `maxTtl`)")
          .check(d -> d.compareTo(Duration.ofHours(24)) <= 0, "must be at most 24h");
  public static final ConfigKey<String> TOKENS_TYP =
      ConfigKey.<String>of(
          "tokens.typ",
          "`JWT` or `at+jwt`",
          "JWT",
          (k, typ) -> {
            if (!AccessTokenMinter.TYPES.contains(typ)) {
              throw new ValidationException(k, "'" + typ + "' is not allowed; use JWT or at+jwt");
            }
            return typ;
          },
          "header `typ` of access tokens: `JWT` (accepted by default verifiers such as Nimbus and Spring Security) "
              + "or `at+jwt` (RFC 9068); JWT-SVIDs are typed `JOSE` either way, and signed by other keys");
  public static final ConfigKey<Integer> TOKENS_MAX_REQUEST_BYTES =
      integer(
          "tokens.maxRequestBytes",
          65536,
          1024,
          1 << 24,
          "largest `/oauth2/token` body; a larger one is refused with `413`");
  public static final ConfigKey<Integer> TOKENS_MAX_ASSERTION_BYTES =
      integer("tokens.maxAssertionBytes", 16384, 1024, 1 << 20, "largest platform token accepted");

  public static final ConfigKey<Integer> DELEGATION_MAX_DEPTH =
      integer(
          "delegation.maxDepth",
          5,
          1,
          dev.warden.core.token.Actor.MAX_DEPTH,
          "most actors a delegated token's `act` chain may hold, whatever "
              + "the policies allow (RFC 8693 token exchange with `actor_token`; docs/agents.md)");

  public static final ConfigKey<@Nullable String> LOGIN_PROVIDER =
      optionalText(
          "login.provider",
          "trust provider name",
          "the `oidc` trust provider at whose issuer users sign in when an MCP client asks for access on their behalf "
              + "(`/oauth2/authorize`, docs/agents.md); unset: no authorization endpoint");
  public static final ConfigKey<@Nullable String> LOGIN_CLIENT_ID =
      optionalText(
          "login.clientId",
          "string",
          "Warden's client id at that identity provider (one of the trust provider's `audiences`)");

  /** A secret: printed as {@code Secret[redacted]}, reached only through {@code reveal()}. */
  public static final ConfigKey<@Nullable Secret> LOGIN_CLIENT_SECRET =
      ConfigKey.<Secret>optional(
              "login.clientSecret",
              "secret",
              (k, v) -> Secret.of(v),
              "Warden's client secret at the identity provider (`WARDEN_LOGIN_CLIENT_SECRET` "
                  + "keeps it out of files); or use `login.clientSecretName`; neither: a public client (PKCE only)")
          .unsetWhenBlank();

  public static final ConfigKey<@Nullable String> LOGIN_CLIENT_SECRET_NAME =
      optionalText(
          "login.clientSecretName",
          "target secret name",
          "the client secret as a sealed target secret (`PUT /v1/target-secrets/<name>`), read "
              + "at each login, so it rotates without a restart");
  public static final ConfigKey<String> LOGIN_SCOPES =
      text(
          "login.scopes",
          "openid email profile",
          "scopes asked of the identity provider (space-separated; must include `openid`)");
  public static final ConfigKey<List<String>> CLIENT_METADATA_ALLOWED_NETWORKS =
      list(
          "oauth.clientMetadata.allowedNetworks",
          "",
          "address ranges (CIDR, comma-separated) a Client ID Metadata "
              + "Document may be fetched from although they are not public (loopback, private, link-local); empty: "
              + "public addresses only");
  public static final ConfigKey<@Nullable Path> CLIENT_METADATA_TRUSTED_CAS =
      optionalPath(
          "oauth.clientMetadata.trustedCas",
          "PEM file of CAs trusted for fetching Client ID Metadata Documents, besides the JDK's");
  public static final ConfigKey<Boolean> MCP_AUDIT_BEFORE_FORWARD =
      bool(
          "mcp.auditBeforeForward",
          "true",
          "the MCP gateway forwards a tool call only once its audit event is durable; `false` writes the event while the "
              + "upstream works and answers only once it is durable (a crash in between can lose the record of a call "
              + "that ran; docs/decisions/660-mcp-gateway.md)");
  public static final ConfigKey<Duration> MCP_RESPONSE_TIMEOUT =
      duration(
          "mcp.responseTimeout",
          "60s",
          "how long the MCP gateway waits for an upstream MCP server's response head");

  public static final ConfigKey<Boolean> FEDERATION_ENABLED =
      bool(
          "federation.enabled",
          "false",
          "sign tokens for resources of kind `aws`, `gcp` and `azure` with federation keys and advertise what the "
              + "clouds read; requires an `https` `server.issuer` without port (docs/federation.md)");
  public static final ConfigKey<SigningAlgorithm> FEDERATION_ALGORITHM =
      ConfigKey.of(
          "federation.algorithm",
          "`RS256` or `ES256`",
          "RS256",
          (k, s) -> {
            SigningAlgorithm a = SigningAlgorithm.parse(k, s);
            if (a == SigningAlgorithm.EdDSA) {
              throw new ValidationException(
                  k, "'" + s + "' is not accepted by AWS, GCP or Entra; use RS256 or ES256");
            }
            return a;
          },
          "algorithm of new federation keys: `RS256` (RSA 2048, accepted by AWS, GCP and Entra) or `ES256` (AWS and "
              + "GCP only)");
  public static final ConfigKey<Boolean> FEDERATION_INSECURE_ISSUER =
      bool(
          "federation.insecureIssuer",
          "false",
          "let federation run with an issuer no cloud accepts (`http`, a port): for tests and local trials only; "
              + "`warden federation check` still reports every broken rule");

  public static final ConfigKey<Duration> CA_TTL =
      duration(
          "ca.ttl",
          "24h",
          "lifetime of each CA certificate of the trust domain (next CA published at half, active with a sixth left; "
              + "at most 365d)");
  public static final ConfigKey<@Nullable Path> CA_UPSTREAM_CERT =
      optionalPath(
          "ca.upstreamCert",
          "PEM certificate of an upstream CA; Warden's CA becomes its intermediate (with `ca.upstreamKey`; "
              + "`--upstream-ca-cert`)");
  public static final ConfigKey<@Nullable Path> CA_UPSTREAM_KEY =
      optionalPath(
          "ca.upstreamKey",
          "PEM private key of the upstream CA (with `ca.upstreamCert`; `--upstream-ca-key`)");
  public static final ConfigKey<Duration> SVID_X509_TTL =
      duration(
          "svid.x509Ttl",
          "1h",
          "lifetime of X.509-SVIDs (at most 7d and at most a sixth of `ca.ttl`)");
  public static final ConfigKey<Duration> SVID_JWT_TTL =
      duration("svid.jwtTtl", "5m", "lifetime of JWT-SVIDs (at most 24h)");

  public static final ConfigKey<@Nullable Path> TLS_CERT =
      optionalPath("tls.cert", "PEM certificate chain the server presents (HTTPS), with `tls.key`");
  public static final ConfigKey<@Nullable Path> TLS_KEY =
      optionalPath("tls.key", "PEM private key of `tls.cert`");
  public static final ConfigKey<Boolean> TLS_SELF_ISSUED =
      bool(
          "tls.selfIssued",
          "false",
          "`true`: serve HTTPS with a certificate from the trust domain's own CA, renewed at half-life");
  public static final ConfigKey<List<String>> TLS_DNS_NAMES =
      list(
          "tls.dnsNames",
          "localhost",
          "names and IP addresses in the self-issued serving certificate, comma-separated");
  public static final ConfigKey<@Nullable Path> TLS_CLIENT_CAS =
      optionalPath(
          "tls.clientCas",
          "PEM file of extra CAs whose X.509-SVIDs may authenticate over mTLS (besides the trust domain's)");

  public static final ConfigKey<Boolean> WORKLOADS_REQUIRE_EXPIRY =
      bool(
          "workloads.requireExpiry",
          "false",
          "`true`: a workload cannot be created (or lose its expiry) without `spec.expiresAt`, the provisioning guardrail");
  public static final ConfigKey<Duration> WORKLOADS_MAX_LIFETIME =
      duration(
          "workloads.maxLifetime",
          "365d",
          "furthest a workload's `expiresAt` may be set into the future");

  public static final ConfigKey<Duration> POSTURE_UNUSED_GRANT =
      duration(
          "posture.unusedGrant",
          "30d",
          "a granted resource not used this long is an over-privilege finding (NHI5); a request may override each "
              + "posture threshold (docs/inventory.md)");
  public static final ConfigKey<Duration> POSTURE_STATIC_MAX_AGE =
      duration(
          "posture.staticMaxAge",
          "90d",
          "a static credential older than this is a long-lived-secret finding (NHI7)");
  public static final ConfigKey<Duration> POSTURE_ROTATION_INTERVAL =
      duration(
          "posture.rotationInterval",
          "90d",
          "a static credential not rotated this long is rotation-overdue (NHI7)");
  public static final ConfigKey<Duration> POSTURE_STALE =
      duration("posture.stale", "90d", "an identity unused this long is stale");
  public static final ConfigKey<List<String>> POSTURE_WORKSTATION_CIDRS =
      list(
          "posture.workstationCidrs",
          "",
          "comma-separated address ranges of workstations, for the NHI10 human-use rule");
  public static final ConfigKey<Duration> POSTURE_REBUILD_INTERVAL =
      duration(
          "posture.rebuildInterval",
          "1h",
          "how often the posture index re-reads everything (changes are followed from the audit log in between; "
              + "age-based findings move at each rebuild)");

  public static final ConfigKey<@Nullable String> NOTIFICATIONS_WEBHOOK_URL =
      ConfigKey.<String>optional(
              "notifications.webhookUrl",
              "URL",
              (k, url) -> {
                if (!url.startsWith("http://") && !url.startsWith("https://")) {
                  throw new ValidationException(k, "must be an http(s) URL");
                }
                return url;
              },
              "where recertification notifications and new posture findings are POSTed as JSON (a campaign may name "
                  + "its own)")
          .unsetWhenBlank();

  /** Unset ({@code none}): no finding is announced. */
  public static final ConfigKey<Finding.@Nullable Severity> NOTIFICATIONS_FINDINGS =
      ConfigKey.<Finding.@Nullable Severity>of(
          "notifications.findings",
          "`none`, `low`, `medium`, `high` or `critical`",
          "critical",
          (k, s) -> {
            String v = s.trim().toLowerCase(Locale.ROOT);
            if (v.equals("none")) {
              return null;
            }
            try {
              return Finding.Severity.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
              throw new ValidationException(k, "must be none, low, medium, high or critical");
            }
          },
          "new posture findings of at least this severity are POSTed to `notifications.webhookUrl`, once per rule "
              + "and item across all nodes");

  public static final ConfigKey<Duration> NOTIFICATIONS_RETRY_BASE =
      duration(
          "notifications.retryBase",
          "1s",
          "first retry delay of a failed webhook (doubles each time, 4 attempts)");
  public static final ConfigKey<Duration> RECERT_REMINDER_INTERVAL =
      duration(
          "recert.reminderInterval",
          "24h",
          "how often owners with pending recertifications are reminded");

  public static final ConfigKey<Duration> DATABASES_REAP_INTERVAL =
      duration(
          "databases.reapInterval",
          "2s",
          "how often database users of revoked or expired leases are dropped (and their sessions ended)");
  public static final ConfigKey<Duration> DATABASES_SWEEP_INTERVAL =
      duration(
          "databases.sweepInterval",
          "5m",
          "how often tagged database users with no live lease are looked for and dropped (first 10 s after start)");
  public static final ConfigKey<Duration> DATABASES_STALE_INTENT =
      duration(
          "databases.staleIntent",
          "2m",
          "an issuing lease older than this is taken as a crash between its steps: its user is dropped if it exists");
  public static final ConfigKey<Integer> DATABASES_IRREVOCABLE_AFTER =
      integer(
          "databases.irrevocableAfter",
          8,
          1,
          100,
          "failed removals after which a lease is marked irrevocable (shown in /metrics, audited; retried hourly)");
  public static final ConfigKey<Integer> DATABASES_REAP_PARALLELISM =
      integer(
          "databases.reapParallelism",
          8,
          1,
          64,
          "how many batched user removals the reaper runs at once: a batch's users of one target are split into up to this"
              + " many shares of at least 4, each removed with a few round trips (each waits on its database)");

  public static final ConfigKey<Integer> AUDIT_MAX_BATCH =
      integer("audit.maxBatch", 500, 1, 10_000, "largest group commit of audit events");
  public static final ConfigKey<Duration> AUDIT_TIMEOUT =
      duration("audit.timeout", "5s", "how long a request waits for its audit event to be durable");
  public static final ConfigKey<Duration> AUDIT_CHECKPOINT_INTERVAL =
      duration(
          "audit.checkpointInterval",
          "60s",
          "how often the audit chain head is signed as a checkpoint (only when it moved; also one per stream batch) "
              + "— docs/audit-streaming.md");
  public static final ConfigKey<Integer> AUDIT_CHECKPOINTS_KEPT =
      integer(
          "audit.checkpointsKept",
          1000,
          1,
          1_000_000,
          "signed checkpoints kept in the database for `GET /v1/audit/checkpoints`");
  public static final ConfigKey<Integer> AUDIT_CHAIN_WATCH_FIRST_PASS_PERCENT =
      integer(
          "audit.chainWatch.firstPassPercent",
          100,
          1,
          100,
          "how much of the time the audit chain watch's first pass after a start (every event re-checked from event 1)"
              + " may be at work: below 100 it pauses after each batch in proportion to the batch's work; 100: no"
              + " pause (the measured default). Later passes never pause — decision 023");
  public static final ConfigKey<@Nullable String> AUDIT_STREAM_NATS_URL =
      ConfigKey.<String>optional(
              "audit.stream.nats.url",
              "URL",
              (k, url) -> {
                if (!url.startsWith("nats://") && !url.startsWith("tls://")) {
                  throw new ValidationException(
                      k, "must be a nats:// or tls:// URL, e.g. nats://127.0.0.1:4222");
                }
                return url;
              },
              "NATS server whose JetStream receives every audit event and checkpoint; unset: no NATS stream")
          .unsetWhenBlank();
  public static final ConfigKey<String> AUDIT_STREAM_NATS_STREAM =
      text(
          "audit.stream.nats.stream",
          "WARDEN_AUDIT",
          "JetStream stream the events go to (created with file storage if missing)");
  public static final ConfigKey<String> AUDIT_STREAM_NATS_SUBJECT =
      ConfigKey.<String>of(
          "audit.stream.nats.subject",
          "subject prefix",
          "warden.audit",
          (k, v) -> {
            if (!v.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
              throw new ValidationException(
                  k, "must be a NATS subject of plain tokens, e.g. warden.audit");
            }
            return v;
          },
          "events are published on `<prefix>.events`, checkpoints on `<prefix>.checkpoints`");
  public static final ConfigKey<Duration> AUDIT_STREAM_NATS_DUPLICATE_WINDOW =
      duration(
          "audit.stream.nats.duplicateWindow",
          "10m",
          "duplicate window of a stream Warden creates: a re-sent event (same `Nats-Msg-Id`) within it is dropped");
  public static final ConfigKey<@Nullable Path> AUDIT_STREAM_FILE =
      optionalPath(
          "audit.stream.file",
          "file every audit event and checkpoint is appended to as a JSON line (fsynced per batch); unset: none");
  public static final ConfigKey<Integer> AUDIT_STREAM_FILE_MAX_MB =
      integer(
          "audit.stream.fileMaxMb",
          100,
          1,
          1_000_000,
          "size in MiB at which `audit.stream.file` is rotated to `<file>.<last seq in it>`");
  public static final ConfigKey<Integer> AUDIT_STREAM_FILE_KEEP =
      integer(
          "audit.stream.fileKeep",
          10,
          1,
          100_000,
          "rotated audit stream files kept; older ones are deleted");
  public static final ConfigKey<Integer> AUDIT_STREAM_BATCH =
      integer(
          "audit.stream.batch",
          500,
          1,
          10_000,
          "most events per stream batch (each batch ends with a checkpoint)");
  public static final ConfigKey<Duration> AUDIT_STREAM_INTERVAL =
      duration(
          "audit.stream.interval", "500ms", "how often a caught-up stream looks for new events");
  public static final ConfigKey<Duration> AUDIT_STREAM_LEASE =
      duration(
          "audit.stream.lease",
          "15s",
          "how long the node draining a stream holds it without renewing; another node takes over after it (above the "
              + "clock skew between nodes, at least 4 intervals)");
  public static final ConfigKey<Duration> RELOAD_INTERVAL =
      duration(
          "reload.interval",
          "1s",
          "how often a node polls for changes made on other nodes: the fallback, since on PostgreSQL change"
              + " notifications bring them within milliseconds");
  public static final ConfigKey<Boolean> CONSOLE_ENABLED =
      bool(
          "console.enabled",
          "true",
          "serve the web console at `/console/` (docs/console.md); sign-in exchanges an admin token for a session");
  public static final ConfigKey<Duration> CONSOLE_IDLE_TIMEOUT =
      duration(
          "console.idleTimeout",
          "15m",
          "a console session unused this long ends; the admin signs in again");
  public static final ConfigKey<Duration> CONSOLE_MAX_SESSION =
      duration(
          "console.maxSession",
          "8h",
          "a console session ends this long after sign-in, however active");
  public static final ConfigKey<@Nullable String> CONSOLE_OIDC_ISSUER =
      optionalText(
          "console.oidc.issuer",
          "https URL",
          "the OpenID Connect provider where human admins sign in to the console (authorization code with PKCE; "
              + "docs/console.md); unset: sign-in with an admin token only");
  public static final ConfigKey<@Nullable String> CONSOLE_OIDC_CLIENT_ID =
      optionalText(
          "console.oidc.clientId",
          "string",
          "the console's client id at that provider: the audience its ID tokens must carry");

  /** A secret: printed as {@code Secret[redacted]}, reached only through {@code reveal()}. */
  public static final ConfigKey<@Nullable Secret> CONSOLE_OIDC_CLIENT_SECRET =
      ConfigKey.<Secret>optional(
              "console.oidc.clientSecret",
              "secret",
              (k, v) -> Secret.of(v),
              "the console's client secret at the provider "
                  + "(`WARDEN_CONSOLE_OIDC_CLIENT_SECRET` keeps it out of files); or `console.oidc.clientSecretFile`; "
                  + "neither: a public client (PKCE only)")
          .unsetWhenBlank();

  public static final ConfigKey<@Nullable Path> CONSOLE_OIDC_CLIENT_SECRET_FILE =
      optionalPath(
          "console.oidc.clientSecretFile",
          "a file holding the console's client secret (first line), read at each sign-in, so it rotates without a "
              + "restart");
  public static final ConfigKey<String> CONSOLE_OIDC_SCOPES =
      text(
          "console.oidc.scopes",
          "openid email profile",
          "scopes asked of the provider (space-separated; must include `openid`)");
  public static final ConfigKey<String> CONSOLE_OIDC_SCOPES_CLAIM =
      text(
          "console.oidc.scopesClaim",
          "groups",
          "the ID token claim (a string or an array of strings, e.g. group names) mapped to Warden admin scopes");
  public static final ConfigKey<List<String>> CONSOLE_OIDC_SCOPE_MAP =
      list(
          "console.oidc.scopeMap",
          "",
          "`value=scope scope…` entries, comma-separated: a human whose `console.oidc.scopesClaim` holds the value gets "
              + "those admin scopes, e.g. `warden-admins=admin, auditors=read audit:read`; no match: refused");
  public static final ConfigKey<List<String>> CONSOLE_OIDC_ALGORITHMS =
      list(
          "console.oidc.algorithms",
          "RS256",
          "signature algorithms accepted on the provider's ID tokens (asymmetric only)");
  public static final ConfigKey<Duration> JWKS_REFRESH_MIN_INTERVAL =
      duration(
          "jwks.refreshMinInterval",
          "30s",
          "least time between JWKS refreshes caused by an unknown `kid`");

  /** Every key, in the order of {@code --list-keys} and the docs. */
  public static final List<ConfigKey<?>> ALL =
      List.of(
          SERVER_HOST,
          SERVER_PORT,
          SERVER_ISSUER,
          SERVER_TRUST_DOMAIN,
          SERVER_DATA_DIR,
          DB_URL,
          DB_USER,
          DB_PASSWORD,
          DB_MAX_POOL,
          MASTER_KEY_FILE,
          KEYS_ALGORITHM,
          KEYS_ROTATE_EVERY,
          KEYS_PUBLISH_LEAD,
          KEYS_RETAIN_AFTER_RETIRE,
          KEYS_CHECK_INTERVAL,
          TOKENS_DEFAULT_TTL,
          TOKENS_TYP,
          TOKENS_MAX_REQUEST_BYTES,
          TOKENS_MAX_ASSERTION_BYTES,
          DELEGATION_MAX_DEPTH,
          LOGIN_PROVIDER,
          LOGIN_CLIENT_ID,
          LOGIN_CLIENT_SECRET,
          LOGIN_CLIENT_SECRET_NAME,
          LOGIN_SCOPES,
          CLIENT_METADATA_ALLOWED_NETWORKS,
          CLIENT_METADATA_TRUSTED_CAS,
          MCP_AUDIT_BEFORE_FORWARD,
          MCP_RESPONSE_TIMEOUT,
          FEDERATION_ENABLED,
          FEDERATION_ALGORITHM,
          FEDERATION_INSECURE_ISSUER,
          CA_TTL,
          CA_UPSTREAM_CERT,
          CA_UPSTREAM_KEY,
          SVID_X509_TTL,
          SVID_JWT_TTL,
          TLS_CERT,
          TLS_KEY,
          TLS_SELF_ISSUED,
          TLS_DNS_NAMES,
          TLS_CLIENT_CAS,
          WORKLOADS_REQUIRE_EXPIRY,
          WORKLOADS_MAX_LIFETIME,
          POSTURE_UNUSED_GRANT,
          POSTURE_STATIC_MAX_AGE,
          POSTURE_ROTATION_INTERVAL,
          POSTURE_STALE,
          POSTURE_WORKSTATION_CIDRS,
          POSTURE_REBUILD_INTERVAL,
          NOTIFICATIONS_WEBHOOK_URL,
          NOTIFICATIONS_FINDINGS,
          NOTIFICATIONS_RETRY_BASE,
          RECERT_REMINDER_INTERVAL,
          DATABASES_REAP_INTERVAL,
          DATABASES_SWEEP_INTERVAL,
          DATABASES_STALE_INTENT,
          DATABASES_IRREVOCABLE_AFTER,
          DATABASES_REAP_PARALLELISM,
          AUDIT_MAX_BATCH,
          AUDIT_TIMEOUT,
          AUDIT_CHECKPOINT_INTERVAL,
          AUDIT_CHECKPOINTS_KEPT,
          AUDIT_CHAIN_WATCH_FIRST_PASS_PERCENT,
          AUDIT_STREAM_NATS_URL,
          AUDIT_STREAM_NATS_STREAM,
          AUDIT_STREAM_NATS_SUBJECT,
          AUDIT_STREAM_NATS_DUPLICATE_WINDOW,
          AUDIT_STREAM_FILE,
          AUDIT_STREAM_FILE_MAX_MB,
          AUDIT_STREAM_FILE_KEEP,
          AUDIT_STREAM_BATCH,
          AUDIT_STREAM_INTERVAL,
          AUDIT_STREAM_LEASE,
          RELOAD_INTERVAL,
          CONSOLE_ENABLED,
          CONSOLE_IDLE_TIMEOUT,
          CONSOLE_MAX_SESSION,
          CONSOLE_OIDC_ISSUER,
          CONSOLE_OIDC_CLIENT_ID,
          CONSOLE_OIDC_CLIENT_SECRET,
          CONSOLE_OIDC_CLIENT_SECRET_FILE,
          CONSOLE_OIDC_SCOPES,
          CONSOLE_OIDC_SCOPES_CLAIM,
          CONSOLE_OIDC_SCOPE_MAP,
          CONSOLE_OIDC_ALGORITHMS,
          JWKS_REFRESH_MIN_INTERVAL);

  /** Where the generated key table sits in docs/configuration.md: between these two lines. */
  public static final String DOC_BEGIN =
      "<!-- BEGIN GENERATED: configuration keys, from ServerKeys; "
          + "regenerate with WARDEN_UPDATE_DOCS=1 ./mvnw -o test -pl warden-server -am -Dtest=ConfigDocTest "
          + "-Dsurefire.failIfNoSpecifiedTests=false -->";

  public static final String DOC_END = "<!-- END GENERATED: configuration keys -->";

  /**
   * The Markdown table of every key, as docs/configuration.md shows it (without the marker lines).
   */
  public static String markdownTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("| key | environment | type | default | meaning |\n");
    sb.append("| --- | --- | --- | --- | --- |\n");
    for (ConfigKey<?> k : ALL) {
      sb.append("| `")
          .append(k.name())
          .append("` | `")
          .append(k.envName())
          .append("` | ")
          .append(k.type())
          .append(" | ")
          .append(k.defaultMarkdown())
          .append(" | ")
          .append(k.doc())
          .append(" |\n");
    }
    return sb.toString();
  }
}
