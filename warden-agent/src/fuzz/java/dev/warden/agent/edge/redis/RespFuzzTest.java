package dev.warden.agent.edge.redis;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz target for the Redis proxy's command framing, the only parser of what a local client sends
 * before and after the agent's login. The acceptable outcomes are a {@link RespException} (the
 * client's {@code -ERR}) or output; and the output must not depend on how the bytes were split into
 * reads, or the target could be handed a command the proxy framed differently. Seeds replay with
 * every build; {@code JAZZER_FUZZ=1 ./mvnw test -pl warden-agent -Dtest=RespFuzzTest} fuzzes.
 */
class RespFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void framingDoesNotDependOnHowTheStreamIsSplit(FuzzedDataProvider data) {
    int chunk = data.consumeInt(1, 64);
    byte[] input = data.consumeRemainingAsBytes();
    String whole = sent(input, input.length + 1);
    String pieces = sent(input, chunk);
    if (!whole.equals(pieces)) {
      throw new AssertionError("framed differently when split in " + chunk + "-byte reads");
    }
  }

  /**
   * What reaches the target (with rewritten commands), then "!" and the refusal if there was one.
   */
  static String sent(byte[] in, int chunk) {
    CommandFilter f = new CommandFilter();
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    try {
      for (int i = 0; i < in.length; i += chunk) {
        List<Object> out = new ArrayList<>();
        ByteBuf b =
            Unpooled.wrappedBuffer(Arrays.copyOfRange(in, i, Math.min(in.length, i + chunk)));
        try {
          f.feed(b, out);
        } finally {
          b.release();
          drain(out, sent);
        }
      }
      return sent.toString(StandardCharsets.ISO_8859_1);
    } catch (RespException e) {
      return sent.toString(StandardCharsets.ISO_8859_1) + "!" + e.getMessage();
    } finally {
      f.release();
    }
  }

  private static void drain(List<Object> out, ByteArrayOutputStream sent) {
    for (Object o : out) {
      if (o instanceof CommandFilter.Held h) {
        sent.writeBytes(
            CommandFilter.rewrite(
                h,
                "u".getBytes(StandardCharsets.US_ASCII),
                "p".getBytes(StandardCharsets.US_ASCII)));
      } else {
        ByteBuf b = (ByteBuf) o;
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        sent.writeBytes(bytes);
      }
    }
  }
}
