package dev.warden.server.config;

import dev.warden.core.config.ProvisioningRules;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.PostureThresholds;
import dev.warden.core.pki.PkiSettings;
import dev.warden.core.token.RotationPolicy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * The validated configuration of one server node: the value of every key in {@link ServerKeys}
 * ({@link #get}), and the settings computed from several keys. Built only by {@link ConfigLoader},
 * which names the key and the allowed values when something is wrong.
 */
public final class ServerConfig {
  /**
   * The parsed value of every key in {@link ServerKeys#ALL}, read back with the key's type (a value
   * is held in a {@link Parsed} so that an unset key, null, is told apart from a key never parsed).
   */
  static final class Values {
    private final Map<ConfigKey<?>, Parsed<?>> map = new HashMap<>();

    /** A key's parsed value, null when it is unset. */
    record Parsed<T extends @Nullable Object>(T value) {}

    /**
     * @throws ValidationException naming the key when its value is not allowed
     */
    <T extends @Nullable Object> void parse(ConfigKey<T> key, @Nullable String raw) {
      map.put(key, new Parsed<>(key.parse(raw)));
    }

    @SuppressWarnings("unchecked") // parse(key, ...) put it: a Parsed<T> for a ConfigKey<T>
    <T extends @Nullable Object> T get(ConfigKey<T> key) {
      Parsed<?> p = map.get(key);
      if (p == null) {
        // every key is declared in ServerKeys.ALL, and the loader parses them all
        throw new IllegalArgumentException(key + " is not in ServerKeys.ALL");
      }
      return ((Parsed<T>) p).value();
    }
  }

  private final Values values;
  private final String issuer;
  private final Path masterKeyFile;
  private final @Nullable Secret masterKeyEnv;
  private final RotationPolicy rotation;
  private final ProvisioningRules provisioning;
  private final PostureThresholds posture;
  private final PkiSettings pki;

  /**
   * @throws dev.warden.core.error.ValidationException when keys contradict each other
   */
  ServerConfig(Values values, String issuer, Path masterKeyFile, @Nullable Secret masterKeyEnv) {
    this.values = values;
    this.issuer = issuer;
    this.masterKeyFile = masterKeyFile;
    this.masterKeyEnv = masterKeyEnv;
    this.rotation =
        new RotationPolicy(
            get(ServerKeys.KEYS_ROTATE_EVERY),
            get(ServerKeys.KEYS_PUBLISH_LEAD),
            get(ServerKeys.KEYS_RETAIN_AFTER_RETIRE));
    this.provisioning =
        new ProvisioningRules(
            get(ServerKeys.WORKLOADS_REQUIRE_EXPIRY), get(ServerKeys.WORKLOADS_MAX_LIFETIME));
    this.posture =
        new PostureThresholds(
            get(ServerKeys.POSTURE_UNUSED_GRANT),
            get(ServerKeys.POSTURE_STATIC_MAX_AGE),
            get(ServerKeys.POSTURE_ROTATION_INTERVAL),
            get(ServerKeys.POSTURE_STALE),
            get(ServerKeys.POSTURE_WORKSTATION_CIDRS));
    this.pki =
        new PkiSettings(
            get(ServerKeys.SERVER_TRUST_DOMAIN),
            get(ServerKeys.CA_TTL),
            get(ServerKeys.SVID_X509_TTL),
            get(ServerKeys.SVID_JWT_TTL));
  }

  /**
   * The value of a key: its parsed value, or the default; null only for a key whose type is
   * {@code @Nullable} (no default, or a value meaning "none"), when it is unset.
   */
  public <T extends @Nullable Object> T get(ConfigKey<T> key) {
    return values.get(key);
  }

  /** The public base URL: {@code server.issuer}, or {@code http(s)://<host>:<port>} without it. */
  public String issuer() {
    return issuer;
  }

  /** {@code masterKey.file}, or {@code master.key} in the data directory. */
  public Path masterKeyFile() {
    return masterKeyFile;
  }

  /** The master key from {@code WARDEN_MASTER_KEY} (it wins over the file), or null. */
  public @Nullable Secret masterKeyEnv() {
    return masterKeyEnv;
  }

  /** {@code keys.rotateEvery}, {@code keys.publishLead} and {@code keys.retainAfterRetire}. */
  public RotationPolicy rotation() {
    return rotation;
  }

  /** {@code workloads.requireExpiry} and {@code workloads.maxLifetime}. */
  public ProvisioningRules provisioning() {
    return provisioning;
  }

  /** The {@code posture.*} thresholds. */
  public PostureThresholds posture() {
    return posture;
  }

  /** The trust domain with {@code ca.ttl}, {@code svid.x509Ttl} and {@code svid.jwtTtl}. */
  public PkiSettings pki() {
    return pki;
  }

  /** True when the listener serves HTTPS. */
  public boolean tls() {
    return get(ServerKeys.TLS_CERT) != null || get(ServerKeys.TLS_SELF_ISSUED);
  }

  /** True when the embedded H2 store is used (no db.url given). */
  public boolean embeddedStore() {
    return get(ServerKeys.DB_URL) == null;
  }

  /** Every key with its value; secrets redacted, the URL of the database without credentials. */
  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(", ", "ServerConfig[", "]");
    for (ConfigKey<?> k : ServerKeys.ALL) {
      Object v = values.get(k);
      j.add(
          k.name()
              + "="
              + (v instanceof String url && k == ServerKeys.DB_URL
                  ? ConfigLoader.redactUrl(url)
                  : v));
    }
    j.add("issuer=" + issuer);
    j.add("masterKeyFile=" + masterKeyFile);
    j.add("masterKeyEnv=" + masterKeyEnv);
    return j.toString();
  }
}
