package dev.warden.scan;

import dev.warden.scan.internal.source.ScanSink;
import org.jspecify.annotations.Nullable;

/**
 * A live view of a running scan's counters, for progress displays. Create one, pass it to a scan
 * method, and read it from another thread. All getters are safe to call at any time; before the
 * scan starts they return 0.
 */
public final class ScanProgress {
  private volatile @Nullable ScanSink sink;

  void attach(ScanSink s) {
    this.sink = s;
  }

  public long files() {
    ScanSink s = sink;
    return s == null ? 0 : s.files.sum();
  }

  public long bytes() {
    ScanSink s = sink;
    return s == null ? 0 : s.bytes.sum();
  }

  public long commits() {
    ScanSink s = sink;
    return s == null ? 0 : s.commits.sum();
  }

  /** Bytes of the files found so far by the directory walk. */
  public long expectedBytes() {
    ScanSink s = sink;
    return s == null ? 0 : s.expectedBytes.sum();
  }

  /** Commits to scan (history scans), or 0 when unknown. */
  public long expectedCommits() {
    ScanSink s = sink;
    return s == null ? 0 : s.expectedCommits;
  }

  /** True once the directory walk has found every file, so {@link #expectedBytes()} is final. */
  public boolean totalKnown() {
    ScanSink s = sink;
    return s != null && (s.walkDone || s.expectedCommits > 0);
  }
}
