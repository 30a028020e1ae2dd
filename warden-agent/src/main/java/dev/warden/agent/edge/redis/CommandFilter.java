package dev.warden.agent.edge.redis;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Frames the client's command stream exactly as Redis does (arrays of bulk strings, the same number
 * grammar, a bulk's two trailing bytes skipped unread) so that every command the target will run
 * passes through here whole, and holds back the few that carry or drop a login:
 *
 * <ul>
 *   <li>{@code AUTH} and {@code HELLO ... AUTH} are emitted as {@link Held}, for the caller to send
 *       with the issued user instead of whatever the client said ({@link #rewrite}): the client's
 *       own credential never reaches the target, and the reply comes back in order;
 *   <li>{@code RESET} would log the connection out to Redis's default user, which the workload was
 *       not given: refused;
 *   <li>inline commands (a line of words, not an array) are refused: clients send arrays, and a
 *       second parser for a form nobody uses is a second place to disagree with the target.
 * </ul>
 *
 * Everything else is passed through as it arrives, a large value in pieces, never buffered whole.
 * Where the grammar is stricter than Redis's (a count line must end in CR LF), the stream is
 * refused rather than read differently.
 */
final class CommandFilter {
  /** A count line ({@code *<n>} or {@code $<n>}, CR LF): at most a sign and 19 digits. */
  static final int MAX_COUNT_LINE = 24;

  /** Redis's default {@code proto-max-bulk-len}. */
  static final long MAX_BULK = 512L << 20;

  /** Longer names are no command held here, so they are not read whole. */
  static final int MAX_HELD_NAME = 16;

  /** An AUTH or HELLO whole: names and passwords, far below this. */
  static final int MAX_HELD = 64 << 10;

  /** A command held back whole, to be rewritten with the issued credential. */
  record Held(List<byte[]> args) {}

  private enum State {
    ARRAY,
    ELEMENT,
    NAME,
    HELD_BODY,
    STREAM_BODY
  }

  private final ByteBuf acc = Unpooled.buffer(0);
  private State state = State.ARRAY;
  private long argsLeft;
  private long bodyLeft;
  private boolean name;
  // the current command's array and first element lines, kept until its name is read
  private byte[] arrayLine = new byte[0];
  private byte[] elementLine = new byte[0];

  /** The command held back whole (its name, then its arguments); null when none is. */
  private @Nullable List<byte[]> held;

  private int heldBytes;
  private long commands;

  /**
   * Part of the current command was passed on: cut off here, the target would read on into what
   * follows.
   */
  private boolean partSent;

  /**
   * Reads what the client sent; appends to {@code out} what to send the target: {@link ByteBuf}s
   * (the caller releases them) and {@link Held} commands.
   *
   * @throws RespException when the stream is not one the proxy can follow, or asks for RESET
   */
  void feed(ByteBuf in, List<Object> out) {
    ByteBuf src;
    if (acc.isReadable()) {
      acc.writeBytes(in);
      src = acc;
    } else {
      src = in;
    }
    while (step(src, out)) {
      // each step consumed something
    }
    if (src == in && in.isReadable()) {
      acc.writeBytes(in);
    }
    acc.discardSomeReadBytes();
  }

  /**
   * Whether the stream stopped inside a command part of which was already passed on (after a {@link
   * RespException}): then nothing may follow it to the target, not even a QUIT.
   */
  boolean partSent() {
    return partSent;
  }

  /** The bytes a held command stands for, to count against a buffer limit. */
  static long size(Object o) {
    if (o instanceof Held h) {
      return h.args().stream().mapToLong(a -> a.length + 16L).sum();
    }
    return ((ByteBuf) o).readableBytes();
  }

  /** Commands completely seen so far. */
  long commands() {
    return commands;
  }

  void release() {
    acc.release();
  }

  private boolean step(ByteBuf src, List<Object> out) {
    switch (state) {
      case ARRAY -> {
        if (!src.isReadable()) {
          return false;
        }
        if (src.getByte(src.readerIndex()) != '*') {
          throw new RespException(
              "Protocol error: the Warden proxy takes commands as RESP arrays, not inline");
        }
        byte[] line = line(src, '*');
        if (line == null) {
          return false;
        }
        long n = number(line, "multibulk length");
        if (n > Integer.MAX_VALUE) {
          throw new RespException("Protocol error: invalid multibulk length");
        }
        if (n <= 0) {
          commands++; // Redis ignores an empty array; so does the target not see it
          return true;
        }
        argsLeft = n;
        arrayLine = line;
        name = true;
        state = State.ELEMENT;
        return true;
      }
      case ELEMENT -> {
        if (!src.isReadable()) {
          return false;
        }
        if (src.getByte(src.readerIndex()) != '$') {
          throw new RespException(
              "Protocol error: expected '$', got '"
                  + (char) (src.getByte(src.readerIndex()) & 0xff)
                  + "'");
        }
        byte[] line = line(src, '$');
        if (line == null) {
          return false;
        }
        long len = number(line, "bulk length");
        if (len < 0 || len > MAX_BULK) {
          throw new RespException("Protocol error: invalid bulk length");
        }
        bodyLeft = len + 2;
        if (name && len <= MAX_HELD_NAME) {
          elementLine = line;
          state = State.NAME;
        } else if (held != null) {
          heldBytes += (int) Math.min(len, MAX_HELD + 1);
          if (heldBytes > MAX_HELD) {
            throw new RespException(
                "Protocol error: "
                    + new String(held.getFirst(), StandardCharsets.UTF_8)
                    + " longer than "
                    + MAX_HELD
                    + " bytes");
          }
          state = State.HELD_BODY;
        } else {
          if (name) {
            out.add(Unpooled.wrappedBuffer(arrayLine));
            name = false;
          }
          partSent = true;
          out.add(Unpooled.wrappedBuffer(line));
          state = State.STREAM_BODY;
        }
        return true;
      }
      case NAME -> {
        if (src.readableBytes() < bodyLeft) {
          return false;
        }
        byte[] raw = new byte[(int) bodyLeft];
        src.readBytes(raw);
        name = false;
        argsLeft--;
        String cmd =
            new String(raw, 0, raw.length - 2, StandardCharsets.ISO_8859_1)
                .toUpperCase(Locale.ROOT);
        switch (cmd) {
          case "AUTH", "HELLO" -> {
            List<byte[]> h = new ArrayList<>();
            h.add(java.util.Arrays.copyOf(raw, raw.length - 2));
            held = h;
            heldBytes = raw.length;
            return endElement(out);
          }
          case "RESET" ->
              throw new RespException(
                  "RESET would log this connection out of the user Warden issued "
                      + "to the workload; reconnect instead");
          default -> {
            out.add(Unpooled.wrappedBuffer(arrayLine, elementLine, raw));
            partSent = true;
            return endElement(out);
          }
        }
      }
      case HELD_BODY -> {
        if (src.readableBytes() < bodyLeft) {
          return false;
        }
        byte[] arg = new byte[(int) bodyLeft - 2];
        src.readBytes(arg);
        src.skipBytes(2);
        // ELEMENT goes to HELD_BODY only while a command is held
        Objects.requireNonNull(held, "a held command's argument").add(arg);
        argsLeft--;
        return endElement(out);
      }
      case STREAM_BODY -> {
        int n = (int) Math.min(bodyLeft, src.readableBytes());
        if (n == 0) {
          return false;
        }
        // a slice of the caller's buffer costs nothing; bytes in our own buffer must be copied out
        out.add(src == acc ? src.readBytes(n) : src.readRetainedSlice(n));
        bodyLeft -= n;
        if (bodyLeft > 0) {
          return false;
        }
        argsLeft--;
        return endElement(out);
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private boolean endElement(List<Object> out) {
    if (argsLeft > 0) {
      state = State.ELEMENT;
      return true;
    }
    if (held != null) {
      out.add(new Held(held));
      held = null;
    }
    commands++;
    partSent = false;
    state = State.ARRAY;
    return true;
  }

  /** A count line with its CR LF, or null while incomplete. */
  private static byte @Nullable [] line(ByteBuf src, char type) {
    int limit = Math.min(src.readableBytes(), MAX_COUNT_LINE);
    int cr = -1;
    for (int i = 1; i < limit; i++) {
      if (src.getByte(src.readerIndex() + i) == '\r') {
        cr = i;
        break;
      }
    }
    if (cr < 0) {
      if (src.readableBytes() >= MAX_COUNT_LINE) {
        throw new RespException(
            "Protocol error: too big " + (type == '*' ? "mbulk" : "bulk") + " count string");
      }
      return null;
    }
    if (src.readableBytes() < cr + 2) {
      return null;
    }
    if (src.getByte(src.readerIndex() + cr + 1) != '\n') {
      throw new RespException("Protocol error: a count line must end in CR LF");
    }
    byte[] line = new byte[cr + 2];
    src.readBytes(line);
    return line;
  }

  /**
   * Redis's {@code string2ll}: {@code 0}, or an optional minus and digits without a leading zero.
   */
  static long number(byte[] line, String what) {
    int end = line.length - 2;
    int i = 1;
    boolean negative = false;
    if (end - i == 1 && line[i] == '0') {
      return 0;
    }
    if (i < end && line[i] == '-') {
      negative = true;
      i++;
    }
    if (i >= end || line[i] < '1' || line[i] > '9' || end - i > 19) {
      throw new RespException("Protocol error: invalid " + what);
    }
    long v = 0;
    for (; i < end; i++) {
      int d = line[i] - '0';
      if (d < 0 || d > 9 || v > (Long.MAX_VALUE - d) / 10) {
        throw new RespException("Protocol error: invalid " + what);
      }
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }

  /**
   * The command to send in place of a held one: {@code AUTH} with the issued user and password
   * whatever the client gave; {@code HELLO} with its AUTH pair replaced the same way. A form Redis
   * would reject anyway is sent so that Redis rejects it, with none of the client's arguments.
   */
  static byte[] rewrite(Held h, byte[] user, byte[] password) {
    List<byte[]> a = h.args();
    String cmd = new String(a.getFirst(), StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    if (cmd.equals("AUTH")) {
      return a.size() == 2 || a.size() == 3
          ? Resp.command(List.of(a.getFirst(), user, password))
          : Resp.command(List.of(a.getFirst())); // wrong number of arguments, as the client asked
    }
    List<byte[]> out = new ArrayList<>();
    out.add(a.getFirst());
    if (a.size() == 1) {
      return Resp.command(out);
    }
    if (!isProtover(a.get(1))) {
      out.add(new byte[] {'x'}); // "Protocol version is not an integer or out of range"
      return Resp.command(out);
    }
    out.add(a.get(1));
    for (int i = 2; i < a.size(); ) {
      String opt = new String(a.get(i), StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
      if (opt.equals("AUTH") && i + 2 < a.size()) {
        out.add(a.get(i));
        out.add(user);
        out.add(password);
        i += 3;
      } else if (opt.equals("SETNAME") && i + 1 < a.size()) {
        out.add(a.get(i));
        out.add(a.get(i + 1));
        i += 2;
      } else {
        // a syntax error at Redis; what follows could be the client's password, so it is not sent
        out.add("AUTH".getBytes(StandardCharsets.US_ASCII));
        break;
      }
    }
    return Resp.command(out);
  }

  private static boolean isProtover(byte[] b) {
    if (b.length == 0 || b.length > 3) {
      return false;
    }
    for (byte c : b) {
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
