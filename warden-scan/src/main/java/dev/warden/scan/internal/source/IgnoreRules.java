package dev.warden.scan.internal.source;

import dev.warden.scan.internal.config.Glob;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The patterns of one {@code .gitignore} file, relative to the directory that holds it. Supports
 * comments, blank lines, {@code !} negation, trailing-{@code /} directory patterns, anchoring by a
 * leading or inner {@code /}, and {@code *}, {@code ?}, {@code **} and character classes. A
 * malformed line is skipped, as git does.
 */
final class IgnoreRules {
  private record Line(Glob glob, boolean negate, boolean dirOnly, boolean anchored) {}

  /** Path of the directory holding the file, relative to the scan root ("" for the root). */
  private final String base;

  private final List<Line> lines;

  private IgnoreRules(String base, List<Line> lines) {
    this.base = base;
    this.lines = lines;
  }

  static IgnoreRules parse(String base, String text) {
    List<Line> lines = new ArrayList<>();
    for (String raw : text.split("\r?\n")) {
      String l = raw;
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      // trailing spaces are ignored unless escaped
      while (l.endsWith(" ") && !l.endsWith("\\ ")) {
        l = l.substring(0, l.length() - 1);
      }
      if (l.isEmpty()) {
        continue;
      }
      boolean negate = false;
      if (l.startsWith("!")) {
        negate = true;
        l = l.substring(1);
      } else if (l.startsWith("\\!") || l.startsWith("\\#")) {
        l = l.substring(1);
      }
      boolean dirOnly = l.endsWith("/");
      if (dirOnly) {
        l = l.substring(0, l.length() - 1);
      }
      boolean anchored = l.contains("/");
      if (l.startsWith("/")) {
        l = l.substring(1);
      }
      if (l.isEmpty()) {
        continue;
      }
      try {
        lines.add(new Line(Glob.compile(l), negate, dirOnly, anchored));
      } catch (IllegalArgumentException e) {
        // git ignores lines it cannot parse; so do we
      }
    }
    return new IgnoreRules(base, List.copyOf(lines));
  }

  /**
   * The verdict of this file for a path relative to the scan root: TRUE ignored, FALSE explicitly
   * re-included, null no opinion.
   */
  @Nullable Boolean verdict(String relPath, boolean isDir) {
    String rel;
    if (base.isEmpty()) {
      rel = relPath;
    } else if (relPath.startsWith(base + "/")) {
      rel = relPath.substring(base.length() + 1);
    } else {
      return null;
    }
    String name = rel.substring(rel.lastIndexOf('/') + 1);
    Boolean verdict = null;
    for (Line line : lines) {
      if (line.dirOnly && !isDir) {
        continue;
      }
      boolean match = line.anchored ? line.glob.matches(rel) : line.glob.matches(name);
      if (match) {
        verdict = !line.negate;
      }
    }
    return verdict;
  }
}
