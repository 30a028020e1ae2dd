package dev.warden.agent.edge.redis;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The few RESP forms the proxy writes itself: commands (arrays of bulk strings) and error replies.
 */
final class Resp {
  private Resp() {}

  static byte[] command(List<byte[]> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] a : args) {
      out.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(a);
      out.writeBytes(new byte[] {'\r', '\n'});
    }
    return out.toByteArray();
  }

  static byte[] command(String... args) {
    return command(
        java.util.Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.UTF_8)).toList());
  }

  /**
   * {@code -ERR <message>}: one line, so line breaks in the message (a server's reason) become
   * spaces.
   */
  static byte[] error(String message) {
    String line = message.replace('\r', ' ').replace('\n', ' ');
    return ("-ERR " + line + "\r\n").getBytes(StandardCharsets.UTF_8);
  }
}
