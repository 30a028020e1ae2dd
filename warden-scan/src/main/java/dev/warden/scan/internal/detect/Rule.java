package dev.warden.scan.internal.detect;

import dev.warden.scan.Confidence;
import dev.warden.scan.RuleInfo;
import dev.warden.scan.Severity;
import java.util.List;
import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One detection rule: the keywords that wake it, the expression that extracts the secret (group
 * {@code s} when present, else the whole match), and the checks a candidate must pass.
 */
public final class Rule {
  /** How a rule finds its secret; decides priority when two rules match overlapping text. */
  public enum Kind {
    /** A high-entropy string with no other evidence: the lowest priority of all. */
    ENTROPY,
    /**
     * Fills gaps the generic detectors leave (shell exports of any value shape): lowest priority.
     */
    FALLBACK,
    /** A generic detector (assignments, URLs, JWTs): lowest priority. */
    GENERIC,
    /** Key material (PEM, OpenSSH, PuTTY, PGP). */
    KEY,
    /** A provider format recognised from context (a key name next to the value). */
    CONTEXT,
    /** A provider format with a distinctive prefix or checksum: highest priority. */
    TOKEN
  }

  /** Which placeholder checks apply. */
  enum PlaceholderCheck {
    /** Markers, documented examples, repeated and sequential runs. */
    FULL,
    /** Markers and documented examples only: for formats with legitimate runs (PEM, "AAAA"). */
    MARKERS,
    /** Also the weak-value list of generic assignments. */
    GENERIC,
    /**
     * Only stand-in words ({@code changeme}, {@code example}...) and long runs: for generated keys
     * whose alphabet includes the punctuation markers ({@code <}, {@code $(}) are made of.
     */
    WORDS,
    /**
     * As {@link #GENERIC}, except that a letters-only value is not taken for an identifier: in the
     * password place of {@code scheme://user:password@host} no code reference can stand.
     */
    URL_PASSWORD
  }

  /** Where the keyword must sit for the expression to be worth running (a prefilter check). */
  enum LineStart {
    /** Anywhere. */
    ANY,
    /**
     * First on its line, after blanks only ({@code secret=} in an INI file, not {@code
     * client_secret=}).
     */
    KEYWORD,
    /** Inside the first key name of its line ({@code client_secret:}, {@code smtp_pass =}). */
    KEY_NAME
  }

  /**
   * Finds the secrets inside a match where a capture group cannot say which value it is (the value
   * at the password column's position in a SQL {@code INSERT}).
   */
  interface Locator {
    /**
     * Spans {@code [start, end)} of the secrets, as absolute offsets into {@code text}.
     *
     * @param match the rule's match
     * @param limit how far past the match the locator may read (the window's end)
     */
    List<int[]> spans(CharSequence text, MatchResult match, int limit);
  }

  /** Per-thread state of a rule that sweeps every token-shaped run instead of keyword hits. */
  interface Sweep {
    /** Adds the candidates found in {@code buf[from, to)} (offsets are indices into buf). */
    void sweep(byte[] buf, int from, int to, List<Candidate> out);
  }

  /** Prepares a sweeping rule for one compiled rule set; the supplier makes per-thread state. */
  interface Sweeper {
    java.util.function.Supplier<Sweep> prepare(Rule self, List<Rule> ruleSet);
  }

  final String id;
  final String description;
  final Severity severity;
  final Confidence confidence;
  final Kind kind;
  final List<String> keywords;
  final boolean caseSensitiveKeywords;
  final @Nullable Pattern pattern;
  final boolean secretGroup;
  final int before;
  final int after;
  final boolean multiline;
  final @Nullable Predicate<String> validator;
  final boolean validatorIsChecksum;
  final double randomness;
  final PlaceholderCheck placeholders;
  final @Nullable Pattern rejectMatch;
  final boolean needsAssignment;
  final LineStart lineStart;
  final boolean schemeBefore;
  final @Nullable Locator locator;
  final @Nullable BinaryOperator<String> decoder;
  final @Nullable Sweeper sweeper;

  /**
   * The credential file whose whole text {@link #filePattern} reads; NONE for keyword-only rules.
   */
  final CredentialFile file;

  /** Found with {@code find()} over every buffer of a {@link #file} file; group {@code s}. */
  final @Nullable Pattern filePattern;

  /** {@link #filePattern} describes the whole file: tried once, at its start, on small files. */
  final boolean wholeFile;

  /** The line a buffer starts at for {@link #tailPattern} to stand for the whole-file pattern. */
  final int tailLine;

  /** The rest of a whole-file format from {@link #tailLine} on, as a patch adds it; or null. */
  final @Nullable Pattern tailPattern;

  Rule(Builder b) {
    this.id = b.id;
    this.description = b.description;
    this.severity = b.severity;
    this.confidence = b.confidence;
    this.kind = b.kind;
    this.keywords = List.copyOf(b.keywords);
    this.caseSensitiveKeywords = b.caseSensitiveKeywords;
    this.sweeper = b.sweeper;
    this.pattern =
        b.sweeper != null || (b.filePattern != null && b.keywords.isEmpty())
            ? b.pattern
            : Objects.requireNonNull(b.pattern, () -> "rule " + b.id + " has no pattern");
    this.secretGroup = pattern != null && pattern.pattern().contains("(?<s>");
    this.before = b.before;
    this.after = b.after;
    this.multiline = b.multiline;
    this.validator = b.validator;
    this.validatorIsChecksum = b.checksum;
    this.randomness = b.randomness;
    this.placeholders = b.placeholders;
    this.rejectMatch = b.rejectMatch;
    this.needsAssignment = b.needsAssignment;
    this.lineStart = b.lineStart;
    this.schemeBefore = b.schemeBefore;
    this.locator = b.locator;
    this.decoder = b.decoder;
    this.file = b.file;
    this.filePattern = b.filePattern;
    this.wholeFile = b.wholeFile;
    this.tailLine = b.tailLine;
    this.tailPattern = b.tailPattern;
    if (keywords.isEmpty() && sweeper == null && filePattern == null) {
      throw new IllegalArgumentException("rule " + id + " needs at least one keyword");
    }
    if (filePattern != null && !filePattern.pattern().contains("(?<s>")) {
      throw new IllegalArgumentException("rule " + id + ": a file pattern needs group s");
    }
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  public Severity severity() {
    return severity;
  }

  public Kind kind() {
    return kind;
  }

  public RuleInfo info() {
    return new RuleInfo(id, description, severity, keywords);
  }

  static Builder builder(String id, String description) {
    return new Builder(id, description);
  }

  static final class Builder {
    private final String id;
    private final String description;
    private Severity severity = Severity.HIGH;
    private Confidence confidence = Confidence.HIGH;
    private Kind kind = Kind.TOKEN;
    private List<String> keywords = List.of();
    private boolean caseSensitiveKeywords;
    private @Nullable Pattern pattern;
    private int before;
    private int after = 256;
    private boolean multiline;
    private @Nullable Predicate<String> validator;
    private boolean checksum;
    private double randomness = 0.6;
    private PlaceholderCheck placeholders = PlaceholderCheck.FULL;
    private @Nullable Pattern rejectMatch;
    private boolean needsAssignment;
    private LineStart lineStart = LineStart.ANY;
    private boolean schemeBefore;
    private @Nullable Locator locator;
    private @Nullable BinaryOperator<String> decoder;
    private @Nullable Sweeper sweeper;
    private CredentialFile file = CredentialFile.NONE;
    private @Nullable Pattern filePattern;
    private boolean wholeFile;
    private int tailLine;
    private @Nullable Pattern tailPattern;

    private Builder(String id, String description) {
      this.id = id;
      this.description = description;
    }

    Builder severity(Severity s) {
      this.severity = s;
      return this;
    }

    Builder confidence(Confidence c) {
      this.confidence = c;
      return this;
    }

    Builder kind(Kind k) {
      this.kind = k;
      return this;
    }

    /** Keywords matched case-insensitively. */
    Builder keywords(String... kw) {
      this.keywords = List.of(kw);
      return this;
    }

    /** Keywords that must match exactly (the prefilter folds case; the hit is then verified). */
    Builder exactKeywords(String... kw) {
      this.keywords = List.of(kw);
      this.caseSensitiveKeywords = true;
      return this;
    }

    Builder regex(String regex) {
      this.pattern = Pattern.compile(regex);
      return this;
    }

    /** How far before the keyword's first byte and after its last the expression may look. */
    Builder window(int before, int after) {
      this.before = before;
      this.after = after;
      return this;
    }

    /** The match may span lines (key blocks); otherwise the window stops at line ends. */
    Builder multiline() {
      this.multiline = true;
      return this;
    }

    Builder validate(Predicate<String> v) {
      this.validator = v;
      return this;
    }

    /** A validator that proves the format (a checksum): a candidate that passes is HIGH. */
    Builder checksum(Predicate<String> v) {
      this.validator = v;
      this.checksum = true;
      return this;
    }

    /** Minimum entropy as a fraction of a random string's; 0 disables the check. */
    Builder randomness(double fraction) {
      this.randomness = fraction;
      return this;
    }

    Builder placeholders(PlaceholderCheck p) {
      this.placeholders = p;
      return this;
    }

    /** Drops a match whose whole text (key name included) contains this expression. */
    Builder rejectIfMatch(String regex) {
      this.rejectMatch = Pattern.compile(regex);
      return this;
    }

    /** The keyword starts a key name that must be followed by an assignment (prefilter check). */
    Builder assignment() {
      this.needsAssignment = true;
      return this;
    }

    /**
     * The keyword must start its line ({@link LineStart#KEYWORD}) or sit in the line's first key
     * name: checked on bytes before the expression runs, cheaper than a lookbehind on hot keywords.
     */
    Builder lineStart(LineStart l) {
      this.lineStart = l;
      return this;
    }

    /**
     * The keyword is "://": the match is anchored at the URL scheme in front of it, and the URL
     * must carry user information: an {@code @} within {@link Detector#USER_INFO_MAX} bytes after
     * "://" and before any {@code /}, white space, quote or {@code < >} (checked on bytes first).
     */
    Builder schemeBefore() {
      this.schemeBefore = true;
      return this;
    }

    /** The secrets are found by {@code l} inside the match, not by the {@code s} group. */
    Builder locate(Locator l) {
      this.locator = l;
      return this;
    }

    /**
     * The reported secret is {@code d(matchText, value)} (a stored encoding undone: FileZilla's
     * base64); null drops the candidate. The fingerprint stays that of the bytes as written.
     */
    Builder decode(BinaryOperator<String> d) {
      this.decoder = d;
      return this;
    }

    /** The rule has no keywords and no expression: {@code s} finds its candidates. */
    Builder sweep(Sweeper s) {
      this.sweeper = s;
      return this;
    }

    /**
     * In files of {@code kind} (known by their path), {@code regex} is also searched over the whole
     * buffer, without a keyword: for formats whose lines have no keyword of their own. Group {@code
     * s} is the secret; the rule's validator, placeholder and entropy checks apply as to a keyword
     * match.
     */
    Builder inFile(CredentialFile kind, String regex) {
      this.file = kind;
      this.filePattern = Pattern.compile(regex);
      return this;
    }

    /**
     * As {@link #inFile}, where {@code regex} is the whole file (anchored with {@code \A} and
     * {@code \z}): it is tried once, at the start, and only on a buffer of at most {@link
     * Detector#WHOLE_FILE_MAX} bytes.
     */
    Builder wholeFile(CredentialFile kind, String regex) {
      inFile(kind, regex);
      this.wholeFile = true;
      return this;
    }

    /**
     * For a {@link #wholeFile} format: a buffer that starts at line {@code line} of such a file —
     * the block of added lines of a patch that changed only that line (a new password) — is matched
     * against {@code regex} instead, the rest of the format from that line on.
     */
    Builder wholeFileFromLine(int line, String regex) {
      if (!wholeFile || line < 2) {
        throw new IllegalStateException("rule " + id + ": a whole-file pattern comes first");
      }
      this.tailLine = line;
      this.tailPattern = Pattern.compile(regex);
      return this;
    }

    Rule build() {
      return new Rule(this);
    }
  }
}
