package dev.warden.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.inventory.Finding.Severity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Findings by unit: judging a unit again replaces exactly what it contributed, and says what is
 * new.
 */
class IndexFindingsTest {
  static Finding f(String rule, Severity s, String item) {
    return new Finding(rule, s, "NHI1", item, item, "evidence of " + item, "fix it");
  }

  static InventoryItem item(String id) {
    return new InventoryItem(
        id,
        "workload",
        id,
        null,
        null,
        null,
        "warden",
        null,
        null,
        null,
        null,
        null,
        null,
        Map.of());
  }

  @Test
  void partsRunFromMostSevereAndEachHoldsOneRuleInPostureOrder() {
    IndexFindings x = new IndexFindings();
    x.replaceFindings(
        "u1", List.of(f("b.rule", Severity.LOW, "i2"), f("a.rule", Severity.HIGH, "i9")));
    x.replaceFindings(
        "u2",
        List.of(
            f("b.rule", Severity.LOW, "i1"),
            f("c.rule", Severity.CRITICAL, "i3"),
            f("a.rule", Severity.HIGH, "i1")));
    assertThat(x.parts().keySet())
        .extracting(IndexFindings.Part::ruleId)
        .containsExactly("c.rule", "a.rule", "b.rule");
    assertThat(x.parts().get(new IndexFindings.Part(Severity.HIGH, "a.rule", "NHI1")))
        .extracting(Finding::itemId)
        .containsExactly("i1", "i9");
    assertThat(x.count()).isEqualTo(5);
  }

  @Test
  void judgingAUnitAgainReplacesOnlyItsOwnFindingsAndDropsEmptyParts() {
    IndexFindings x = new IndexFindings();
    x.replaceFindings(
        "u1", List.of(f("a.rule", Severity.HIGH, "i1"), f("b.rule", Severity.LOW, "i1")));
    x.replaceFindings("u2", List.of(f("a.rule", Severity.HIGH, "i2")));
    x.replaceFindings("u1", List.of(f("a.rule", Severity.HIGH, "i1")));
    assertThat(x.parts()).hasSize(1);
    assertThat(x.count()).isEqualTo(2);
    x.replaceFindings("u1", List.of());
    x.replaceFindings("u2", List.of());
    assertThat(x.parts()).isEmpty();
  }

  @Test
  void aUnitsItemsAreReplacedWithItsFindings() {
    IndexFindings x = new IndexFindings();
    x.replaceUnit(
        IndexFindings.workloadUnit("w1"),
        List.of(item("workload:w1"), item("credential:w1|db")),
        List.of(f("a.rule", Severity.HIGH, "workload:w1")));
    x.replaceUnit("global", List.of(item("admin-token:t")), List.of());
    x.replaceUnit(IndexFindings.workloadUnit("w1"), List.of(item("workload:w1")), List.of());
    assertThat(x.wardenItems().keySet()).containsExactly("admin-token:t", "workload:w1");
    assertThat(x.count()).isZero();
    Set<String> workloads = new HashSet<>();
    x.workloadsInto(workloads);
    assertThat(workloads).as("the global unit is no workload").containsExactly("w1");
  }

  @Test
  void whileCollectingOnlyFindingsNewToTheirUnitAndSevereEnoughAreNoticed() {
    IndexFindings x = new IndexFindings();
    x.replaceFindings("u1", List.of(f("a.rule", Severity.HIGH, "i1")));
    List<Finding> noticed = new ArrayList<>();
    x.collect(noticed, Severity.HIGH);
    x.replaceFindings(
        "u1",
        List.of(
            f("a.rule", Severity.HIGH, "i1"),
            f("c.rule", Severity.CRITICAL, "i1"),
            f("b.rule", Severity.LOW, "i1")));
    x.replaceFindings("u2", List.of(f("a.rule", Severity.HIGH, "i1")));
    x.collect(null, null);
    x.replaceFindings("u3", List.of(f("c.rule", Severity.CRITICAL, "i3")));
    assertThat(noticed)
        .extracting(Finding::ruleId, Finding::itemId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("c.rule", "i1"),
            org.assertj.core.groups.Tuple.tuple("a.rule", "i1"));
  }

  @Test
  void whatAppearedBetweenTwoLoadsIsWhatIsSevereEnoughOnAnItemThatHadNoneOfItsRule() {
    IndexFindings before = new IndexFindings();
    before.replaceFindings("u1", List.of(f("a.rule", Severity.HIGH, "i1")));
    IndexFindings after = new IndexFindings();
    after.replaceFindings(
        "u1",
        List.of(
            f("a.rule", Severity.HIGH, "i1"),
            f("a.rule", Severity.HIGH, "i2"),
            f("b.rule", Severity.MEDIUM, "i1")));
    assertThat(after.appearedSince(before, Severity.HIGH))
        .extracting(Finding::itemId)
        .containsExactly("i2");
    assertThat(after.appearedSince(before, Severity.LOW))
        .extracting(Finding::itemId)
        .containsExactly("i2", "i1");
  }
}
