package dev.warden.scan;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One hardcoded secret found by a scan.
 *
 * @param ruleId the rule that matched
 * @param description the rule's description
 * @param severity the rule's severity
 * @param confidence how sure the match is
 * @param path file path relative to the scanned root (or {@code <stdin>})
 * @param line 1-based line number of the first character of the secret
 * @param column 1-based column, counted in Unicode code points
 * @param secret the secret value; redacted when printed
 * @param fingerprint lowercase hex HMAC-SHA256 of the secret under the installation key
 * @param entropy Shannon entropy of the secret in bits per character
 * @param commit the commit that introduced the secret, or {@code null} outside history scans
 * @param author author of {@code commit} ({@code Name <email>}), or {@code null}
 * @param date ISO-8601 author date of {@code commit}, or {@code null}
 * @param verification whether the secret is live, as {@code --verify} found; {@code null} when not
 *     checked
 */
public record SecretFinding(
    String ruleId,
    String description,
    Severity severity,
    Confidence confidence,
    String path,
    int line,
    int column,
    FoundSecret secret,
    String fingerprint,
    double entropy,
    @Nullable String commit,
    @Nullable String author,
    @Nullable String date,
    @Nullable Verification verification) {

  public SecretFinding {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(confidence, "confidence");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(fingerprint, "fingerprint");
    if (line < 1 || column < 1) {
      throw new IllegalArgumentException("line and column are 1-based: " + line + ":" + column);
    }
    if (!fingerprint.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("fingerprint must be 64 lowercase hex characters");
    }
  }

  /** A finding not (yet) verified. */
  public SecretFinding(
      String ruleId,
      String description,
      Severity severity,
      Confidence confidence,
      String path,
      int line,
      int column,
      FoundSecret secret,
      String fingerprint,
      double entropy,
      @Nullable String commit,
      @Nullable String author,
      @Nullable String date) {
    this(
        ruleId,
        description,
        severity,
        confidence,
        path,
        line,
        column,
        secret,
        fingerprint,
        entropy,
        commit,
        author,
        date,
        null);
  }

  /** A copy located in a commit of the history. */
  public SecretFinding inCommit(
      String commitSha, @Nullable String commitAuthor, @Nullable String commitDate) {
    return withProvenance(commitSha, commitAuthor, commitDate, verification);
  }

  /** A copy carrying what {@code --verify} found. */
  public SecretFinding verified(Verification v) {
    return withProvenance(commit, author, date, Objects.requireNonNull(v, "verification"));
  }

  /** This finding with another commit, author, date and verification, the rest as it is. */
  private SecretFinding withProvenance(
      @Nullable String commitSha,
      @Nullable String commitAuthor,
      @Nullable String commitDate,
      @Nullable Verification v) {
    return new SecretFinding(
        ruleId,
        description,
        severity,
        confidence,
        path,
        line,
        column,
        secret,
        fingerprint,
        entropy,
        commitSha,
        commitAuthor,
        commitDate,
        v);
  }

  /** Whether {@code --verify} found this secret live: {@link Verified#UNKNOWN} when not checked. */
  public Verified verifiedStatus() {
    return verification == null ? Verified.UNKNOWN : verification.status();
  }
}
