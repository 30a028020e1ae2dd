package dev.warden.scan;

import java.util.List;

/**
 * Everything a scan produced.
 *
 * @param findings the findings, sorted by path, line and column (history: in commit order)
 * @param problems inputs that could not be read
 * @param stats counters
 */
public record ScanResult(
    List<SecretFinding> findings, List<ScanProblem> problems, ScanStats stats) {
  public ScanResult {
    findings = List.copyOf(findings);
    problems = List.copyOf(problems);
  }

  /** True when some input could not be scanned at all. */
  public boolean incomplete() {
    return problems.stream().anyMatch(ScanProblem::fatal);
  }

  /** The same result with {@code replaced} findings (verified copies, in the same order). */
  public ScanResult withFindings(List<SecretFinding> replaced) {
    return new ScanResult(replaced, problems, stats);
  }
}
