package dev.warden.scan.internal.detect;

/**
 * Tracks the line and column of a position in a buffer as scanning moves forward, so line numbers
 * are only computed up to the places where something was found. Columns count UTF-8 code points
 * (continuation bytes do not advance the column).
 */
public final class LineCursor {
  private int pos;
  private int line;
  private int column = 1;

  public LineCursor(int firstLine) {
    this.line = firstLine;
  }

  /** Moves to {@code to}, counting the bytes of {@code buf} between the current position and it. */
  public void advance(byte[] buf, int to) {
    int l = line;
    int c = column;
    for (int i = pos; i < to; i++) {
      byte b = buf[i];
      if (b == '\n') {
        l++;
        c = 1;
      } else if ((b & 0xC0) != 0x80) {
        c++;
      }
    }
    if (to > pos) {
      pos = to;
    }
    line = l;
    column = c;
  }

  /** The buffer's contents moved {@code by} bytes towards its start. */
  public void shift(int by) {
    pos -= by;
  }

  public int position() {
    return pos;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }
}
