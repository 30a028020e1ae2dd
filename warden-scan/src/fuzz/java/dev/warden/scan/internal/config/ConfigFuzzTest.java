package dev.warden.scan.internal.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.scan.ScanException;
import java.util.Set;

/** The config and baseline parsers: return a value or throw ScanException, nothing else. */
class ConfigFuzzTest {
  @FuzzTest(maxDuration = "20s")
  void config(String json) {
    try {
      ScanConfig c = ScanConfig.parse(json, Set.of("jwt", "github-pat"));
      c.suppressed("jwt", "a/b.txt", "value");
    } catch (ScanException expected) {
      // documented failure
    }
  }

  @FuzzTest(maxDuration = "10s")
  void baseline(String json) {
    try {
      Baseline.parse(json, "local-000000000000");
    } catch (ScanException expected) {
      // documented failure
    }
  }
}
