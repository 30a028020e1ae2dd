package dev.warden.core.audit;

import dev.warden.core.model.Lease;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
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
    Canonical c = canonical(seq, event);
    sha.update(c.buf, 0, c.len);
    return sha.digest();
  }

  /** True if the record's hash is right for its own content and the given previous hash. */
  public static boolean verifies(byte[] prevHash, AuditRecord r) {
    return MessageDigest.isEqual(prevHash, r.prevHash())
        && MessageDigest.isEqual(link(prevHash, r.seq(), r.event()), r.hash());
  }

  static Canonical canonical(long seq, AuditEvent e) {
    Canonical out = new Canonical();
    out.writeLong(seq);
    out.write(e.id());
    // microseconds: what both H2 and PostgreSQL keep, so a stored event re-hashes identically
    out.writeLong(e.time().getEpochSecond() * 1_000_000L + e.time().getNano() / 1_000);
    out.write(e.type());
    out.write(e.outcome());
    out.write(e.reason());
    out.write(e.actor());
    out.write(e.workload());
    out.write(e.resource());
    out.writeLong(e.details().size());
    for (Map.Entry<String, String> d : e.details().entrySet()) {
      out.write(d.getKey());
      out.write(d.getValue());
    }
    Lease l = e.lease();
    if (l == null) {
      out.writeLong(0);
    } else {
      out.writeLong(1);
      out.write(l.id());
      out.write(l.kind().wire());
      out.write(l.workload());
      out.write(l.resource());
      out.writeLong(l.issuedAt().toEpochMilli());
      out.writeLong(l.expiresAt().toEpochMilli());
      out.write(l.fingerprint());
    }
    return out;
  }

  /**
   * The canonical form's bytes: big-endian longs, and each text as its UTF-8 length then its bytes
   * (-1 for null). Written straight into an array: every event is hashed when it is appended (under
   * the chain head's lock) and again by every verification, and a {@code ByteArrayOutputStream}
   * took a synchronized call per byte of each length.
   */
  private static final class Canonical {
    private byte[] buf = new byte[512];
    private int len;

    void writeLong(long v) {
      ensure(8);
      for (int i = 7; i >= 0; i--) {
        buf[len++] = (byte) (v >>> (i * 8));
      }
    }

    void write(@Nullable String s) {
      if (s == null) {
        writeLong(-1);
        return;
      }
      int n = s.length();
      boolean ascii = true;
      for (int i = 0; i < n && ascii; i++) {
        ascii = s.charAt(i) < 0x80;
      }
      if (!ascii) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeLong(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return;
      }
      // ASCII: one byte per char, the same bytes UTF-8 gives
      writeLong(n);
      ensure(n);
      for (int i = 0; i < n; i++) {
        buf[len++] = (byte) s.charAt(i);
      }
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
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
