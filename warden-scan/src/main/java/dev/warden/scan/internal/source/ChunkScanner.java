package dev.warden.scan.internal.source;

import dev.warden.scan.SecretFinding;
import dev.warden.scan.internal.detect.ContentScanner;
import dev.warden.scan.internal.detect.LineCursor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Scans a stream of unknown length in fixed-size chunks. Consecutive chunks overlap: the last
 * {@link #OVERLAP} bytes of a chunk are scanned again at the start of the next one, and a finding
 * is reported by the chunk in whose "owned" part it starts, so a secret across a boundary is found
 * exactly once. {@link #OVERLAP} bounds the longest secret (a PGP key block) and the longest
 * look-back of a rule's window. Memory per thread is one chunk, whatever the input size.
 */
public final class ChunkScanner {
  public static final int DEFAULT_CHUNK = 4 << 20;
  public static final int OVERLAP = 64 << 10;

  /**
   * Look-back context kept before the overlap, for rules whose window starts before the keyword.
   */
  static final int CONTEXT = 4 << 10;

  private static final int BINARY_PROBE = 8000;

  private final ContentScanner scanner;
  private final byte[] buf;
  private int len;
  private int reportFrom;
  private boolean first;

  /** The input being scanned; null until the first {@link #begin}. */
  private @Nullable Input input;

  private long scanned;

  public ChunkScanner(ContentScanner scanner) {
    this(scanner, DEFAULT_CHUNK);
  }

  public ChunkScanner(ContentScanner scanner, int chunkSize) {
    if (chunkSize < 2 * (OVERLAP + CONTEXT)) {
      throw new IllegalArgumentException("chunk size must be at least " + 2 * (OVERLAP + CONTEXT));
    }
    this.scanner = scanner;
    this.buf = new byte[chunkSize];
  }

  /** Starts a new input whose first byte is on line {@code firstLine}. */
  public void begin(String path, int firstLine, Consumer<SecretFinding> sink) {
    this.input = new Input(new LineCursor(firstLine), path, sink);
    this.len = 0;
    this.reportFrom = 0;
    this.first = true;
    this.scanned = 0;
  }

  /** Appends bytes of the current input, scanning whenever the buffer is full. */
  public void append(byte[] src, int off, int n) {
    while (n > 0) {
      int take = Math.min(n, buf.length - len);
      System.arraycopy(src, off, buf, len, take);
      len += take;
      off += take;
      n -= take;
      if (len == buf.length) {
        scanFull();
      }
    }
  }

  /**
   * Reads a whole channel through the buffer.
   *
   * @return false if the input was binary (a NUL byte in its first 8000 bytes) and was not scanned
   */
  public boolean readFrom(ReadableByteChannel ch, boolean skipBinary) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(buf);
    while (true) {
      bb.limit(buf.length).position(len);
      int n = ch.read(bb);
      if (n < 0) {
        break;
      }
      len += n;
      if (first && skipBinary && (len >= BINARY_PROBE || n == 0) && isBinary()) {
        return false;
      }
      if (len == buf.length) {
        scanFull();
      }
    }
    if (first && skipBinary && isBinary()) {
      return false;
    }
    finish();
    return true;
  }

  /** Like {@link #readFrom(ReadableByteChannel, boolean)}, for a stream (standard input). */
  public boolean readFrom(InputStream in, boolean skipBinary) throws IOException {
    while (true) {
      int n = in.read(buf, len, buf.length - len);
      if (n < 0) {
        break;
      }
      len += n;
      if (first && skipBinary && len >= BINARY_PROBE && isBinary()) {
        return false;
      }
      if (len == buf.length) {
        scanFull();
      }
    }
    if (first && skipBinary && isBinary()) {
      return false;
    }
    finish();
    return true;
  }

  private boolean isBinary() {
    int probe = Math.min(len, BINARY_PROBE);
    for (int i = 0; i < probe; i++) {
      if (buf[i] == 0) {
        return true;
      }
    }
    return false;
  }

  /** Scans what is left of the current input. */
  public void finish() {
    if (len > reportFrom || first) {
      Input in = current();
      scanner.scan(buf, len, reportFrom, len, in.cursor, in.path, in.sink);
      scanned += len - reportFrom;
    }
    len = 0;
    reportFrom = 0;
    first = false;
  }

  /** Bytes of the current input scanned so far (each byte counted once). */
  public long scannedBytes() {
    return scanned;
  }

  private void scanFull() {
    first = false;
    int reportTo = len - OVERLAP;
    Input in = current();
    scanner.scan(buf, len, reportFrom, reportTo, in.cursor, in.path, in.sink);
    scanned += reportTo - reportFrom;
    in.cursor.advance(buf, reportTo);
    int keepFrom = reportTo - CONTEXT;
    System.arraycopy(buf, keepFrom, buf, 0, len - keepFrom);
    in.cursor.shift(keepFrom);
    len -= keepFrom;
    reportFrom = reportTo - keepFrom;
  }

  private Input current() {
    return Objects.requireNonNull(input, "begin() must come before the input is scanned");
  }

  private record Input(LineCursor cursor, String path, Consumer<SecretFinding> sink) {}
}
