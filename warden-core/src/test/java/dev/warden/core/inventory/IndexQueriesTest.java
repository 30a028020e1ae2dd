package dev.warden.core.inventory;

import static dev.warden.core.inventory.IndexFixtures.ALL;
import static dev.warden.core.inventory.IndexFixtures.THRESHOLDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pages of findings and items read from one state agree with filtering every finding and item by
 * hand.
 */
class IndexQueriesTest {
  static IndexState state;
  static List<Finding> all;
  static List<InventoryItem> items;

  @BeforeAll
  static void load() {
    var clock = IndexFixtures.clock();
    state =
        IndexState.load(
            IndexFixtures.estate(clock), IndexFixtures.estate(clock), clock, THRESHOLDS);
    all = Posture.evaluate(IndexFixtures.estate(clock).facts(), THRESHOLDS);
    items =
        Inventory.build(IndexFixtures.estate(clock).facts()).stream()
            .sorted(Comparator.comparing(InventoryItem::id))
            .toList();
    assertThat(all)
        .as("the estate has findings of several severities")
        .extracting(Finding::severity)
        .contains(
            Finding.Severity.CRITICAL,
            Finding.Severity.HIGH,
            Finding.Severity.MEDIUM,
            Finding.Severity.LOW);
  }

  @Test
  void everyFindingInPostureOrderWithCountsBySeverityAndOwasp() {
    PostureIndex.FindingsPage p = IndexQueries.findings(state, null, null, 0, Integer.MAX_VALUE);
    assertThat(p.findings()).containsExactlyElementsOf(all);
    assertThat(p.total()).isEqualTo(all.size());
    assertThat(p.bySeverity()).isEqualTo(count(all, f -> f.severity().wire()));
    assertThat(p.byOwasp()).isEqualTo(count(all, Finding::owasp));
    assertThat(p.evaluatedAt()).isEqualTo(IndexFixtures.START);
  }

  @Test
  void everyOffsetAndLimitIsASliceOfTheWholeWithTheSameCounts() {
    for (int offset = 0; offset <= all.size() + 1; offset++) {
      for (int limit = 1; limit <= 3; limit++) {
        PostureIndex.FindingsPage p = IndexQueries.findings(state, null, null, offset, limit);
        assertThat(p.findings())
            .as("offset %d limit %d", offset, limit)
            .isEqualTo(
                all.subList(Math.min(offset, all.size()), Math.min(offset + limit, all.size())));
        assertThat(p.total()).isEqualTo(all.size());
      }
    }
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "-",
      value = {
        "high,-",
        "critical,-",
        "low,-",
        "-,nhi9",
        "-,NHI7",
        "-,reuse.shared-fingerprint",
        "medium,NHI7",
        "-,REUSE.SHARED-FINGERPRINT",
        "nope,-"
      })
  void aSeverityOrRuleFilterCountsAndPagesOnlyWhatMatches(String severity, String rule) {
    List<Finding> match =
        all.stream()
            .filter(
                f ->
                    (severity == null || f.severity().wire().equals(severity))
                        && (rule == null
                            || f.ruleId().equals(rule)
                            || f.owasp().equalsIgnoreCase(rule)))
            .toList();
    PostureIndex.FindingsPage p = IndexQueries.findings(state, severity, rule, 1, 2);
    assertThat(p.total()).isEqualTo(match.size());
    assertThat(p.findings())
        .isEqualTo(match.subList(Math.min(1, match.size()), Math.min(3, match.size())));
    assertThat(p.bySeverity()).isEqualTo(count(match, f -> f.severity().wire()));
  }

  @Test
  void itemsArePagedByCursorInIdOrderAcrossWardenAndImportedItems() {
    assertThat(IndexFixtures.items(state)).containsExactlyElementsOf(items);
    List<InventoryItem> walked = new ArrayList<>();
    String cursor = null;
    do {
      PostureIndex.ItemsPage p = IndexQueries.items(state, ALL, cursor, 2);
      assertThat(p.items()).hasSizeBetween(1, 2);
      walked.addAll(p.items());
      cursor = p.next();
    } while (cursor != null);
    assertThat(walked).containsExactlyElementsOf(items);
    assertThat(IndexQueries.items(state, ALL, items.getLast().id(), 5).items()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "-",
      value = {
        "-,a@acme.test,-,-",
        "api-key,-,-,-",
        "-,-,-,prod",
        "api-key,b@acme.test,-,-",
        "-,-,team-a,-",
        "workload,-,-,-",
        "-,nobody,-,-"
      })
  void aFilteredListingIsTheFilteredWholeHoweverItIsWalked(
      String kind, String owner, String team, String env) {
    Inventory.Filter f = new Inventory.Filter(kind, owner, team, env, null);
    List<InventoryItem> expected = items.stream().filter(f::test).toList();
    assertThat(IndexQueries.items(state, f, null, Integer.MAX_VALUE).items())
        .containsExactlyElementsOf(expected);
    if (expected.size() > 1) {
      PostureIndex.ItemsPage first = IndexQueries.items(state, f, null, 1);
      assertThat(first.next()).isEqualTo(expected.getFirst().id());
      assertThat(IndexQueries.items(state, f, first.next(), Integer.MAX_VALUE).items())
          .containsExactlyElementsOf(expected.subList(1, expected.size()));
    }
  }

  @Test
  void oneItemByIdWhicheverSideHoldsIt() {
    for (InventoryItem i : items) {
      assertThat(IndexQueries.item(state, i.id())).contains(i);
    }
    assertThat(IndexQueries.item(state, "imp-000000000000000000000000")).isEmpty();
  }

  @Test
  void mergingTwoOrderedIteratorsKeepsTheOrderAndEveryElement() {
    Iterator<Integer> m =
        IndexQueries.merge(
            List.of(1, 3, 3, 8).iterator(),
            List.of(2, 3, 9, 10).iterator(),
            Comparator.naturalOrder());
    List<Integer> out = new ArrayList<>();
    m.forEachRemaining(out::add);
    assertThat(out).containsExactly(1, 2, 3, 3, 3, 8, 9, 10);
    assertThat(
            IndexQueries.merge(
                    List.<Integer>of().iterator(),
                    List.<Integer>of().iterator(),
                    Comparator.naturalOrder())
                .hasNext())
        .isFalse();
  }

  static Map<String, Integer> count(
      List<Finding> fs, java.util.function.Function<Finding, String> key) {
    Map<String, Integer> out = new TreeMap<>();
    fs.forEach(f -> out.merge(key.apply(f), 1, Integer::sum));
    return out;
  }

  @Test
  void theBlastRadiusOfEveryItemFromTheFactsAroundItEqualsTheOneFromEverything() {
    var clock = IndexFixtures.clock();
    FakeInventory estate =
        IndexFixtures.estate(clock)
            .importItems(
                new ImportedNhi(
                    "csv:keys",
                    "api-key",
                    "HELD_BY_W1",
                    "b@acme.test",
                    null,
                    "prod",
                    null,
                    IndexFixtures.fp('5'),
                    IndexFixtures.START,
                    null,
                    null,
                    null,
                    Map.of("workload", "spiffe://acme.test/ci/w1", "resources", "cache")),
                new ImportedNhi(
                    "csv:keys",
                    "api-key",
                    "HELD_BY_NOBODY",
                    null,
                    null,
                    "prod",
                    null,
                    IndexFixtures.fp('6'),
                    IndexFixtures.START,
                    null,
                    null,
                    null,
                    Map.of("resources", "ledger")));
    IndexState s = IndexState.load(estate, estate, clock, THRESHOLDS);
    InventoryFacts everything = estate.facts();
    List<InventoryItem> all = Inventory.build(everything);
    assertThat(all)
        .extracting(InventoryItem::kind)
        .contains("workload", "issued-credential", "api-key");
    for (InventoryItem i : all) {
      assertThat(IndexQueries.blastRadius(s, i.id(), IndexFixtures.START))
          .as(i.id())
          .hasValue(BlastRadius.of(everything, i));
    }
    BlastRadius w1 =
        IndexQueries.blastRadius(s, "workload:spiffe://acme.test/ci/w1", IndexFixtures.START)
            .orElseThrow();
    assertThat(w1.reachable())
        .extracting(Grants.Grant::path)
        .as("policies and the credential it holds")
        .contains("static credential HELD_BY_W1 from csv:keys");
    assertThat(IndexQueries.blastRadius(s, "no-such-item", IndexFixtures.START)).isEmpty();
  }
}
