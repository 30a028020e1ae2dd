package dev.warden.agent.edge.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandFilterTest {
  static final byte[] USER = "w_issued".getBytes(StandardCharsets.UTF_8);
  static final byte[] PASS = "issued-pw".getBytes(StandardCharsets.UTF_8);

  /** What the target receives for this client input, fed in pieces of {@code chunk} bytes. */
  static String through(String input, int chunk) {
    CommandFilter f = new CommandFilter();
    byte[] in = input.getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    try {
      for (int i = 0; i < in.length; i += chunk) {
        List<Object> out = new ArrayList<>();
        ByteBuf b = Unpooled.wrappedBuffer(in, i, Math.min(chunk, in.length - i));
        f.feed(b, out);
        b.release();
        for (Object o : out) {
          if (o instanceof CommandFilter.Held h) {
            sent.writeBytes(CommandFilter.rewrite(h, USER, PASS));
          } else {
            ByteBuf ob = (ByteBuf) o;
            byte[] bytes = new byte[ob.readableBytes()];
            ob.readBytes(bytes);
            ob.release();
            sent.writeBytes(bytes);
          }
        }
      }
    } finally {
      f.release();
    }
    return sent.toString(StandardCharsets.ISO_8859_1);
  }

  static String cmd(String... args) {
    return new String(Resp.command(args), StandardCharsets.ISO_8859_1);
  }

  @Test
  void ordinaryCommandsPassByteForByteHoweverTheyAreSplit() {
    String in =
        cmd("SET", "k", "a value with \r\n inside") + cmd("GET", "k") + "*0\r\n" + cmd("PING");
    for (int chunk : new int[] {1, 2, 3, 7, 1000}) {
      assertThat(through(in, chunk))
          .as("chunk " + chunk)
          .isEqualTo(cmd("SET", "k", "a value with \r\n inside") + cmd("GET", "k") + cmd("PING"));
    }
  }

  @Test
  void aLargeValueIsPassedOnAsItArrivesNotBufferedWhole() {
    CommandFilter f = new CommandFilter();
    List<Object> out = new ArrayList<>();
    f.feed(
        Unpooled.copiedBuffer(
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\nabc", StandardCharsets.US_ASCII),
        out);
    int bytes = out.stream().mapToInt(o -> ((ByteBuf) o).readableBytes()).sum();
    assertThat(bytes)
        .as("everything up to and with the value's first bytes")
        .isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\nabc".length());
    assertThat(f.partSent()).isTrue();
    out.forEach(o -> ((ByteBuf) o).release());
    f.release();
  }

  @Test
  void authInAnyFormIsSentWithTheIssuedUserAndNeverTheClientsPassword() {
    assertThat(through(cmd("AUTH", "client-pw"), 1))
        .isEqualTo(cmd("AUTH", "w_issued", "issued-pw"));
    assertThat(through(cmd("auth", "default", "client-pw"), 4))
        .isEqualTo(cmd("auth", "w_issued", "issued-pw"));
    assertThat(through(cmd("AUTH", "a", "b", "client-pw"), 100)).isEqualTo(cmd("AUTH"));
    assertThat(through(cmd("HELLO", "3", "AUTH", "u", "client-pw", "SETNAME", "app"), 3))
        .isEqualTo(cmd("HELLO", "3", "AUTH", "w_issued", "issued-pw", "SETNAME", "app"));
    assertThat(through(cmd("HELLO", "3"), 3)).isEqualTo(cmd("HELLO", "3"));
    assertThat(through(cmd("HELLO"), 3)).isEqualTo(cmd("HELLO"));
    // forms Redis rejects are still rejected there, without the client's words
    assertThat(through(cmd("HELLO", "AUTH", "u", "client-pw"), 3)).isEqualTo(cmd("HELLO", "x"));
    assertThat(through(cmd("HELLO", "3", "AUTH", "client-pw"), 3))
        .isEqualTo(cmd("HELLO", "3", "AUTH"));
    assertThat(through(cmd("HELLO", "3", "FOO", "client-pw"), 3))
        .isEqualTo(cmd("HELLO", "3", "AUTH"));
  }

  @Test
  void resetInlineCommandsAndMalformedCountsAreRefused() {
    assertThatThrownBy(() -> through(cmd("reset"), 2))
        .isInstanceOf(RespException.class)
        .hasMessageContaining("RESET");
    assertThatThrownBy(() -> through("PING\r\n", 100)).hasMessageContaining("not inline");
    assertThatThrownBy(() -> through("*01\r\n", 100))
        .hasMessageContaining("invalid multibulk length");
    assertThatThrownBy(() -> through("*3000000000\r\n", 100))
        .hasMessageContaining("invalid multibulk length");
    assertThatThrownBy(() -> through("*1\r\n$-1\r\n", 100))
        .hasMessageContaining("invalid bulk length");
    assertThatThrownBy(() -> through("*1\r\n$600000000\r\n", 100))
        .hasMessageContaining("invalid bulk length");
    assertThatThrownBy(() -> through("*1\r\n+PING\r\n", 100)).hasMessageContaining("expected '$'");
    assertThatThrownBy(() -> through("*1\rX", 100)).hasMessageContaining("CR LF");
    assertThatThrownBy(() -> through("*1111111111111111111111111", 100))
        .hasMessageContaining("too big mbulk");
    assertThatThrownBy(() -> through("*2\r\n$4\r\nAUTH\r\n$70000\r\n" + "x".repeat(70_002), 1000))
        .hasMessageContaining("longer than");
  }

  @Test
  void aBulksTrailingTwoBytesAreSkippedUnreadAsRedisDoes() {
    // Redis does not check them; reading them differently would frame the next command differently
    assertThat(through("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", 1))
        .isEqualTo("*1\r\n$4\r\nPINGxx" + cmd("PING"));
  }
}
