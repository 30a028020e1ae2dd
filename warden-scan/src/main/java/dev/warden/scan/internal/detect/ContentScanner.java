package dev.warden.scan.internal.detect;

import dev.warden.scan.FingerprintKey;
import dev.warden.scan.FoundSecret;
import dev.warden.scan.SecretFinding;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Turns the detector's candidates in one buffer into located, fingerprinted {@link SecretFinding}s,
 * honouring {@code warden:ignore} comments and the config's allowlists. One per thread.
 */
public final class ContentScanner {
  /** The inline marker that suppresses every finding on its line. */
  public static final String IGNORE_MARKER = "warden:ignore";

  private static final byte[] IGNORE = IGNORE_MARKER.getBytes(StandardCharsets.US_ASCII);
  private static final int LINE_LOOK = 4096;

  private final Detector.Session session;
  private final FingerprintKey key;
  private final FindingFilter filter;
  private final LongAdder suppressed;

  /** What the path of the last scan said, kept while the same file's chunks follow. */
  private String lastPath = "";

  private boolean sweep = HighEntropy.sweeps("");
  private CredentialFile file = CredentialFile.NONE;

  /** A scanner whose suppressed findings are counted in {@code suppressed}. */
  public ContentScanner(
      Detector detector, FingerprintKey key, FindingFilter filter, LongAdder suppressed) {
    this.session = detector.newSession();
    this.key = key;
    this.filter = filter;
    this.suppressed = suppressed;
  }

  /**
   * Scans {@code buf[0, len)}, reporting candidates that start in {@code [reportFrom, reportTo)}.
   * The cursor must be at or before {@code reportFrom}; it is left at the last reported finding.
   */
  public void scan(
      byte[] buf,
      int len,
      int reportFrom,
      int reportTo,
      LineCursor cursor,
      String path,
      Consumer<SecretFinding> sink) {
    if (!path.equals(lastPath)) {
      // once per file: every chunk of a file (and every block of a patch) has the same path
      lastPath = path;
      sweep = HighEntropy.sweeps(path);
      file = CredentialFile.of(path);
    }
    // the line the buffer starts at: a patch's block starts anywhere; a later chunk mid-file
    int firstLine = cursor.position() == 0 ? cursor.line() : 0;
    List<Candidate> candidates = session.scan(buf, 0, len, sweep, file, firstLine);
    for (Candidate c : candidates) {
      if (c.start() < reportFrom || c.start() >= reportTo) {
        continue;
      }
      if (lineHasIgnoreMarker(buf, len, c.start())
          || filter.suppressed(c.rule().id, path, c.value())) {
        suppressed.increment();
        continue;
      }
      cursor.advance(buf, c.start());
      byte[] raw = new byte[c.end() - c.start()];
      System.arraycopy(buf, c.start(), raw, 0, raw.length);
      sink.accept(
          new SecretFinding(
              c.rule().id,
              c.rule().description,
              c.rule().severity,
              c.confidence(),
              path,
              cursor.line(),
              cursor.column(),
              FoundSecret.of(c.value()),
              key.fingerprint(raw),
              Math.round(c.entropy() * 1000) / 1000.0,
              null,
              null,
              null));
    }
  }

  static boolean lineHasIgnoreMarker(byte[] buf, int len, int at) {
    int start = at;
    int floor = Math.max(0, at - LINE_LOOK);
    while (start > floor && buf[start - 1] != '\n') {
      start--;
    }
    int end = at;
    int ceil = Math.min(len, at + LINE_LOOK);
    while (end < ceil && buf[end] != '\n') {
      end++;
    }
    outer:
    for (int i = start; i + IGNORE.length <= end; i++) {
      for (int j = 0; j < IGNORE.length; j++) {
        if (buf[i + j] != IGNORE[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
