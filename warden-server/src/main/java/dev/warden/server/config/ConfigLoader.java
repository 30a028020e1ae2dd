package dev.warden.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.token.RotationPolicy;
import dev.warden.core.token.SigningAlgorithm;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads configuration from a YAML file, then environment variables ({@code WARDEN_SERVER_PORT} for
 * {@code server.port}), then flags: later sources win. Every key is known; an unknown key or a bad
 * value stops start-up with a message naming the key and what is allowed.
 */
public final class ConfigLoader {
  /** Every key with its default (null: no default) and a one-line description. */
  static final Map<String, String[]> KEYS = new LinkedHashMap<>();

  static {
    key("server.host", "127.0.0.1", "address to listen on (0.0.0.0 for all interfaces)");
    key("server.port", "8080", "TCP port (0 picks a free one)");
    key("server.issuer", null, "public base URL of this server, the 'iss' of its tokens (default http://<host>:<port>)");
    key("server.trustDomain", "warden.local", "SPIFFE trust domain");
    key("server.dataDir", "./warden-data", "directory for the embedded database and the master key file");
    key("db.url", null, "JDBC URL of PostgreSQL (jdbc:postgresql://host:5432/db); unset: embedded H2 in dataDir");
    key("db.user", "warden", "database user");
    key("db.password", null, "database password");
    key("db.maxPool", "16", "maximum database connections");
    key("masterKey.file", null, "Tink AEAD keyset file (default <dataDir>/master.key, created 0600 on first start)");
    key("keys.algorithm", "ES256", "signing algorithm: ES256 or EdDSA");
    key("keys.rotateEvery", "30d", "how long a signing key signs before the next takes over ('manual' to disable)");
    key("keys.publishLead", "10m", "how long a new key is published before it signs");
    key("keys.retainAfterRetire", "25h", "how long a retired key stays published (>= 24h)");
    key("keys.checkInterval", "30s", "how often rotation is checked");
    key("tokens.defaultTtl", "5m", "access token lifetime when the policy allows more");
    key("tokens.typ", "JWT", "header typ of access tokens: JWT (accepted by default verifiers such as Nimbus and "
        + "Spring Security) or at+jwt (RFC 9068); JWT-SVIDs are typed JOSE either way");
    key("tokens.maxRequestBytes", "65536", "largest token request body accepted");
    key("tokens.maxAssertionBytes", "16384", "largest platform token accepted");
    key("ca.ttl", "24h", "lifetime of each CA certificate of the trust domain (next CA prepared at half, active with a sixth left)");
    key("ca.upstreamCert", null, "PEM certificate of an upstream CA; Warden's CA becomes its intermediate");
    key("ca.upstreamKey", null, "PEM private key of the upstream CA (with ca.upstreamCert)");
    key("svid.x509Ttl", "1h", "lifetime of X.509-SVIDs (at most a sixth of ca.ttl)");
    key("svid.jwtTtl", "5m", "lifetime of JWT-SVIDs");
    key("tls.cert", null, "PEM certificate chain the server presents (HTTPS); with tls.key");
    key("tls.key", null, "PEM private key of tls.cert");
    key("tls.selfIssued", "false", "true: serve HTTPS with a certificate from the trust domain's own CA (renewed at half-life)");
    key("tls.dnsNames", "localhost", "names (and IP addresses) in the self-issued serving certificate, comma-separated");
    key("tls.clientCas", null, "PEM file of extra CAs whose X.509-SVIDs may authenticate over mTLS (besides the trust domain's)");
    key("workloads.requireExpiry", "false", "true: refuse to create a workload (or remove its expiry) without spec.expiresAt");
    key("workloads.maxLifetime", "365d", "furthest a workload's expiresAt may be set into the future");
    key("posture.unusedGrant", "30d", "a granted resource not used this long is an over-privilege finding (NHI5)");
    key("posture.staticMaxAge", "90d", "a static credential older than this is a long-lived-secret finding (NHI7)");
    key("posture.rotationInterval", "90d", "a static credential not rotated this long is rotation-overdue (NHI7)");
    key("posture.stale", "90d", "an identity unused this long is stale");
    key("posture.workstationCidrs", "", "comma-separated address ranges of workstations (NHI10 human use)");
    key("posture.rebuildInterval", "1h", "how often the posture index re-reads everything, so age-based findings move");
    key("notifications.webhookUrl", null, "where recertification reminders are POSTed as JSON (a campaign may name its own)");
    key("notifications.findings", "critical", "new posture findings of at least this severity are POSTed to"
        + " notifications.webhookUrl, once per rule and item: none, low, medium, high or critical");
    key("notifications.retryBase", "1s", "first retry delay of a failed webhook (doubles each time, 4 attempts)");
    key("recert.reminderInterval", "24h", "how often owners with pending recertifications are reminded");
    key("audit.maxBatch", "500", "largest group commit of audit events");
    key("audit.timeout", "5s", "how long a request waits for its audit event to be durable");
    key("reload.interval", "1s", "how often configuration changes by other nodes are picked up");
    key("jwks.refreshMinInterval", "30s", "least time between JWKS refreshes caused by an unknown kid");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static void key(String k, String def, String help) {
    KEYS.put(k, new String[] {def, help});
  }

  private ConfigLoader() {}

  /** A description of every key for {@code --help} and the docs. */
  public static String describeKeys() {
    StringBuilder sb = new StringBuilder();
    KEYS.forEach((k, v) -> sb.append(String.format("  %-26s %s%s%n", k, v[1], v[0] == null ? "" : " [" + v[0] + "]")));
    return sb.toString();
  }

  /**
   * Loads and validates.
   *
   * @param file YAML file, or null
   * @param env the environment (System.getenv() in production)
   * @param flags dotted key → value from the command line
   * @throws ValidationException naming the key and what is allowed
   */
  public static ServerConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
    Map<String, String> v = new TreeMap<>();
    KEYS.forEach((k, d) -> {
      if (d[0] != null) {
        v.put(k, d[0]);
      }
    });
    if (file != null) {
      v.putAll(readYaml(file));
    }
    for (String k : KEYS.keySet()) {
      String e = env.get(envName(k));
      if (e != null && !e.isEmpty()) {
        v.put(k, e);
      }
    }
    for (Map.Entry<String, String> f : flags.entrySet()) {
      if (!KEYS.containsKey(f.getKey())) {
        throw new ValidationException(f.getKey(), "unknown configuration key; known keys:\n" + describeKeys());
      }
      if (f.getValue() != null) {
        v.put(f.getKey(), f.getValue());
      }
    }
    return build(v, env);
  }

  /** {@code server.port} → {@code WARDEN_SERVER_PORT}; camelCase becomes SNAKE_CASE. */
  static String envName(String key) {
    StringBuilder sb = new StringBuilder("WARDEN_");
    for (char c : key.toCharArray()) {
      if (c == '.') {
        sb.append('_');
      } else if (Character.isUpperCase(c)) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }

  private static Map<String, String> readYaml(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ValidationException("--config", "cannot read " + file + ": "
          + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
    }
    Map<String, String> out = new TreeMap<>();
    if (root == null || root.isNull() || root.isMissingNode()) {
      return out;
    }
    if (!root.isObject()) {
      throw new ValidationException("--config", file + " must be a YAML mapping of sections (server:, db:, keys:, ...)");
    }
    flatten("", root, out);
    for (String k : out.keySet()) {
      if (!KEYS.containsKey(k)) {
        throw new ValidationException(k, "unknown configuration key in " + file + "; known keys:\n" + describeKeys());
      }
    }
    return out;
  }

  private static void flatten(String prefix, JsonNode n, Map<String, String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().isObject()) {
        flatten(k, e.getValue(), out);
      } else if (e.getValue().isValueNode()) {
        out.put(k, e.getValue().isNull() ? null : e.getValue().asText());
      } else {
        throw new ValidationException(k, "must be a single value");
      }
    }
  }

  private static ServerConfig build(Map<String, String> v, Map<String, String> env) {
    String host = v.get("server.host");
    int port = intIn(v, "server.port", 0, 65535);
    String issuer = v.get("server.issuer");
    if (issuer == null || issuer.isBlank()) {
      String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
      boolean tls = blankToNull(v.get("tls.cert")) != null || "true".equalsIgnoreCase(v.get("tls.selfIssued"));
      issuer = (tls ? "https://" : "http://") + h + ":" + port;
    }
    issuer = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    try {
      URI u = new URI(issuer);
      if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme()) || u.getHost() == null
          || u.getQuery() != null || u.getFragment() != null) {
        throw new ValidationException("server.issuer", "'" + issuer + "' must be an http(s) URL without query or fragment");
      }
    } catch (java.net.URISyntaxException e) {
      throw new ValidationException("server.issuer", "'" + issuer + "' is not a URL");
    }
    String td = v.get("server.trustDomain");
    SpiffeId.parse("spiffe://" + td);
    Path dataDir = Path.of(v.get("server.dataDir"));
    String dbUrl = v.get("db.url");
    if (dbUrl != null && dbUrl.isBlank()) {
      dbUrl = null;
    }
    if (dbUrl != null && !dbUrl.startsWith("jdbc:postgresql:") && !dbUrl.startsWith("jdbc:h2:")) {
      throw new ValidationException("db.url", "'" + redactUrl(dbUrl) + "' is not supported; use jdbc:postgresql://host:5432/db (or jdbc:h2:... for tests)");
    }
    String mk = v.get("masterKey.file");
    Path masterKeyFile = mk == null || mk.isBlank() ? dataDir.resolve("master.key") : Path.of(mk);
    SigningAlgorithm alg = SigningAlgorithm.parse("keys.algorithm", v.get("keys.algorithm"));
    String rotate = v.get("keys.rotateEvery");
    Duration rotateEvery = "manual".equalsIgnoreCase(rotate) ? null : positive(v, "keys.rotateEvery");
    RotationPolicy rotation = new RotationPolicy(rotateEvery, nonNegative(v, "keys.publishLead"),
        positive(v, "keys.retainAfterRetire"));
    Duration ttl = positive(v, "tokens.defaultTtl");
    if (ttl.compareTo(Duration.ofHours(24)) > 0) {
      throw new ValidationException("tokens.defaultTtl", "must be at most 24h");
    }
    String typ = v.get("tokens.typ");
    if (!dev.warden.core.token.AccessTokenMinter.TYPES.contains(typ)) {
      throw new ValidationException("tokens.typ", "'" + typ + "' is not allowed; use JWT or at+jwt");
    }
    String tlsCert = blankToNull(v.get("tls.cert"));
    String tlsKey = blankToNull(v.get("tls.key"));
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ValidationException(tlsCert == null ? "tls.cert" : "tls.key", "tls.cert and tls.key go together");
    }
    String selfIssued = v.get("tls.selfIssued");
    if (!"true".equalsIgnoreCase(selfIssued) && !"false".equalsIgnoreCase(selfIssued)) {
      throw new ValidationException("tls.selfIssued", "must be true or false");
    }
    boolean tlsSelf = "true".equalsIgnoreCase(selfIssued);
    if (tlsSelf && tlsCert != null) {
      throw new ValidationException("tls.selfIssued", "give either tls.cert/tls.key or tls.selfIssued: true, not both");
    }
    List<String> dnsNames = java.util.Arrays.stream(v.get("tls.dnsNames").split(",")).map(String::trim)
        .filter(x -> !x.isEmpty()).toList();
    String clientCas = blankToNull(v.get("tls.clientCas"));
    String reqExp = v.get("workloads.requireExpiry");
    if (!"true".equalsIgnoreCase(reqExp) && !"false".equalsIgnoreCase(reqExp)) {
      throw new ValidationException("workloads.requireExpiry", "must be true or false");
    }
    dev.warden.core.config.ProvisioningRules provisioning = new dev.warden.core.config.ProvisioningRules(
        "true".equalsIgnoreCase(reqExp), positive(v, "workloads.maxLifetime"));
    dev.warden.core.inventory.PostureThresholds posture = new dev.warden.core.inventory.PostureThresholds(
        positive(v, "posture.unusedGrant"), positive(v, "posture.staticMaxAge"), positive(v, "posture.rotationInterval"),
        positive(v, "posture.stale"), java.util.Arrays.stream(v.get("posture.workstationCidrs").split(","))
            .map(String::trim).filter(x -> !x.isEmpty()).toList());
    String upCert = v.get("ca.upstreamCert");
    String upKey = v.get("ca.upstreamKey");
    if ((upCert == null || upCert.isBlank()) != (upKey == null || upKey.isBlank())) {
      throw new ValidationException(upCert == null ? "ca.upstreamCert" : "ca.upstreamKey",
          "ca.upstreamCert and ca.upstreamKey go together: give both or neither");
    }
    dev.warden.core.pki.PkiSettings pki = new dev.warden.core.pki.PkiSettings(td, positive(v, "ca.ttl"),
        positive(v, "svid.x509Ttl"), positive(v, "svid.jwtTtl"));
    String webhook = blankToNull(v.get("notifications.webhookUrl"));
    if (webhook != null && !webhook.startsWith("http://") && !webhook.startsWith("https://")) {
      throw new ValidationException("notifications.webhookUrl", "must be an http(s) URL");
    }
    String notify = v.get("notifications.findings").trim().toLowerCase(java.util.Locale.ROOT);
    dev.warden.core.inventory.Finding.Severity notifyFrom = null;
    if (!notify.equals("none")) {
      try {
        notifyFrom = dev.warden.core.inventory.Finding.Severity.valueOf(notify.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ValidationException("notifications.findings", "must be none, low, medium, high or critical");
      }
    }
    return new ServerConfig(notifyFrom, positive(v, "posture.rebuildInterval"), webhook, positive(v, "notifications.retryBase"), positive(v, "recert.reminderInterval"),
        provisioning, posture, tlsCert == null ? null : Path.of(tlsCert), tlsKey == null ? null : Path.of(tlsKey), tlsSelf,
        dnsNames, clientCas == null ? null : Path.of(clientCas), pki, upCert == null || upCert.isBlank() ? null : Path.of(upCert),
        upKey == null || upKey.isBlank() ? null : Path.of(upKey), host, port, issuer, td, dataDir, dbUrl, v.get("db.user"), v.get("db.password"),
        intIn(v, "db.maxPool", 1, 1000), masterKeyFile, env.get("WARDEN_MASTER_KEY"), alg, rotation,
        positive(v, "keys.checkInterval"), ttl, typ, intIn(v, "tokens.maxRequestBytes", 1024, 1 << 24),
        intIn(v, "tokens.maxAssertionBytes", 1024, 1 << 20), intIn(v, "audit.maxBatch", 1, 10_000),
        positive(v, "audit.timeout"), positive(v, "reload.interval"), positive(v, "jwks.refreshMinInterval"));
  }

  private static int intIn(Map<String, String> v, String k, int min, int max) {
    String s = v.get(k);
    try {
      int i = Integer.parseInt(s.trim());
      if (i < min || i > max) {
        throw new ValidationException(k, "must be between " + min + " and " + max + ", got " + i);
      }
      return i;
    } catch (NumberFormatException | NullPointerException e) {
      throw new ValidationException(k, "must be a whole number between " + min + " and " + max + ", got '" + s + "'");
    }
  }

  private static Duration positive(Map<String, String> v, String k) {
    Duration d = Durations.parse(k, v.get(k));
    if (d == null || d.isZero() || d.isNegative()) {
      throw new ValidationException(k, "must be a positive duration such as 30s, 5m or 2h");
    }
    return d;
  }

  private static Duration nonNegative(Map<String, String> v, String k) {
    Duration d = Durations.parse(k, v.get(k));
    if (d == null || d.isNegative()) {
      throw new ValidationException(k, "must be a duration such as 0s, 5m or 2h");
    }
    return d;
  }

  /** Drops user info and password parameters from a JDBC URL so it can be printed. */
  public static String redactUrl(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }
}
