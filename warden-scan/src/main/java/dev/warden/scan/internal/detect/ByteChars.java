package dev.warden.scan.internal.detect;

/**
 * A {@link CharSequence} view of a byte array, one char per byte (ISO-8859-1), so regular
 * expressions can run over file bytes without decoding or copying them. Every secret format is
 * ASCII; UTF-8 sequences appear as chars 0x80-0xFF that no token character class accepts.
 */
final class ByteChars implements CharSequence {
  private byte[] buf = new byte[0];
  private int offset;
  private int length;

  void reset(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.offset = offset;
    this.length = length;
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public char charAt(int index) {
    return (char) (buf[offset + index] & 0xff);
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return toString(start, end);
  }

  String toString(int start, int end) {
    return new String(
        buf, offset + start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return toString(0, length);
  }
}
