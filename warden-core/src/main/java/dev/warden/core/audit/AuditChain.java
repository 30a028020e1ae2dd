package dev.warden.core.audit;

import dev.warden.core.model.Lease;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The hash chain: {@code hash(n) = SHA-256(hash(n-1) || seq || canonical(event n))}. The canonical
 * form length-prefixes every field, so no two different events share an encoding, and it is
 * independent of JSON formatting or database column order.
 */
public final class AuditChain {
  /** The "previous hash" of the first event. */
  public static final byte[] GENESIS = new byte[32];

  private AuditChain() {}

  /** Computes the hash of {@code event} at position {@code seq} following {@code prevHash}. */
  public static byte[] link(byte[] prevHash, long seq, AuditEvent event) {
    MessageDigest sha = sha256();
    sha.update(prevHash);
    sha.update(canonical(seq, event));
    return sha.digest();
  }

  /** True if the record's hash is right for its own content and the given previous hash. */
  public static boolean verifies(byte[] prevHash, AuditRecord r) {
    return MessageDigest.isEqual(prevHash, r.prevHash())
        && MessageDigest.isEqual(link(prevHash, r.seq(), r.event()), r.hash());
  }

  static byte[] canonical(long seq, AuditEvent e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    writeLong(out, seq);
    write(out, e.id());
    // microseconds: what both H2 and PostgreSQL keep, so a stored event re-hashes identically
    writeLong(out, e.time().getEpochSecond() * 1_000_000L + e.time().getNano() / 1_000);
    write(out, e.type());
    write(out, e.outcome());
    write(out, e.reason());
    write(out, e.actor());
    write(out, e.workload());
    write(out, e.resource());
    writeLong(out, e.details().size());
    for (Map.Entry<String, String> d : e.details().entrySet()) {
      write(out, d.getKey());
      write(out, d.getValue());
    }
    Lease l = e.lease();
    if (l == null) {
      writeLong(out, 0);
    } else {
      writeLong(out, 1);
      write(out, l.id());
      write(out, l.kind().wire());
      write(out, l.workload());
      write(out, l.resource());
      writeLong(out, l.issuedAt().toEpochMilli());
      writeLong(out, l.expiresAt().toEpochMilli());
      write(out, l.fingerprint());
    }
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, @Nullable String s) {
    if (s == null) {
      writeLong(out, -1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeLong(out, b.length);
    out.writeBytes(b);
  }

  private static void writeLong(ByteArrayOutputStream out, long v) {
    for (int i = 7; i >= 0; i--) {
      out.write((int) (v >>> (i * 8)));
    }
  }

  private static final MessageDigest PROTOTYPE;

  static {
    try {
      PROTOTYPE = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  // cloning a digest is far cheaper than looking the algorithm up per event
  private static MessageDigest sha256() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException x) {
        throw new IllegalStateException("SHA-256 is required by the Java platform", x);
      }
    }
  }
}
