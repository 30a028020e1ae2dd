package dev.warden.core.exposure;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.database.TargetSecretStore;
import dev.warden.core.error.ValidationException;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.keys.SigningKeyStore;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.model.Lease;
import dev.warden.core.pki.AuthorityRecord;
import dev.warden.core.pki.AuthorityStore;
import dev.warden.core.secret.BrokeredSecretStore;
import dev.warden.core.secret.SecretMetadata;
import dev.warden.core.secret.SecretVersion;
import dev.warden.core.secret.VersionState;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Answers {@code warden scan --verify}: which of the found credentials Warden issued or holds, and
 * whether each still works. The scanner sends only HMAC fingerprints (under the installation's
 * fingerprint key, decision 103) and SHA-256 hashes of public keys, never a secret; the answer
 * names the lease, stored secret, signing key or authority each one matched.
 *
 * <p>A fingerprint is matched against leases (live while the lease is active), database target
 * secrets (the current admin password: live) and brokered secret versions (the current active
 * version: live; an older one: unknown, since whether the target still accepts it is not Warden's
 * to know). A public-key hash is matched against the installation's signing keys and X.509
 * authorities: live while active or prepared (a prepared key is published and will sign). Every
 * check is audited with its counts.
 */
public final class ExposureCheck {
  /** Most fingerprints plus key hashes one request may ask about. */
  public static final int MAX_ITEMS = 10_000;

  /** What one fingerprint or key hash matched. */
  public record Match(String value, MatchKind kind, String id, Liveness liveness, String state) {}

  /** The kind of object a found credential matched. */
  public enum MatchKind {
    LEASE,
    TARGET_SECRET,
    BROKERED_SECRET,
    SIGNING_KEY,
    AUTHORITY;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** The answer: matches only; anything not listed is unknown to Warden. */
  public record Result(List<Match> credentials, List<Match> publicKeys) {
    public Result {
      credentials = List.copyOf(credentials);
      publicKeys = List.copyOf(publicKeys);
    }
  }

  private static final java.util.regex.Pattern HEX64 =
      java.util.regex.Pattern.compile("[0-9a-f]{64}");

  private final LeaseStore leases;
  private final TargetSecretStore targetSecrets;
  private final BrokeredSecretStore brokered;
  private final SigningKeyStore signingKeys;
  private final AuthorityStore authorities;
  private final AuditWriter audit;
  private final Clock clock;

  public ExposureCheck(
      LeaseStore leases,
      TargetSecretStore targetSecrets,
      BrokeredSecretStore brokered,
      SigningKeyStore signingKeys,
      AuthorityStore authorities,
      AuditWriter audit,
      Clock clock) {
    this.leases = leases;
    this.targetSecrets = targetSecrets;
    this.brokered = brokered;
    this.signingKeys = signingKeys;
    this.authorities = authorities;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * @param fingerprints lowercase hex HMAC-SHA256 fingerprints of found secrets
   * @param publicKeyHashes lowercase hex SHA-256 of the DER SubjectPublicKeyInfo of found private
   *     keys
   * @throws ValidationException for a malformed value or more than {@link #MAX_ITEMS}
   */
  public Result check(List<String> fingerprints, List<String> publicKeyHashes, String actor) {
    Set<String> fps = checked("fingerprints", fingerprints);
    Set<String> keys = checked("publicKeys", publicKeyHashes);
    if (fps.size() + keys.size() > MAX_ITEMS) {
      throw new ValidationException(
          "fingerprints", "at most " + MAX_ITEMS + " values per request; send them in batches");
    }
    Instant now = clock.instant();
    List<Match> credentials = new ArrayList<>();
    if (!fps.isEmpty()) {
      for (String fp : fps) {
        for (Lease l : leases.findByFingerprint(fp)) {
          String state = l.revokedAt() != null ? "revoked" : l.isActive(now) ? "active" : "expired";
          credentials.add(
              new Match(
                  fp,
                  MatchKind.LEASE,
                  l.id(),
                  l.isActive(now) ? Liveness.LIVE : Liveness.DEAD,
                  state));
        }
      }
      for (TargetSecretStore.Sealed s : targetSecrets.list()) {
        if (fps.contains(s.fingerprint())) {
          credentials.add(
              new Match(
                  s.fingerprint(), MatchKind.TARGET_SECRET, s.name(), Liveness.LIVE, "current"));
        }
      }
      for (SecretMetadata m : brokered.list()) {
        for (SecretVersion v : brokered.versions(m.name())) {
          if (v.fingerprint() != null && fps.contains(v.fingerprint())) {
            boolean current = v.version() == m.currentVersion() && v.state() == VersionState.ACTIVE;
            credentials.add(
                new Match(
                    v.fingerprint(),
                    MatchKind.BROKERED_SECRET,
                    m.name() + "@" + v.version(),
                    current ? Liveness.LIVE : Liveness.UNKNOWN,
                    current ? "current" : v.state().wire()));
          }
        }
      }
    }
    List<Match> publicKeys = new ArrayList<>();
    if (!keys.isEmpty()) {
      for (SigningKeyRecord k : signingKeys.list()) {
        String h = PublicKeys.sha256OfJwk(k.publicJwk());
        if (h != null && keys.contains(h)) {
          boolean live = k.state() == KeyState.ACTIVE || k.state() == KeyState.PREPARED;
          publicKeys.add(
              new Match(
                  h,
                  MatchKind.SIGNING_KEY,
                  k.kid(),
                  live ? Liveness.LIVE : Liveness.DEAD,
                  k.state().name().toLowerCase(java.util.Locale.ROOT)));
        }
      }
      for (AuthorityRecord a : authorities.list()) {
        String h = sha256OfCertificateKey(a.chainDer());
        if (h != null && keys.contains(h)) {
          boolean live =
              (a.state() == KeyState.ACTIVE || a.state() == KeyState.PREPARED)
                  && now.isBefore(a.notAfter());
          publicKeys.add(
              new Match(
                  h,
                  MatchKind.AUTHORITY,
                  a.id(),
                  live ? Liveness.LIVE : Liveness.DEAD,
                  a.state().name().toLowerCase(java.util.Locale.ROOT)));
        }
      }
    }
    Map<String, String> d = new HashMap<>();
    d.put("fingerprints", Integer.toString(fps.size()));
    d.put("publicKeys", Integer.toString(keys.size()));
    d.put("matched", Integer.toString(credentials.size() + publicKeys.size()));
    d.put(
        "live",
        Long.toString(
            credentials.stream().filter(x -> x.liveness() == Liveness.LIVE).count()
                + publicKeys.stream().filter(x -> x.liveness() == Liveness.LIVE).count()));
    audit.write(
        AuditEvent.of(
            AuditType.LEAK_VERIFIED, AuditOutcome.SUCCESS, null, now, actor, null, null, d));
    return new Result(credentials, publicKeys);
  }

  private static Set<String> checked(String field, List<String> values) {
    Set<String> out = new LinkedHashSet<>();
    if (values == null) {
      return out;
    }
    for (String v : values) {
      if (v == null || !HEX64.matcher(v).matches()) {
        throw new ValidationException(
            field, "each value must be 64 lowercase hex characters (SHA-256 / HMAC-SHA256)");
      }
      out.add(v);
    }
    return out;
  }

  /**
   * SHA-256 of the public key of the first (leaf) certificate in a DER chain, or null if
   * unreadable.
   */
  static @Nullable String sha256OfCertificateKey(byte[] chainDer) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      var certs = cf.generateCertificates(new ByteArrayInputStream(chainDer));
      if (certs.isEmpty()) {
        return null;
      }
      X509Certificate leaf = (X509Certificate) certs.iterator().next();
      return sha256(leaf.getPublicKey().getEncoded());
    } catch (CertificateException e) {
      return null;
    }
  }

  static String sha256(byte[] der) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
