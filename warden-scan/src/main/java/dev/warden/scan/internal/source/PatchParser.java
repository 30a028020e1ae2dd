package dev.warden.scan.internal.source;

import dev.warden.scan.SecretFinding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A streaming parser of unified-diff output as {@code git log -p -U0} and {@code git diff} print
 * it, with commit headers of the form {@code NUL sha NUL author NUL iso-date}. Added lines are fed
 * to a {@link ChunkScanner} hunk by hunk, with the new-side line number of the hunk's first added
 * line, so findings carry the line they have in the commit that added them.
 *
 * <p>Design note: the parser never holds a whole line. Hunk lines are classified by their first
 * byte and by the old/new line counts of the hunk header (so an added line that itself starts with
 * {@code "++ "} is not mistaken for a file header), and content is passed on as it arrives: a
 * single 1 GB added line costs one chunk of memory. Header lines are kept up to 8 KiB.
 */
public final class PatchParser {
  private static final int HEADER_CAP = 8192;
  private static final byte[] NL = {'\n'};

  private enum Kind {
    HEADER,
    CONTENT,
    SKIP
  }

  private final ChunkScanner chunks;
  private final ScanSink sink;
  private final Consumer<SecretFinding> out;
  private final ByteArrayOutputStream header = new ByteArrayOutputStream();

  private @Nullable String path;
  private @Nullable String commit;
  private @Nullable String author;
  private @Nullable String date;
  private boolean inHunk;
  private long oldRemaining;
  private long newRemaining;
  private long nextNewLine;
  private boolean hunkOpen;
  private boolean fileCounted;

  public PatchParser(ChunkScanner chunks, ScanSink sink, Consumer<SecretFinding> out) {
    this.chunks = chunks;
    this.sink = sink;
    this.out = out;
  }

  /**
   * Parses the whole stream.
   *
   * @throws IOException only when reading the stream fails; malformed patch text is skipped
   */
  public void parse(InputStream in) throws IOException {
    byte[] rb = new byte[1 << 16];
    boolean atLineStart = true;
    Kind kind = Kind.HEADER;
    int n;
    while ((n = in.read(rb)) >= 0) {
      int i = 0;
      while (i < n) {
        if (atLineStart) {
          kind = classify(rb[i]);
          if (kind != Kind.HEADER) {
            i++; // the diff marker is not part of the content
          }
          atLineStart = false;
          if (i >= n) {
            break;
          }
        }
        int nl = indexOf(rb, i, n);
        int end = nl < 0 ? n : nl;
        if (kind == Kind.CONTENT) {
          chunks.append(rb, i, end - i);
        } else if (kind == Kind.HEADER && header.size() < HEADER_CAP) {
          header.write(rb, i, Math.min(end - i, HEADER_CAP - header.size()));
        }
        if (nl >= 0) {
          endOfLine(kind);
          atLineStart = true;
          i = nl + 1;
        } else {
          i = n;
        }
      }
    }
    if (!atLineStart) {
      endOfLine(kind);
    }
    flushHunk();
  }

  private Kind classify(byte first) {
    if (inHunk && (oldRemaining > 0 || newRemaining > 0)) {
      switch (first) {
        case '+' -> {
          newRemaining--;
          if (!hunkOpen) {
            openHunk();
          }
          nextNewLine++;
          return Kind.CONTENT;
        }
        case '-' -> {
          oldRemaining--;
          return Kind.SKIP;
        }
        case ' ' -> {
          // a context line breaks the run of added lines: the next one starts a new block
          flushHunk();
          oldRemaining--;
          newRemaining--;
          nextNewLine++;
          return Kind.SKIP;
        }
        case '\\' -> {
          return Kind.SKIP; // "\ No newline at end of file"
        }
        default -> inHunk = false;
      }
    }
    if (first == '\\') {
      return Kind.SKIP;
    }
    return Kind.HEADER;
  }

  private void endOfLine(Kind kind) {
    if (kind == Kind.CONTENT) {
      chunks.append(NL, 0, 1);
    } else if (kind == Kind.HEADER) {
      byte[] h = header.toByteArray();
      header.reset();
      header(h);
    }
  }

  private void header(byte[] h) {
    if (h.length > 0 && h[0] == 0) {
      flushHunk();
      String[] parts = new String(h, 1, h.length - 1, StandardCharsets.UTF_8).split("\0", -1);
      commit = parts.length > 0 && !parts[0].isBlank() ? parts[0].strip() : null;
      author = parts.length > 1 ? parts[1] : null;
      date = parts.length > 2 ? parts[2].strip() : null;
      sink.commits.increment();
      return;
    }
    String line = new String(h, StandardCharsets.UTF_8);
    if (line.startsWith("diff --git ") || line.startsWith("diff --cc ")) {
      flushHunk();
      path = null;
      inHunk = false;
      fileCounted = false;
    } else if (line.startsWith("+++ ")) {
      flushHunk();
      path = newPath(line.substring(4));
    } else if (line.startsWith("@@ ")) {
      flushHunk();
      parseHunkHeader(line);
    } else if (line.startsWith("Binary files ")) {
      sink.skippedBinary.increment();
    }
  }

  private void parseHunkHeader(String line) {
    // @@ -a[,b] +c[,d] @@ ...
    inHunk = false;
    int minus = line.indexOf(" -");
    int plus = line.indexOf(" +", Math.max(minus, 0));
    if (minus < 0 || plus < 0) {
      return;
    }
    int endPlus = line.indexOf(' ', plus + 2);
    long[] old = range(line.substring(minus + 2, plus));
    long[] neu = range(line.substring(plus + 2, endPlus < 0 ? line.length() : endPlus));
    if (old == null || neu == null) {
      return;
    }
    oldRemaining = old[1];
    newRemaining = neu[1];
    nextNewLine = Math.max(1, neu[0]);
    inHunk = true;
  }

  private static long @Nullable [] range(String r) {
    try {
      int comma = r.indexOf(',');
      if (comma < 0) {
        return new long[] {Long.parseLong(r), 1};
      }
      long start = Long.parseLong(r.substring(0, comma));
      long count = Long.parseLong(r.substring(comma + 1));
      return start < 0 || count < 0 ? null : new long[] {start, count};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private void openHunk() {
    String p = path == null ? "<unknown>" : path;
    String c = commit;
    String a = author;
    String d = date;
    int line = (int) Math.min(Integer.MAX_VALUE, nextNewLine);
    chunks.begin(p, line, f -> out.accept(c == null ? f : f.inCommit(c, a, d)));
    hunkOpen = true;
    if (!fileCounted) {
      sink.files.increment();
      fileCounted = true;
    }
  }

  private void flushHunk() {
    if (hunkOpen) {
      chunks.finish();
      sink.bytes.add(chunks.scannedBytes());
      hunkOpen = false;
    }
  }

  private static int indexOf(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** The path of a {@code +++} line: {@code b/dir/file}, a C-quoted form, or {@code /dev/null}. */
  static @Nullable String newPath(String raw) {
    String p = raw;
    int tab = p.indexOf('\t');
    if (tab >= 0 && !p.startsWith("\"")) {
      p = p.substring(0, tab);
    }
    if (p.equals("/dev/null")) {
      return null;
    }
    if (p.startsWith("\"")) {
      p = unquote(p);
    }
    return p.startsWith("b/") ? p.substring(2) : p;
  }

  /** Undoes git's C-style quoting: {@code \" \\ \t \n} and octal byte escapes. */
  static String unquote(String q) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int end = q.length() > 1 && q.endsWith("\"") ? q.length() - 1 : q.length();
    for (int i = 1; i < end; i++) {
      char c = q.charAt(i);
      if (c != '\\' || i + 1 >= end) {
        byte[] enc = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        b.write(enc, 0, enc.length);
        continue;
      }
      char e = q.charAt(++i);
      switch (e) {
        case 'n' -> b.write('\n');
        case 't' -> b.write('\t');
        case 'r' -> b.write('\r');
        case 'a' -> b.write(7);
        case 'b' -> b.write('\b');
        case 'f' -> b.write('\f');
        case 'v' -> b.write(11);
        case '0', '1', '2', '3' -> {
          int v = e - '0';
          int k = 0;
          while (k < 2 && i + 1 < end && q.charAt(i + 1) >= '0' && q.charAt(i + 1) <= '7') {
            v = v * 8 + (q.charAt(++i) - '0');
            k++;
          }
          b.write(v & 0xff);
        }
        default -> {
          byte[] enc = String.valueOf(e).getBytes(StandardCharsets.UTF_8);
          b.write(enc, 0, enc.length);
        }
      }
    }
    return b.toString(StandardCharsets.UTF_8);
  }
}
