package dev.warden.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ValidationException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads configuration from a YAML file, then environment variables ({@code WARDEN_SERVER_PORT} for
 * {@code server.port}), then flags: later sources win. Every key is declared in {@link ServerKeys};
 * an unknown key or a bad value stops start-up with a message naming the key and what is allowed.
 */
public final class ConfigLoader {
  private static final Map<String, ConfigKey<?>> BY_NAME = new LinkedHashMap<>();

  static {
    for (ConfigKey<?> k : ServerKeys.ALL) {
      BY_NAME.put(k.name(), k);
    }
  }

  private ConfigLoader() {}

  /**
   * Every key, its meaning and its default, one line each, for {@code --list-keys} and error
   * messages.
   */
  public static String describeKeys() {
    StringBuilder sb = new StringBuilder();
    for (ConfigKey<?> k : ServerKeys.ALL) {
      sb.append(
          String.format(
              java.util.Locale.ROOT,
              "  %-26s %s%s%n",
              k.name(),
              k.doc().replace("`", ""),
              k.defaultValue() == null ? "" : " [" + k.defaultValue() + "]"));
    }
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
  public static ServerConfig load(
      @Nullable Path file, Map<String, String> env, Map<String, String> flags) {
    // a value is null where a YAML file set it to null (~)
    Map<String, @Nullable String> v = new TreeMap<>();
    for (ConfigKey<?> k : ServerKeys.ALL) {
      String d = k.defaultValue();
      if (d != null) {
        v.put(k.name(), d);
      }
    }
    if (file != null) {
      v.putAll(readYaml(file));
    }
    for (ConfigKey<?> k : ServerKeys.ALL) {
      String e = env.get(k.envName());
      if (e != null && !e.isEmpty()) {
        v.put(k.name(), e);
      }
    }
    for (Map.Entry<String, String> f : flags.entrySet()) {
      if (!BY_NAME.containsKey(f.getKey())) {
        throw new ValidationException(
            f.getKey(), "unknown configuration key; known keys:\n" + describeKeys());
      }
      if (f.getValue() != null) {
        v.put(f.getKey(), f.getValue());
      }
    }
    return build(v, env);
  }

  private static Map<String, @Nullable String> readYaml(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new ValidationException(
          "--config",
          "cannot read "
              + file
              + ": "
              + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
    }
    Map<String, @Nullable String> out = new TreeMap<>();
    if (root == null || root.isNull() || root.isMissingNode()) {
      return out;
    }
    if (!root.isObject()) {
      throw new ValidationException(
          "--config", file + " must be a YAML mapping of sections (server:, db:, keys:, ...)");
    }
    flatten("", root, out);
    for (String k : out.keySet()) {
      if (!BY_NAME.containsKey(k)) {
        throw new ValidationException(
            k, "unknown configuration key in " + file + "; known keys:\n" + describeKeys());
      }
    }
    return out;
  }

  private static void flatten(String prefix, JsonNode n, Map<String, @Nullable String> out) {
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

  /**
   * AWS, GCP and Entra fetch discovery and keys from the issuer over https, and AWS refuses an OIDC
   * provider URL with a port; a federation server whose issuer breaks this would start and sign
   * tokens that no cloud accepts, so it does not start (decision 115).
   */
  private static void checkFederationIssuer(String issuer) {
    URI u = URI.create(issuer);
    if (!"https".equals(u.getScheme()) || u.getPort() != -1 || u.getRawUserInfo() != null) {
      throw new ValidationException(
          "server.issuer",
          "'"
              + issuer
              + "' cannot be a federation issuer: AWS, GCP and "
              + "Entra need https://<public-host>[/path] with no port (serve on 443 or behind a TLS proxy); "
              + "federation.insecureIssuer: true allows it for local tests only");
    }
  }

  /** Parses every key in table order, then checks and derives what depends on several keys. */
  private static ServerConfig build(Map<String, @Nullable String> raw, Map<String, String> env) {
    ServerConfig.Values values = new ServerConfig.Values();
    for (ConfigKey<?> k : ServerKeys.ALL) {
      values.parse(k, raw.get(k.name()));
    }
    String host = values.get(ServerKeys.SERVER_HOST);
    int port = values.get(ServerKeys.SERVER_PORT);
    Path tlsCert = values.get(ServerKeys.TLS_CERT);
    Path tlsKey = values.get(ServerKeys.TLS_KEY);
    boolean tlsSelf = values.get(ServerKeys.TLS_SELF_ISSUED);
    String issuer = values.get(ServerKeys.SERVER_ISSUER);
    if (issuer == null) {
      String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
      issuer = (tlsCert != null || tlsSelf ? "https://" : "http://") + h + ":" + port;
    }
    issuer = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    try {
      URI u = new URI(issuer);
      if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())
          || u.getHost() == null
          || u.getQuery() != null
          || u.getFragment() != null) {
        throw new ValidationException(
            "server.issuer", "'" + issuer + "' must be an http(s) URL without query or fragment");
      }
    } catch (java.net.URISyntaxException e) {
      throw new ValidationException("server.issuer", "'" + issuer + "' is not a URL");
    }
    if (values.get(ServerKeys.FEDERATION_ENABLED)
        && !values.get(ServerKeys.FEDERATION_INSECURE_ISSUER)) {
      checkFederationIssuer(issuer);
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ValidationException(
          tlsCert == null ? "tls.cert" : "tls.key", "tls.cert and tls.key go together");
    }
    if (tlsSelf && tlsCert != null) {
      throw new ValidationException(
          "tls.selfIssued", "give either tls.cert/tls.key or tls.selfIssued: true, not both");
    }
    if ((values.get(ServerKeys.CA_UPSTREAM_CERT) == null)
        != (values.get(ServerKeys.CA_UPSTREAM_KEY) == null)) {
      // named as ever: the certificate when it was never given, else the key
      throw new ValidationException(
          raw.get("ca.upstreamCert") == null ? "ca.upstreamCert" : "ca.upstreamKey",
          "ca.upstreamCert and ca.upstreamKey go together: give both or neither");
    }
    Path masterKeyFile = values.get(ServerKeys.MASTER_KEY_FILE);
    if (masterKeyFile == null) {
      masterKeyFile = values.get(ServerKeys.SERVER_DATA_DIR).resolve("master.key");
    }
    String masterKey = env.get("WARDEN_MASTER_KEY");
    return new ServerConfig(
        values, issuer, masterKeyFile, masterKey == null ? null : Secret.of(masterKey));
  }

  /** Drops user info and password parameters from a JDBC URL so it can be printed. */
  public static String redactUrl(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }
}
