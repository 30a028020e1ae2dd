package dev.warden.scan;

import java.util.Objects;

/**
 * Something the scan could not read, reported so that a skipped file is never silent.
 *
 * @param path the path concerned (or the repository for git problems)
 * @param kind a stable code: {@code unreadable}, {@code broken-symlink}, {@code symlink-loop},
 *     {@code not-found}, {@code git}, {@code io}
 * @param message what happened, in words
 * @param fatal true when part of the input could not be scanned at all (exit code 2)
 */
public record ScanProblem(String path, String kind, String message, boolean fatal) {
  public ScanProblem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }
}
