package dev.warden.scan;

/**
 * Counters of one scan.
 *
 * @param files files (or patches) scanned
 * @param bytes bytes scanned
 * @param commits commits scanned (history scans only)
 * @param skippedBinary files skipped because they are binary
 * @param skippedLarge files skipped because they exceed the size limit
 * @param skippedOther files skipped for other reasons (symlinks, unreadable, excluded by config)
 * @param suppressed findings suppressed by an ignore comment, allowlist or the baseline
 * @param millis wall-clock duration
 */
public record ScanStats(
    long files,
    long bytes,
    long commits,
    long skippedBinary,
    long skippedLarge,
    long skippedOther,
    long suppressed,
    long millis) {}
