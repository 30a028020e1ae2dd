package dev.warden.core.pki;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.keys.KeyState;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Owns the trust domain's CA: creates the first, rotates on SPIRE's rhythm and serves the current
 * {@link CertificateAuthority}. The next CA is prepared (and published in the bundle) at half its
 * predecessor's lifetime and activated when a sixth of that lifetime remains, so every peer has had
 * the new root for a third of a lifetime before the first SVID signed by it appears. Every
 * transition is a compare-and-set in the store (several nodes may tick) and is audited.
 */
public final class CaManager {
  private static final System.Logger LOG = System.getLogger(CaManager.class.getName());
  private static final ECNamedDomainParameters P256 =
      new ECNamedDomainParameters(
          SECObjectIdentifiers.secp256r1, CustomNamedCurves.getByName("P-256"));

  private record Snapshot(long counter, CertificateAuthority ca) {}

  private final AuthorityStore store;
  private final SecretBox box;
  private final Clock clock;
  private final PkiSettings settings;
  private final @Nullable UpstreamCa upstream;
  private final AuditWriter audit;
  private final SecureRandom random = new SecureRandom();
  private final AtomicReference<Snapshot> current = new AtomicReference<>();

  /**
   * @param upstream null for a self-signed root
   */
  public CaManager(
      AuthorityStore store,
      SecretBox box,
      Clock clock,
      PkiSettings settings,
      @Nullable UpstreamCa upstream,
      AuditWriter audit) {
    this.store = store;
    this.box = box;
    this.clock = clock;
    this.settings = settings;
    this.upstream = upstream;
    this.audit = audit;
  }

  public PkiSettings settings() {
    return settings;
  }

  /** The CA that signs now; reloads when another node changed the authorities. */
  public CertificateAuthority current() {
    Snapshot s = current.get();
    if (s == null) {
      s = reload();
    }
    return s.ca();
  }

  public void refreshIfChanged() {
    Snapshot s = current.get();
    if (s == null || store.changeCounter() != s.counter()) {
      reload();
    }
  }

  /**
   * Makes sure a CA signs; on first start (or after a long outage let every CA expire) creates one.
   */
  public void ensureActive() {
    tick();
  }

  /** Applies whatever transitions are due. Safe to call on every node. */
  public void tick() {
    Instant now = clock.instant();
    boolean changed = false;
    AuthorityRecord active = null;
    AuthorityRecord prepared = null;
    for (AuthorityRecord a : store.list()) {
      if (a.state() == KeyState.ACTIVE
          && now.isBefore(a.notAfter())
          && (active == null || a.notBefore().isAfter(active.notBefore()))) {
        active = a;
      } else if (a.state() == KeyState.PREPARED && now.isBefore(a.notAfter())) {
        prepared = a;
      }
    }
    if (active == null) {
      AuthorityRecord a = prepared != null ? activate(prepared, now) : null;
      if (a == null) {
        a = newAuthority(KeyState.ACTIVE, now);
        store.insert(a);
        auditChange(AuditType.CA_ACTIVATED, a, Map.of("reason", "no active CA"));
      }
      active = a;
      prepared = null;
      changed = true;
    }
    Duration life = Duration.between(active.notBefore(), active.notAfter());
    if (prepared == null && !now.isBefore(active.notBefore().plus(life.dividedBy(2)))) {
      prepared = newAuthority(KeyState.PREPARED, now);
      store.insert(prepared);
      auditChange(
          AuditType.CA_PREPARED,
          prepared,
          Map.of("activatesAt", active.notAfter().minus(life.dividedBy(6)).toString()));
      changed = true;
    }
    if (prepared != null && !now.isBefore(active.notAfter().minus(life.dividedBy(6)))) {
      if (activate(prepared, now) != null) {
        changed = true;
      }
    }
    for (AuthorityRecord a : store.list()) {
      boolean over = !now.isBefore(a.notAfter());
      if (a.state() != KeyState.DESTROYED && over) {
        // expired: no leaf it signed is valid any more, so the key has nothing left to do
        if (store.update(a.withState(KeyState.DESTROYED, a.activatedAt(), null), a.state())) {
          auditChange(AuditType.CA_DESTROYED, a, Map.of());
          changed = true;
        }
      }
    }
    if (changed || current.get() == null) {
      reload();
    } else {
      refreshIfChanged();
    }
  }

  /**
   * Rotates now (suspected compromise): a new CA signs at once; the old one stays trusted until it
   * expires.
   */
  public String rotateNow(String actor) {
    Instant now = clock.instant();
    AuthorityRecord a = newAuthority(KeyState.ACTIVE, now);
    store.insert(a);
    auditChange(AuditType.CA_ACTIVATED, a, Map.of("reason", "rotated by " + actor));
    retireOthers(a.id(), now);
    reload();
    return a.id();
  }

  private @Nullable AuthorityRecord activate(AuthorityRecord prepared, Instant now) {
    AuthorityRecord act = prepared.withState(KeyState.ACTIVE, now, prepared.encryptedPrivateKey());
    if (!store.update(act, KeyState.PREPARED)) {
      return null;
    }
    auditChange(AuditType.CA_ACTIVATED, act, Map.of());
    retireOthers(act.id(), now);
    return act;
  }

  private void retireOthers(String keepId, Instant now) {
    for (AuthorityRecord a : store.list()) {
      if (a.state() == KeyState.ACTIVE && !a.id().equals(keepId)) {
        if (store.update(
            a.withState(KeyState.RETIRED, a.activatedAt(), a.encryptedPrivateKey()),
            KeyState.ACTIVE)) {
          auditChange(AuditType.CA_RETIRED, a, Map.of("trustedUntil", a.notAfter().toString()));
        }
      }
    }
  }

  private Snapshot reload() {
    long counter = store.changeCounter();
    Instant now = clock.instant();
    AuthorityRecord active = null;
    // roots of every authority still valid, deduplicated (under an upstream CA they are all one)
    Map<String, X509Certificate> roots = new LinkedHashMap<>();
    for (AuthorityRecord a : store.list()) {
      if (a.state() == KeyState.DESTROYED || !now.isBefore(a.notAfter())) {
        continue;
      }
      for (X509Certificate c : Der.certificates(a.rootsDer())) {
        roots.putIfAbsent(HexFormat.of().formatHex(Hashes.sha256(Der.encoded(c))), c);
      }
      if (a.state() == KeyState.ACTIVE
          && (active == null || a.notBefore().isAfter(active.notBefore()))) {
        active = a;
      }
    }
    if (active == null) {
      throw new IllegalStateException("no active certificate authority; call ensureActive() first");
    }
    ECPrivateKeyParameters key;
    try {
      AsymmetricKeyParameter k =
          PrivateKeyFactory.createKey(
              box.decrypt(
                  Objects.requireNonNull(
                      active.encryptedPrivateKey(), "only a destroyed authority has no key"),
                  aad(active.id())));
      ECPrivateKeyParameters ec = (ECPrivateKeyParameters) k;
      key = new ECPrivateKeyParameters(ec.getD(), P256);
    } catch (IOException | ClassCastException e) {
      throw new IllegalStateException("stored CA key " + active.id() + " cannot be read", e);
    }
    CertificateAuthority ca =
        new CertificateAuthority(
            settings.trustDomain(),
            active.id(),
            key,
            active.chainDer(),
            new ArrayList<>(roots.values()),
            counter);
    Snapshot s = new Snapshot(counter, ca);
    current.set(s);
    return s;
  }

  private AuthorityRecord newAuthority(KeyState state, Instant now) {
    ECKeyPairGenerator g = new ECKeyPairGenerator();
    g.init(new ECKeyGenerationParameters(P256, random));
    AsymmetricCipherKeyPair kp = g.generateKeyPair();
    Instant notBefore = now.minus(Certificates.BACKDATE);
    Instant notAfter = now.plus(settings.caTtl());
    try {
      SubjectPublicKeyInfo spki =
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(kp.getPublic());
      BigInteger nameSerial = Certificates.serial(random);
      X500Name subject = Certificates.caName(settings.trustDomain(), nameSerial);
      byte[] caDer;
      byte[] rootsDer;
      if (upstream == null) {
        caDer =
            Certificates.caCertificate(
                subject,
                subject,
                spki,
                spki,
                settings.trustDomain(),
                notBefore,
                notAfter,
                new EcContentSigner((ECPrivateKeyParameters) kp.getPrivate()),
                random);
        rootsDer = caDer;
      } else {
        Instant upEnd = upstream.certificate().getNotAfter().toInstant();
        if (notAfter.isAfter(upEnd)) {
          notAfter = upEnd; // an intermediate cannot outlive its issuer
        }
        if (!notAfter.isAfter(now)) {
          throw new IllegalStateException(
              "the upstream CA certificate expired at " + upEnd + "; supply a valid one");
        }
        X500Name issuer =
            X500Name.getInstance(upstream.certificate().getSubjectX500Principal().getEncoded());
        SubjectPublicKeyInfo upKey =
            SubjectPublicKeyInfo.getInstance(upstream.certificate().getPublicKey().getEncoded());
        caDer =
            Certificates.caCertificate(
                issuer,
                subject,
                spki,
                upKey,
                settings.trustDomain(),
                notBefore,
                notAfter,
                new JcaContentSignerBuilder(upstream.signatureAlgorithm()).build(upstream.key()),
                random);
        rootsDer = Der.encoded(upstream.certificate());
      }
      String id = HexFormat.of().formatHex(Hashes.sha256(caDer));
      byte[] enc =
          box.encrypt(
              PrivateKeyInfoFactory.createPrivateKeyInfo(kp.getPrivate()).getEncoded(), aad(id));
      return new AuthorityRecord(
          id,
          state,
          caDer,
          rootsDer,
          enc,
          notBefore,
          notAfter,
          now,
          state == KeyState.ACTIVE ? now : null);
    } catch (IOException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("cannot create a CA certificate", e);
    }
  }

  private static String aad(String id) {
    return "ca-key:" + id;
  }

  private void auditChange(AuditType type, AuthorityRecord a, Map<String, String> details) {
    HashMap<String, String> d = new HashMap<>(details);
    d.put("authority", a.id());
    d.put("notAfter", a.notAfter().toString());
    audit.write(
        AuditEvent.of(type, AuditOutcome.SUCCESS, null, clock.instant(), "system", null, null, d));
    LOG.log(
        System.Logger.Level.INFO,
        type.wire() + " authority=" + a.id().substring(0, 16) + " notAfter=" + a.notAfter());
  }
}
