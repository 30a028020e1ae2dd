package dev.warden.core.trust;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Remembers tokens that verified, so the same token presented again (a Kubernetes pod reuses its
 * projected token for up to an hour) skips parsing and the signature check.
 *
 * <p><b>Why it is safe.</b> The key is the SHA-256 of the exact token text: a hit means these very
 * bytes were fully verified before (finding another text with the same digest is infeasible), and
 * only successful verifications are stored, so the cache can never turn a denial into an
 * acceptance. What a verification depends on besides the bytes is re-checked on every hit: the
 * provider must still be the same compiled object in the current snapshot (any configuration change
 * makes a new one), the key that verified must still be in the provider's current JWKS (a withdrawn
 * key stops its tokens at once), and all time rules ({@code exp}, {@code nbf}, maximum age, with
 * skew) are evaluated again against the clock. Tokens are stored by digest, not in clear, so a heap
 * dump does not hand out bearer tokens.
 *
 * <p><b>Bound.</b> Two generations of at most {@code capacity / 2} entries each (a little more
 * under concurrent inserts): when the current generation is full it becomes the old one and the
 * previous old one is dropped whole; a hit in the old generation moves the entry forward. So the
 * cache holds at most about {@code capacity} entries, the least recently used go first, and an
 * expired entry is dropped when met (or with its generation). Each entry is the identity already
 * returned to the caller plus a few references.
 */
final class VerifiedTokenCache {
  /** 32 bytes of SHA-256 as four longs: cheap equals and hashCode. */
  record Digest(long a, long b, long c, long d) {
    static Digest of(String token) {
      MessageDigest md;
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from the JDK", e);
      }
      // UTF-8, which is injective: the token is looked up before its alphabet is checked
      ByteBuffer h = ByteBuffer.wrap(md.digest(token.getBytes(StandardCharsets.UTF_8)));
      return new Digest(h.getLong(), h.getLong(), h.getLong(), h.getLong());
    }
  }

  record Entry(CompiledProvider provider, CompiledProvider.Verified verified) {}

  private final int generationSize;
  private final ReentrantLock rotation = new ReentrantLock();
  private volatile ConcurrentHashMap<Digest, Entry> current = new ConcurrentHashMap<>();
  private volatile ConcurrentHashMap<Digest, Entry> previous = new ConcurrentHashMap<>();

  VerifiedTokenCache(int capacity) {
    this.generationSize = Math.max(1, capacity / 2);
  }

  Entry get(Digest d) {
    Entry e = current.get(d);
    if (e == null) {
      e = previous.get(d);
      if (e != null) {
        put(d, e);
      }
    }
    return e;
  }

  void put(Digest d, Entry e) {
    ConcurrentHashMap<Digest, Entry> cur = current;
    if (cur.size() >= generationSize) {
      rotation.lock();
      try {
        if (current == cur) {
          previous = cur;
          current = new ConcurrentHashMap<>();
        }
      } finally {
        rotation.unlock();
      }
    }
    current.put(d, e);
  }

  void remove(Digest d) {
    current.remove(d);
    previous.remove(d);
  }

  int size() {
    return current.size() + previous.size();
  }
}
