package dev.warden.scan.internal.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeywordIndexTest {
  private static final List<String> KEYWORDS =
      List.of("secret", "pass", "password", "token", "://", "sk", "AKIA", "ghp_", "a");

  /** Every occurrence, found by comparing at each position: what the automaton must report. */
  private static List<String> naive(byte[] buf, int from, int to) {
    String text = new String(buf, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    List<String> hits = new ArrayList<>();
    for (int end = from; end < to; end++) {
      for (int k = 0; k < KEYWORDS.size(); k++) {
        String kw = KEYWORDS.get(k).toLowerCase(Locale.ROOT);
        int start = end - kw.length() + 1;
        if (start >= from && text.startsWith(kw, start)) {
          hits.add(k + "@" + end);
        }
      }
    }
    return hits;
  }

  private static List<String> indexed(KeywordIndex index, byte[] buf, int from, int to) {
    List<String> hits = new ArrayList<>();
    index.scan(buf, from, to, (k, end) -> hits.add(k + "@" + end));
    return hits;
  }

  @Test
  void aLongBufferWalkedAsTwoStreamsReportsEveryHitOnceAndInOrder() {
    KeywordIndex index = new KeywordIndex(KEYWORDS);
    SplittableRandom rnd = new SplittableRandom(17);
    String alphabet = "aAkKsSpPeEcCrRtTwWoOdDnN:/_ghIi \n";
    for (int round = 0; round < 40; round++) {
      int n = KeywordIndex.SPLIT_MIN + rnd.nextInt(3 * KeywordIndex.SPLIT_MIN);
      byte[] buf = new byte[n];
      for (int i = 0; i < n; i++) {
        buf[i] = (byte) alphabet.charAt(rnd.nextInt(alphabet.length()));
      }
      int from = rnd.nextInt(64);
      int to = n - rnd.nextInt(64);
      // a keyword across the middle, where the second stream starts
      int mid = from + (to - from) / 2;
      byte[] kw = "PassWord".getBytes(StandardCharsets.ISO_8859_1);
      System.arraycopy(kw, 0, buf, mid - 1 - rnd.nextInt(kw.length - 1), kw.length);
      List<String> got = indexed(index, buf, from, to);
      assertThat(got).containsExactlyInAnyOrderElementsOf(naive(buf, from, to));
      assertThat(got.stream().mapToInt(h -> Integer.parseInt(h.substring(h.indexOf('@') + 1))))
          .as("reported in order of the keyword's last byte")
          .isSorted();
    }
  }

  @Test
  void aShortBufferIsWalkedAsOneStreamWithTheSameHits() {
    KeywordIndex index = new KeywordIndex(KEYWORDS);
    byte[] buf =
        "export API_TOKEN=x; pass=secret https://u:p@h SK AKIA"
            .getBytes(StandardCharsets.ISO_8859_1);
    assertThat(indexed(index, buf, 0, buf.length))
        .containsExactlyInAnyOrderElementsOf(naive(buf, 0, buf.length))
        .isNotEmpty();
  }
}
