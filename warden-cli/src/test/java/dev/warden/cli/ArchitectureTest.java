package dev.warden.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
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
    warden = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.warden");
  }

  @Test
  void coreKnowsNoHttpAndNoSql() {
    noClasses().that().resideInAPackage("dev.warden.core..")
        .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "io.helidon..",
            "com.zaxxer..", "org.flywaydb..", "java.net.http..", "com.sun.net.httpserver..", "io.grpc..")
        .because("core is the domain: storage and transport are behind interfaces it defines")
        .check(warden);
  }

  @Test
  void coreDependsOnNoOtherWardenModule() {
    noClasses().that().resideInAPackage("dev.warden.core..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.warden.store..", "dev.warden.server..",
            "dev.warden.agent..", "dev.warden.scan..", "dev.warden.cli..")
        .check(warden);
  }

  @Test
  void theStoreDependsOnlyOnCore() {
    noClasses().that().resideInAPackage("dev.warden.store..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.warden.server..", "dev.warden.agent..",
            "dev.warden.scan..", "dev.warden.cli..")
        .check(warden);
  }

  @Test
  void theAgentTalksToTheServerOnlyOverItsApi() {
    noClasses().that().resideInAPackage("dev.warden.agent..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.warden.server..", "dev.warden.store..",
            "dev.warden.cli..")
        .check(warden);
  }

  @Test
  void theScannerStandsAlone() {
    noClasses().that().resideInAPackage("dev.warden.scan..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.warden.core..", "dev.warden.server..",
            "dev.warden.store..", "dev.warden.agent..", "dev.warden.cli..")
        .check(warden);
  }

  @Test
  void theServerNeverReachesIntoTheCli() {
    noClasses().that().resideInAPackage("dev.warden.server..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.warden.cli..", "dev.warden.agent..")
        .check(warden);
  }

  /**
   * The cycles core had when this test was written (through core.store, whose interfaces name
   * domain records that name the stores) are recorded in src/test/resources/archunit_store; they
   * may only go away. A new cycle fails here.
   */
  @Test
  void noNewPackageCycleInCore() {
    FreezingArchRule.freeze(slices().matching("dev.warden.core.(*)..").should().beFreeOfCycles())
        .check(warden);
  }
}
