package dev.warden.scan.internal.source;

import dev.warden.scan.ScanProblem;
import dev.warden.scan.ScanStats;
import dev.warden.scan.SecretFinding;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the threads of one scan put what they find, and the live counters the progress bar reads.
 * Thread-safe.
 */
public final class ScanSink {
  public final LongAdder files = new LongAdder();
  public final LongAdder bytes = new LongAdder();
  public final LongAdder commits = new LongAdder();
  public final LongAdder skippedBinary = new LongAdder();
  public final LongAdder skippedLarge = new LongAdder();
  public final LongAdder skippedOther = new LongAdder();
  public final LongAdder suppressed = new LongAdder();

  /** Known total for the progress bar (bytes for trees, commits for history); 0 while unknown. */
  public final LongAdder expectedBytes = new LongAdder();

  public volatile long expectedCommits;
  public volatile boolean walkDone;
  private final ConcurrentLinkedQueue<SecretFinding> findings = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<ScanProblem> problems = new ConcurrentLinkedQueue<>();

  public void finding(SecretFinding f) {
    findings.add(f);
  }

  public void problem(ScanProblem p) {
    problems.add(p);
  }

  public void problem(String path, String kind, String message, boolean fatal) {
    problems.add(new ScanProblem(path, kind, message, fatal));
  }

  public List<SecretFinding> findings() {
    return new ArrayList<>(findings);
  }

  public List<ScanProblem> problems() {
    return new ArrayList<>(problems);
  }

  public ScanStats stats(long millis) {
    return new ScanStats(
        files.sum(),
        bytes.sum(),
        commits.sum(),
        skippedBinary.sum(),
        skippedLarge.sum(),
        skippedOther.sum(),
        suppressed.sum(),
        millis);
  }
}
