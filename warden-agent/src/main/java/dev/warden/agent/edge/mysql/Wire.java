package dev.warden.agent.edge.mysql;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * MySQL packet framing and the field encodings of the handshake. A packet is a 3-byte little-endian
 * payload length, a sequence id, the payload; during the handshake no payload the proxy reads may
 * exceed {@link #MAX_HANDSHAKE_PAYLOAD}, and none may be split (a 0xFFFFFF length).
 */
final class Wire {
  /**
   * The largest handshake or authentication payload read: connect attributes are at most 64 KiB.
   */
  static final int MAX_HANDSHAKE_PAYLOAD = 70_000;

  private Wire() {}

  /** One packet from the front of {@code buf}, or null while it is incomplete. */
  record Packet(int seq, byte[] payload) {}

  static @Nullable Packet next(ByteBuf buf) {
    if (buf.readableBytes() < 4) {
      return null;
    }
    int len = buf.getUnsignedMediumLE(buf.readerIndex());
    if (len > MAX_HANDSHAKE_PAYLOAD) {
      throw MysqlException.protocol(
          "a handshake packet of "
              + len
              + " bytes is more than the "
              + MAX_HANDSHAKE_PAYLOAD
              + " allowed (or not the MySQL protocol)");
    }
    if (buf.readableBytes() < 4 + len) {
      return null;
    }
    int seq = buf.getUnsignedByte(buf.readerIndex() + 3);
    byte[] p = new byte[len];
    buf.skipBytes(4);
    buf.readBytes(p);
    return new Packet(seq, p);
  }

  static byte[] packet(int seq, byte[] payload) {
    byte[] out = new byte[payload.length + 4];
    out[0] = (byte) payload.length;
    out[1] = (byte) (payload.length >>> 8);
    out[2] = (byte) (payload.length >>> 16);
    out[3] = (byte) seq;
    System.arraycopy(payload, 0, out, 4, payload.length);
    return out;
  }

  /**
   * ERR: 0xFF, error number, '#', SQLSTATE, message (the 4.1 form, which clients read in any
   * phase).
   */
  static byte[] err(int seq, int code, String sqlState, String message) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0xff);
    p.write(code & 0xff);
    p.write(code >>> 8);
    p.write('#');
    p.write(sqlState.getBytes(StandardCharsets.US_ASCII), 0, 5);
    p.writeBytes(message.getBytes(StandardCharsets.UTF_8));
    return packet(seq, p.toByteArray());
  }

  /**
   * Reads a payload's fields, every read bounds-checked: a short payload is a protocol error, not
   * an exception.
   */
  static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] b) {
      this.b = b;
    }

    int pos() {
      return pos;
    }

    int remaining() {
      return b.length - pos;
    }

    int u8() {
      need(1);
      return b[pos++] & 0xff;
    }

    int u16() {
      need(2);
      int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
      pos += 2;
      return v;
    }

    long u32() {
      need(4);
      long v =
          (b[pos] & 0xffL)
              | (b[pos + 1] & 0xffL) << 8
              | (b[pos + 2] & 0xffL) << 16
              | (b[pos + 3] & 0xffL) << 24;
      pos += 4;
      return v;
    }

    byte[] bytes(int n) {
      need(n);
      byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    byte[] rest() {
      return bytes(remaining());
    }

    /**
     * A NUL-terminated string; at the payload's end without a NUL, the rest (as servers send the
     * plugin name).
     */
    byte[] nul() {
      int end = pos;
      while (end < b.length && b[end] != 0) {
        end++;
      }
      byte[] out = java.util.Arrays.copyOfRange(b, pos, end);
      pos = Math.min(b.length, end + 1);
      return out;
    }

    /** A length-encoded integer; only the lengths a handshake can carry. */
    long lenenc() {
      int first = u8();
      return switch (first) {
        case 0xfc -> u16();
        case 0xfd -> {
          need(3);
          long v = (b[pos] & 0xffL) | (b[pos + 1] & 0xffL) << 8 | (b[pos + 2] & 0xffL) << 16;
          pos += 3;
          yield v;
        }
        case 0xfe -> {
          long lo = u32();
          long hi = u32();
          if (hi != 0) {
            throw MysqlException.protocol("a length-encoded integer out of range");
          }
          yield lo;
        }
        case 0xfb, 0xff ->
            throw MysqlException.protocol(
                "not a length-encoded integer: 0x" + Integer.toHexString(first));
        default -> first;
      };
    }

    byte[] lenencBytes() {
      long n = lenenc();
      if (n > remaining()) {
        throw MysqlException.protocol("a field longer than its packet");
      }
      return bytes((int) n);
    }

    private void need(int n) {
      if (n < 0 || pos + n > b.length) {
        throw MysqlException.protocol("a handshake packet ends early");
      }
    }
  }

  static void lenenc(ByteArrayOutputStream out, long v) {
    if (v < 251) {
      out.write((int) v);
    } else if (v < 1 << 16) {
      out.write(0xfc);
      out.write((int) v & 0xff);
      out.write((int) (v >>> 8) & 0xff);
    } else {
      out.write(0xfd);
      out.write((int) v & 0xff);
      out.write((int) (v >>> 8) & 0xff);
      out.write((int) (v >>> 16) & 0xff);
    }
  }

  static void u32(ByteArrayOutputStream out, long v) {
    out.write((int) v & 0xff);
    out.write((int) (v >>> 8) & 0xff);
    out.write((int) (v >>> 16) & 0xff);
    out.write((int) (v >>> 24) & 0xff);
  }

  static void nul(ByteArrayOutputStream out, byte[] s) {
    out.writeBytes(s);
    out.write(0);
  }
}
