package dev.warden.scan.internal.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.scan.FingerprintKey;
import dev.warden.scan.SecretFinding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Precision and recall of every rule over the generated corpus ({@link Corpus}): positives in ten
 * file types, and hard negatives. Fails below 0.95 for any rule or overall, and prints the table.
 */
class CorpusTest {
  private static final double FLOOR = 0.95;
  private static final Detector DETECTOR = new Detector(Rules.all());
  private static final FingerprintKey KEY = FingerprintKey.of(new byte[32]);
  private static final Map<String, int[]> COUNTS = new TreeMap<>(); // tp, fp, fn
  private static final List<String> ERRORS = new ArrayList<>();

  /**
   * Rules that report any random-looking value, or any value of an environment entry named like a
   * secret, whatever secret it is (every positive sample is also written as a Kubernetes env
   * entry).
   */
  private static final Set<String> CATCH_ALL =
      Set.copyOf(
          Rules.all().stream()
              .filter(r -> r.kind() == Rule.Kind.ENTROPY || r.id().equals("env-entry-secret"))
              .map(Rule::id)
              .toList());

  @BeforeAll
  static void score() {
    List<Corpus.Sample> samples = new ArrayList<>(Corpus.positives(20250101L, 3));
    samples.addAll(Corpus.negatives(777L, 12));
    ContentScanner scanner = new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, new LongAdder());
    for (Rule r : Rules.all()) {
      COUNTS.put(r.id(), new int[3]);
    }
    for (Corpus.Sample s : samples) {
      byte[] b = s.text().getBytes(StandardCharsets.UTF_8);
      List<SecretFinding> found = new ArrayList<>();
      scanner.scan(b, b.length, 0, b.length, new LineCursor(1), s.name(), found::add);
      Set<Corpus.Label> hit = new HashSet<>();
      for (SecretFinding f : found) {
        Corpus.Label l = new Corpus.Label(f.ruleId(), f.secret().reveal());
        if (s.labels().contains(l)) {
          hit.add(l);
        } else if (CATCH_ALL.contains(f.ruleId())
            && s.labels().stream().anyMatch(x -> x.value().equals(l.value()))) {
          // the catch-all found a labelled secret where the specific rule does not look (the value
          // of a
          // Kubernetes env entry named on the line before): a real secret, counted for neither rule
          continue;
        } else {
          COUNTS.get(f.ruleId())[1]++;
          if (ERRORS.size() < 60) {
            ERRORS.add(
                "FP " + f.ruleId() + " in " + s.name() + ": " + abbreviate(f.secret().reveal()));
          }
        }
      }
      for (Corpus.Label l : s.labels()) {
        if (hit.contains(l)) {
          COUNTS.get(l.ruleId())[0]++;
        } else {
          COUNTS.get(l.ruleId())[2]++;
          if (ERRORS.size() < 60) {
            ERRORS.add(
                "FN "
                    + l.ruleId()
                    + " in "
                    + s.name()
                    + ": "
                    + abbreviate(l.value())
                    + " found "
                    + found.stream()
                        .map(f -> f.ruleId() + "=" + abbreviate(f.secret().reveal()))
                        .toList());
          }
        }
      }
    }
    StringBuilder table =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%-36s %5s %5s %5s %9s %7s%n",
                "rule",
                "tp",
                "fp",
                "fn",
                "precision",
                "recall"));
    COUNTS.forEach(
        (id, c) ->
            table.append(
                String.format(
                    Locale.ROOT,
                    "%-36s %5d %5d %5d %9.3f %7.3f%n",
                    id,
                    c[0],
                    c[1],
                    c[2],
                    precision(c),
                    recall(c))));
    int[] total = total();
    table.append(
        String.format(
            Locale.ROOT,
            "%-36s %5d %5d %5d %9.3f %7.3f%n",
            "OVERALL",
            total[0],
            total[1],
            total[2],
            precision(total),
            recall(total)));
    System.out.println(table);
    ERRORS.forEach(System.out::println);
  }

  private static String abbreviate(String s) {
    String one = s.replace("\n", "\\n");
    return one.length() > 60 ? one.substring(0, 60) + "..." : one;
  }

  private static double precision(int[] c) {
    return c[0] + c[1] == 0 ? 1.0 : (double) c[0] / (c[0] + c[1]);
  }

  private static double recall(int[] c) {
    return c[0] + c[2] == 0 ? 1.0 : (double) c[0] / (c[0] + c[2]);
  }

  private static int[] total() {
    int[] t = new int[3];
    COUNTS
        .values()
        .forEach(
            c -> {
              t[0] += c[0];
              t[1] += c[1];
              t[2] += c[2];
            });
    return t;
  }

  @Test
  void negativeCorpusWhenScannedThenNoFindingAtAll() {
    ContentScanner scanner = new ContentScanner(DETECTOR, KEY, FindingFilter.NONE, new LongAdder());
    List<String> found = new ArrayList<>();
    List<Corpus.Sample> negatives = Corpus.negatives(31L, 4);
    for (Corpus.Sample s : negatives) {
      byte[] b = s.text().getBytes(StandardCharsets.UTF_8);
      scanner.scan(
          b,
          b.length,
          0,
          b.length,
          new LineCursor(1),
          s.name(),
          f -> found.add(s.name() + ": " + f.ruleId() + " " + abbreviate(f.secret().reveal())));
    }
    assertThat(negatives).hasSizeGreaterThan(100);
    assertThat(found).as("findings in files that hold no secret").isEmpty();
  }

  @Test
  void corpusWhenGeneratedThenEveryRuleHasPositiveSamples() {
    Set<String> generated = new HashSet<>(Corpus.generators().keySet());
    generated.addAll(Corpus.pathGenerators().keySet());
    assertThat(generated)
        .containsExactlyInAnyOrderElementsOf(Rules.all().stream().map(Rule::id).toList());
    assertThat(Rules.all()).hasSizeGreaterThanOrEqualTo(80);
  }

  @Test
  void everyRuleWhenScoredThenPrecisionAtLeastFloor() {
    List<String> below = new ArrayList<>();
    COUNTS.forEach(
        (id, c) -> {
          if (precision(c) < FLOOR) {
            below.add(id + " " + precision(c));
          }
        });
    assertThat(below)
        .as("rules below precision %s; first errors:%n%s", FLOOR, String.join("\n", ERRORS))
        .isEmpty();
  }

  @Test
  void everyRuleWhenScoredThenRecallAtLeastFloor() {
    List<String> below = new ArrayList<>();
    COUNTS.forEach(
        (id, c) -> {
          if (recall(c) < FLOOR) {
            below.add(id + " " + recall(c));
          }
        });
    assertThat(below)
        .as("rules below recall %s; first errors:%n%s", FLOOR, String.join("\n", ERRORS))
        .isEmpty();
  }

  @Test
  void overallWhenScoredThenPrecisionAndRecallAtLeastFloor() {
    int[] t = total();
    assertThat(precision(t)).isGreaterThanOrEqualTo(FLOOR);
    assertThat(recall(t)).isGreaterThanOrEqualTo(FLOOR);
  }
}
