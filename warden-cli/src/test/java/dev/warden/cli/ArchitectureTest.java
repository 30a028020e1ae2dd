package dev.warden.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lines between modules and packages that docs/architecture.md draws, checked on the compiled
 * main classes of every module (this module's test classpath holds them all).
 */
class ArchitectureTest {
  static JavaClasses warden;

  @BeforeAll
  static void importMainClasses() {
    // the other modules arrive as jars or class folders, depending on how Maven resolves them
    warden =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.warden");
  }

  @Test
  void coreKnowsNoHttpAndNoSql() {
    noClasses()
        .that()
        .resideInAPackage("dev.warden.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.sql..",
            "javax.sql..",
            "io.helidon..",
            "com.zaxxer..",
            "org.flywaydb..",
            "java.net.http..",
            "com.sun.net.httpserver..",
            "io.grpc..")
        .because("core is the domain: storage and transport are behind interfaces it defines")
        .check(warden);
  }

  @Test
  void coreDependsOnNoOtherWardenModule() {
    noClasses()
        .that()
        .resideInAPackage("dev.warden.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.warden.store..",
            "dev.warden.server..",
            "dev.warden.agent..",
            "dev.warden.scan..",
            "dev.warden.cli..")
        .check(warden);
  }

  @Test
  void theStoreDependsOnlyOnCore() {
    noClasses()
        .that()
        .resideInAPackage("dev.warden.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.warden.server..", "dev.warden.agent..", "dev.warden.scan..", "dev.warden.cli..")
        .check(warden);
  }

  @Test
  void theAgentTalksToTheServerOnlyOverItsApi() {
    noClasses()
        .that()
        .resideInAPackage("dev.warden.agent..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.warden.server..", "dev.warden.store..", "dev.warden.cli..")
        .check(warden);
  }

  @Test
  void theScannerStandsAlone() {
    noClasses()
        .that()
        .resideInAPackage("dev.warden.scan..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.warden.core..",
            "dev.warden.server..",
            "dev.warden.store..",
            "dev.warden.agent..",
            "dev.warden.cli..")
        .check(warden);
  }

  @Test
  void theServerNeverReachesIntoTheCli() {
    noClasses()
        .that()
        .resideInAPackage("dev.warden.server..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.warden.cli..", "dev.warden.agent..")
        .check(warden);
  }

  /**
   * One JOSE path (decision 021): a compact JWS is parsed only by {@code core.trust}'s strict
   * parser ({@code UnverifiedJws}) and its signature checked only by {@code core.trust}'s verifier
   * ({@code JwsKey}); no main class elsewhere parses a JWS or JWT with Nimbus or builds a Nimbus
   * verifier. Signing is not covered: Warden's own keys sign through the fast signer of decision
   * 003, client assertions and the dev issuer through Nimbus signers.
   */
  @Test
  void jwsIsParsedAndVerifiedOnlyInCoreTrust() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.warden.core.trust..")
        .and()
        .resideOutsideOfPackage("dev.warden.testkit..")
        .should()
        .dependOnClassesThat(
            com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo(
                    com.nimbusds.jose.JWSVerifier.class)
                .or(
                    com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage(
                        "com.nimbusds.jose.proc..",
                        "com.nimbusds.jwt.proc..",
                        "com.nimbusds.jose.crypto.factories..")))
        .orShould()
        .callMethod(com.nimbusds.jose.JWSObject.class, "parse", String.class)
        .orShould()
        .callMethod(com.nimbusds.jwt.SignedJWT.class, "parse", String.class)
        .orShould()
        .callMethod(com.nimbusds.jwt.JWTParser.class, "parse", String.class)
        .because(
            "every JWS Warden reads goes through UnverifiedJws and JwsKey, so the size limit,"
                + " strict UTF-8 and JSON, and the key checks of decision 301 hold everywhere")
        .check(warden);
  }

  /**
   * No package cycle in core: the packages form a DAG, so each can be read, tested and moved with
   * only what it depends on. A dependency between core packages that closes a cycle fails here,
   * listed with every other edge of its cycle. Compared package to package (sub-packages fold into
   * their top-level package), so moving code between classes of the same packages changes nothing.
   */
  @Test
  void noPackageCycleInCore() {
    Map<String, Set<String>> edges = new TreeMap<>();
    for (JavaClass c : warden) {
      String from = corePackage(c.getPackageName());
      if (from == null) {
        continue;
      }
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String to = corePackage(d.getTargetClass().getPackageName());
        if (to != null && !to.equals(from)) {
          edges.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
        }
      }
    }
    assertThat(edges)
        .as("core's packages and their dependencies were imported")
        .containsKeys("core.grant", "core.store", "core.policy");
    Set<String> inCycles = new TreeSet<>();
    for (Set<String> component : PackageCycles.stronglyConnected(edges)) {
      if (component.size() > 1) {
        for (String a : component) {
          for (String b : edges.getOrDefault(a, Set.of())) {
            if (component.contains(b)) {
              inCycles.add(a + " -> " + b);
            }
          }
        }
      }
    }
    assertThat(inCycles)
        .as(
            "dependencies between core packages that form a package cycle; break it (move the"
                + " interface beside its aggregate, the shared value to model, pass a value instead of a type)")
        .isEmpty();
  }

  @Test
  void aCycleOfPackagesIsFoundAndAChainIsNot() {
    Map<String, Set<String>> edges =
        Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"));
    assertThat(PackageCycles.stronglyConnected(edges)).contains(Set.of("a", "b", "c"), Set.of("d"));
    assertThat(PackageCycles.stronglyConnected(Map.of("a", Set.of("b"), "b", Set.of("c"))))
        .allMatch(component -> component.size() == 1);
  }

  /**
   * {@code core.x} for any class in {@code dev.warden.core.x..}; null outside core or in core's
   * root.
   */
  private static String corePackage(String pkg) {
    if (!pkg.startsWith("dev.warden.core.")) {
      return null;
    }
    String rest = pkg.substring("dev.warden.core.".length());
    int dot = rest.indexOf('.');
    return "core." + (dot < 0 ? rest : rest.substring(0, dot));
  }

  /** Tarjan's strongly connected components over a small package graph. */
  static final class PackageCycles {
    private final Map<String, Set<String>> edges;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final Deque<String> stack = new ArrayDeque<>();
    private final Set<String> onStack = new HashSet<>();
    private final List<Set<String>> components = new ArrayList<>();
    private int next;

    private PackageCycles(Map<String, Set<String>> edges) {
      this.edges = edges;
    }

    static List<Set<String>> stronglyConnected(Map<String, Set<String>> edges) {
      PackageCycles t = new PackageCycles(edges);
      Set<String> nodes = new TreeSet<>(edges.keySet());
      edges.values().forEach(nodes::addAll);
      for (String n : nodes) {
        if (!t.index.containsKey(n)) {
          t.visit(n);
        }
      }
      return t.components;
    }

    private void visit(String v) {
      index.put(v, next);
      low.put(v, next++);
      stack.push(v);
      onStack.add(v);
      for (String w : edges.getOrDefault(v, Set.of())) {
        if (!index.containsKey(w)) {
          visit(w);
          low.put(v, Math.min(low.get(v), low.get(w)));
        } else if (onStack.contains(w)) {
          low.put(v, Math.min(low.get(v), index.get(w)));
        }
      }
      if (low.get(v).equals(index.get(v))) {
        Set<String> component = new TreeSet<>();
        String w;
        do {
          w = stack.pop();
          onStack.remove(w);
          component.add(w);
        } while (!w.equals(v));
        components.add(component);
      }
    }
  }
}
