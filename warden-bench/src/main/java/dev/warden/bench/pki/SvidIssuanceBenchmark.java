package dev.warden.bench.pki;

import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.keys.KeyState;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.pki.AuthorityRecord;
import dev.warden.core.pki.AuthorityStore;
import dev.warden.core.pki.CaManager;
import dev.warden.core.pki.CertificateAuthority;
import dev.warden.core.pki.Csrs;
import dev.warden.core.pki.IssuedSvid;
import dev.warden.core.pki.PkiSettings;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * X.509-SVID issuance in-process (no HTTP, no audit write): signing a leaf over an already checked
 * key, and the whole path an agent request takes in core (CSR parse, key checks, proof of
 * possession, then signing). Throughput with as many threads as cores:
 *
 * <pre>java -jar warden-bench/target/warden-bench.jar SvidIssuanceBenchmark -t 2</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class SvidIssuanceBenchmark {
  static final SpiffeId ID = SpiffeId.parse("spiffe://acme.test/payments/api");

  AuditWriter audit;
  CertificateAuthority ca;
  SubjectPublicKeyInfo spki;
  byte[] csr;
  Instant now;

  @Setup
  public void setup() throws Exception {
    audit = new AuditWriter(new DiscardingAudit(), 100, 5000);
    CaManager m =
        new CaManager(
            new MemoryAuthorities(),
            SecretBox.generate(),
            Clock.systemUTC(),
            PkiSettings.defaults("acme.test"),
            null,
            audit);
    m.ensureActive();
    ca = m.current();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair kp = g.generateKeyPair();
    csr =
        new JcaPKCS10CertificationRequestBuilder(new X500Principal("O=bench"), kp.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()))
            .getEncoded();
    spki = Csrs.publicKeyFor(csr, ID);
    now = Instant.now();
  }

  @TearDown
  public void tearDown() {
    audit.close();
  }

  @Benchmark
  public IssuedSvid signLeaf() {
    return ca.issue(ID, spki, Duration.ofHours(1), now);
  }

  @Benchmark
  public IssuedSvid checkCsrAndSignLeaf() {
    return ca.issue(ID, Csrs.publicKeyFor(csr, ID), Duration.ofHours(1), now);
  }

  static final class MemoryAuthorities implements AuthorityStore {
    final List<AuthorityRecord> all = new ArrayList<>();

    @Override
    public synchronized List<AuthorityRecord> list() {
      return List.copyOf(all);
    }

    @Override
    public synchronized void insert(AuthorityRecord a) {
      all.add(a);
    }

    @Override
    public synchronized boolean update(AuthorityRecord a, KeyState expected) {
      for (int i = 0; i < all.size(); i++) {
        if (all.get(i).id().equals(a.id()) && all.get(i).state() == expected) {
          all.set(i, a);
          return true;
        }
      }
      return false;
    }

    @Override
    public synchronized long changeCounter() {
      return all.size();
    }
  }

  static final class DiscardingAudit implements AuditStore {
    private byte[] last = AuditChain.GENESIS;
    private long seq;

    @Override
    public synchronized List<AuditRecord> append(List<AuditEvent> events) {
      List<AuditRecord> out = new ArrayList<>();
      for (AuditEvent e : events) {
        byte[] h = AuditChain.link(last, ++seq, e);
        out.add(new AuditRecord(seq, e, last, h));
        last = h;
      }
      return out;
    }

    @Override
    public List<AuditRecord> query(AuditQuery q) {
      return List.of();
    }

    @Override
    public List<AuditRecord> readChain(long fromSeq, int limit) {
      return List.of();
    }

    @Override
    public java.util.Optional<AuditRecord> byEventId(String eventId) {
      return java.util.Optional.empty();
    }

    @Override
    public List<AuditRecord> chainOf(String key, int limit) {
      return List.of();
    }

    @Override
    public synchronized dev.warden.core.audit.ChainHead head() {
      return new dev.warden.core.audit.ChainHead(seq, last);
    }
  }
}
