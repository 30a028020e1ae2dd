package dev.warden.scan.internal.detect;

import dev.warden.scan.Confidence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import org.jspecify.annotations.Nullable;

/**
 * The compiled rule set: immutable and shared by all threads. Each thread scans through its own
 * {@link Session}, which owns the mutable regex matchers.
 */
public final class Detector {
  final List<Rule> rules;
  private final @Nullable KeywordIndex index; // null when no rule has a keyword
  private final int[][] rulesOfKeyword;

  /** For each keyword and each of its rules: the exact bytes to verify, or null (case-folded). */
  private final byte[][][] exactOfKeyword;

  /** For each {@link CredentialFile} (by ordinal): the rules with a pattern for that file. */
  private final int[][] rulesOfFile;

  /** Per-thread state factories of the sweeping rules (the high-entropy detector). */
  private final List<java.util.function.Supplier<Rule.Sweep>> sweeps = new ArrayList<>();

  /**
   * Compiles a rule set.
   *
   * @throws IllegalArgumentException if two rules share an id or the set is empty
   */
  public Detector(List<Rule> rules) {
    this.rules = List.copyOf(rules);
    Set<String> ids = new HashSet<>();
    Map<String, List<int[]>> byKeyword = new LinkedHashMap<>();
    Map<String, List<byte[]>> exactByKeyword = new LinkedHashMap<>();
    for (int r = 0; r < this.rules.size(); r++) {
      Rule rule = this.rules.get(r);
      if (!ids.add(rule.id)) {
        throw new IllegalArgumentException("duplicate rule id " + rule.id);
      }
      if (rule.sweeper != null) {
        sweeps.add(rule.sweeper.prepare(rule, this.rules));
      }
      for (String kw : rule.keywords) {
        String folded = kw.toLowerCase(Locale.ROOT);
        byKeyword.computeIfAbsent(folded, k -> new ArrayList<>()).add(new int[] {r});
        exactByKeyword
            .computeIfAbsent(folded, k -> new ArrayList<>())
            .add(rule.caseSensitiveKeywords ? kw.getBytes(StandardCharsets.ISO_8859_1) : null);
      }
    }
    this.rulesOfFile = new int[CredentialFile.values().length][];
    for (CredentialFile f : CredentialFile.values()) {
      rulesOfFile[f.ordinal()] =
          java.util.stream.IntStream.range(0, this.rules.size())
              .filter(r -> this.rules.get(r).filePattern != null && this.rules.get(r).file == f)
              .toArray();
    }
    List<String> keywords = new ArrayList<>(byKeyword.keySet());
    this.index = keywords.isEmpty() ? null : new KeywordIndex(keywords);
    this.rulesOfKeyword = new int[keywords.size()][];
    this.exactOfKeyword = new byte[keywords.size()][][];
    for (int k = 0; k < keywords.size(); k++) {
      // both maps have an entry for every keyword (the loop above adds to both)
      List<int[]> rs = Objects.requireNonNull(byKeyword.get(keywords.get(k)));
      rulesOfKeyword[k] = rs.stream().mapToInt(a -> a[0]).toArray();
      exactOfKeyword[k] =
          Objects.requireNonNull(exactByKeyword.get(keywords.get(k))).toArray(new byte[0][]);
    }
  }

  public List<Rule> rules() {
    return rules;
  }

  public Session newSession() {
    return new Session();
  }

  /** Per-thread scanning state. Not thread-safe; cheap to create, meant to be reused. */
  public final class Session implements KeywordIndex.Hits {
    private final ByteChars chars = new ByteChars();
    private final @Nullable Matcher[] matchers = new @Nullable Matcher[rules.size()];
    private final @Nullable Matcher[] fileMatchers = new @Nullable Matcher[rules.size()];
    private final @Nullable Matcher[] tailMatchers = new @Nullable Matcher[rules.size()];
    private final List<Rule.Sweep> sweepers = new ArrayList<>();
    private final int[] lastFrom = new int[rules.size()];
    private final int[] lastTo = new int[rules.size()];
    private final Set<Long> seen = new HashSet<>();
    private List<Candidate> out = new ArrayList<>();
    private byte[] buf = new byte[0]; // the buffer of the current scan
    private int from;
    private int to;

    private Session() {
      for (int r = 0; r < matchers.length; r++) {
        java.util.regex.Pattern p = rules.get(r).pattern;
        matchers[r] = p == null ? null : p.matcher("");
        java.util.regex.Pattern fp = rules.get(r).filePattern;
        fileMatchers[r] = fp == null ? null : fp.matcher("");
        java.util.regex.Pattern tp = rules.get(r).tailPattern;
        tailMatchers[r] = tp == null ? null : tp.matcher("");
      }
      for (var s : sweeps) {
        sweepers.add(s.get());
      }
    }

    /**
     * Finds the secrets in {@code buf[from, to)}. Offsets in the candidates are indices into {@code
     * buf}. Candidates overlapping a more specific rule's match are dropped.
     */
    public List<Candidate> scan(byte[] buf, int from, int to) {
      return scan(buf, from, to, true);
    }

    /**
     * As {@link #scan(byte[], int, int)}; {@code sweep} false leaves out the sweeping rules (the
     * high-entropy detector), for files whose content is hashes by construction (lock files).
     */
    public List<Candidate> scan(byte[] buf, int from, int to, boolean sweep) {
      return scan(buf, from, to, sweep, CredentialFile.NONE, 1);
    }

    /**
     * As {@link #scan(byte[], int, int, boolean)}, for a buffer of a file of kind {@code file}: the
     * rules that read that kind of file by its path run too. {@code firstLine} is the line of the
     * file the buffer starts at (a patch's block of added lines starts anywhere), 0 when the buffer
     * starts inside a line (a later chunk).
     */
    List<Candidate> scan(
        byte[] buf, int from, int to, boolean sweep, CredentialFile file, int firstLine) {
      this.buf = buf;
      this.from = from;
      this.to = to;
      this.out = new ArrayList<>();
      seen.clear();
      java.util.Arrays.fill(lastFrom, Integer.MAX_VALUE);
      java.util.Arrays.fill(lastTo, Integer.MIN_VALUE);
      chars.reset(buf, 0, to);
      for (Matcher m : matchers) {
        if (m != null) {
          m.reset(chars);
          m.useTransparentBounds(true);
          m.useAnchoringBounds(false);
        }
      }
      if (index != null) {
        index.scan(buf, from, to, this);
      }
      for (int r : rulesOfFile[file.ordinal()]) {
        scanFile(r, firstLine);
      }
      if (sweep) {
        for (Rule.Sweep s : sweepers) {
          s.sweep(buf, from, to, out);
        }
      }
      return resolveOverlaps(out);
    }

    @Override
    public void hit(int keyword, int end) {
      // only the index calls hit(), so it exists
      int kwStart = end - Objects.requireNonNull(index).length(keyword) + 1;
      int kwEnd = end + 1;
      int[] rs = rulesOfKeyword[keyword];
      byte[][] exact = exactOfKeyword[keyword];
      for (int i = 0; i < rs.length; i++) {
        if (exact[i] != null && !equalsAt(exact[i], kwStart)) {
          continue;
        }
        runRule(rs[i], kwStart, kwEnd);
      }
    }

    /**
     * Cheap check before an assignment rule's expression: after the rest of the key name, an
     * optional closing quote and blanks, the line must continue with {@code = : ,}.
     */
    private boolean assignmentFollows(int i, int limit) {
      int end = Math.min(limit, i + 48);
      while (i < end && isNameByte(buf[i])) {
        i++;
      }
      if (i < end && (buf[i] == '"' || buf[i] == '\'')) {
        i++;
      }
      while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
        i++;
      }
      if (i >= end) {
        return false;
      }
      byte c = buf[i];
      return c == '=' || c == ':' || c == ',' || c == '?';
    }

    /**
     * True when only blanks (and, with {@code inName}, the rest of a key name) precede {@code i} on
     * its line.
     */
    /**
     * Cheap check before a URL rule's expression: the authority after {@code ://} holds an
     * {@code @} within the longest {@code user:password} the URL rules accept (64 + 1 + 128 bytes)
     * before any byte that ends it there ({@code /}, white space, a quote, {@code < >}).
     */
    private boolean userInfoFollows(int i, int limit) {
      int end = Math.min(limit, i + USER_INFO_MAX + 1);
      for (; i < end; i++) {
        switch (buf[i]) {
          case '@':
            return true;
          case '/', ' ', '\t', '\n', 0x0b, '\f', '\r', '"', '\'', '`', '<', '>':
            return false;
          default:
            break;
        }
      }
      return false;
    }

    private boolean startsLine(int i, boolean inName) {
      int j = i;
      if (inName) {
        int floor = Math.max(from, i - 64);
        while (j > floor && isNameByte(buf[j - 1])) {
          j--;
        }
      }
      int floor = Math.max(from, j - 64);
      while (j > floor && (buf[j - 1] == ' ' || buf[j - 1] == '\t')) {
        j--;
      }
      return j == from || buf[j - 1] == '\n';
    }

    private boolean equalsAt(byte[] exact, int at) {
      if (at < 0) {
        return false;
      }
      for (int j = 0; j < exact.length; j++) {
        if (buf[at + j] != exact[j]) {
          return false;
        }
      }
      return true;
    }

    private void runRule(int r, int kwStart, int kwEnd) {
      Rule rule = rules.get(r);
      int a = Math.max(from, kwStart - rule.before);
      int b = Math.min(to, kwEnd + rule.after);
      if (rule.needsAssignment && !assignmentFollows(kwEnd, b)) {
        return; // "token" in prose or code that assigns nothing: no need to run the expression
      }
      if (rule.lineStart != Rule.LineStart.ANY
          && !startsLine(kwStart, rule.lineStart == Rule.LineStart.KEY_NAME)) {
        return;
      }
      boolean tokenAtKeyword = rule.before == 0 && rule.kind == Rule.Kind.TOKEN;
      if (!rule.multiline && !tokenAtKeyword) {
        for (int i = kwStart - 1; i >= a; i--) {
          if (buf[i] == '\n') {
            a = i + 1;
            break;
          }
        }
        for (int i = kwEnd; i < b; i++) {
          if (buf[i] == '\n') {
            b = i;
            break;
          }
        }
      }
      // only a sweep rule may lack a pattern; one reached through a keyword fails here as before
      Matcher m = Objects.requireNonNull(matchers[r], "a keyword rule's matcher");
      if (rule.schemeBefore) {
        if (!userInfoFollows(kwEnd, b)) {
          return; // most URLs carry no user:password@: no need to run the expression
        }
        // The match starts at the URL scheme just before "://": walk back over it and anchor there.
        int st = kwStart;
        while (st > a && isSchemeByte(buf[st - 1])) {
          st--;
        }
        m.region(st, b);
        if (m.lookingAt()) {
          accept(r, rule, m, a);
        }
        return;
      }
      if (rule.before == 0) {
        // Anchored: the expression starts with the keyword, so only a match at the keyword counts.
        // lookingAt() fails after a few characters, where find() would retry at every position.
        m.region(kwStart, b);
        if (m.lookingAt()) {
          accept(r, rule, m, a);
        }
        return;
      }
      if (a >= lastFrom[r] && b <= lastTo[r]) {
        return; // this window was already searched for this rule
      }
      lastFrom[r] = a;
      lastTo[r] = b;
      m.region(a, b);
      while (m.find()) {
        accept(r, rule, m, a);
      }
    }

    /**
     * Runs a rule's file pattern over the whole buffer. A line found by the rule's keywords too (a
     * {@code .pgpass} line on port 5432) is reported once: both paths mark the same start as seen.
     */
    private void scanFile(int r, int firstLine) {
      Rule rule = rules.get(r);
      if (rule.wholeFile && to - from > WHOLE_FILE_MAX) {
        return; // a file of that name, but not a line or two: something else
      }
      Matcher m;
      Matcher tail = tailMatchers[r];
      if (!rule.wholeFile || firstLine == 1) {
        // only rules with a file pattern are listed in rulesOfFile
        m = Objects.requireNonNull(fileMatchers[r], "a file rule's matcher");
      } else if (tail != null && firstLine == rule.tailLine) {
        m = tail;
      } else {
        return; // a whole-file format, and the buffer does not start where it would
      }
      m.reset(chars);
      m.useTransparentBounds(true);
      m.useAnchoringBounds(rule.wholeFile); // \A and \z: the buffer's bounds
      m.region(from, to);
      if (rule.wholeFile) {
        if (m.lookingAt()) {
          acceptGroup(r, rule, m);
        }
        return;
      }
      while (m.find()) {
        acceptGroup(r, rule, m);
      }
    }

    private void acceptGroup(int r, Rule rule, Matcher m) {
      int s = m.start("s");
      int e = m.end("s");
      if (s >= 0 && e > s && seen.add(((long) r << 32) | s)) {
        consider(rule, s, e, m);
      }
    }

    private void accept(int r, Rule rule, Matcher m, int windowStart) {
      int s = rule.secretGroup ? m.start("s") : m.start();
      int e = rule.secretGroup ? m.end("s") : m.end();
      if (rule.locator == null && (s < 0 || e <= s)) {
        return; // (a locator finds the secret itself, also where group s did not take part)
      }
      if (rule.rejectMatch != null) {
        // the whole key name counts, including what precedes the keyword (hashed_password)
        int ks = m.start();
        int floor = Math.max(from, ks - 40);
        while (ks > floor && isNameByte(buf[ks - 1])) {
          ks--;
        }
        if (rule.rejectMatch.matcher(chars.toString(ks, m.end())).find()) {
          return;
        }
      }
      if (rule.locator != null) {
        for (int[] span : rule.locator.spans(chars, m, m.regionEnd())) {
          if (span[1] > span[0] && seen.add(((long) r << 32) | span[0])) {
            consider(rule, span[0], span[1], m);
          }
        }
        return;
      }
      if (seen.add(((long) r << 32) | s)) {
        consider(rule, s, e, m);
      }
    }

    private void consider(Rule rule, int s, int e, Matcher m) {
      String value = chars.toString(s, e);
      if (rule.validator != null && !rule.validator.test(value)) {
        return;
      }
      if (rule.decoder != null) {
        value = rule.decoder.apply(chars.toString(m.start(), m.end()), value);
        if (value == null) {
          return;
        }
      }
      if (rejectedAsPlaceholder(rule, value)) {
        return;
      }
      double h = Entropy.shannon(value);
      double expected = Entropy.expectedRandom(value);
      if (rule.randomness > 0 && h < rule.randomness * expected) {
        return;
      }
      Confidence c = rule.confidence;
      if (rule.validatorIsChecksum) {
        c = Confidence.HIGH;
      } else if (rule.confidence == Confidence.LOW && rule.randomness > 0) {
        c = h >= 0.9 * expected ? Confidence.MEDIUM : Confidence.LOW;
      }
      out.add(new Candidate(rule, s, e, value, h, c));
    }
  }

  /**
   * The largest buffer a whole-file pattern is tried on: the formats it describes are a line or
   * two; a bigger file of that name is something else.
   */
  static final int WHOLE_FILE_MAX = 4096;

  /** The longest {@code user:password} (before the {@code @}) a URL rule's expression accepts. */
  static final int USER_INFO_MAX = 64 + 1 + 128;

  private static boolean isSchemeByte(byte b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || b == '+'
        || b == '.'
        || b == '-';
  }

  private static boolean isNameByte(byte b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || b == '_'
        || b == '.'
        || b == '-';
  }

  static boolean rejectedAsPlaceholder(Rule rule, String value) {
    return switch (rule.placeholders) {
      case FULL -> Placeholders.isPlaceholder(value);
      case MARKERS -> Placeholders.hasMarker(value);
      case GENERIC -> Placeholders.isPlaceholder(value) || Placeholders.isWeakGenericValue(value);
      case WORDS -> Placeholders.hasWordMarker(value);
      case URL_PASSWORD ->
          Placeholders.isPlaceholder(value) || Placeholders.isWeakUrlPassword(value);
    };
  }

  private static int priority(Candidate c) {
    return c.rule().kind.ordinal();
  }

  /**
   * Where two candidates overlap, keeps the one from the more specific kind of rule, then the
   * longer one: a GitHub token inside a {@code token = "..."} assignment is reported once, as a
   * GitHub token.
   */
  static List<Candidate> resolveOverlaps(List<Candidate> in) {
    if (in.size() < 2) {
      return in;
    }
    List<Candidate> sorted = new ArrayList<>(in);
    sorted.sort(Comparator.comparingInt(Candidate::start).thenComparingInt(c -> -c.end()));
    List<Candidate> kept = new ArrayList<>();
    outer:
    for (Candidate c : sorted) {
      for (int i = kept.size() - 1; i >= 0; i--) {
        Candidate k = kept.get(i);
        if (k.end() <= c.start()) {
          if (i < kept.size() - 8) {
            break; // kept is sorted by start; far-back entries cannot overlap
          }
          continue;
        }
        boolean overlap = k.start() < c.end() && c.start() < k.end();
        if (!overlap) {
          continue;
        }
        if (k.rule() == c.rule() && k.start() == c.start()) {
          continue outer;
        }
        int pk = priority(k);
        int pc = priority(c);
        if (pc > pk || (pc == pk && (c.end() - c.start()) > (k.end() - k.start()))) {
          kept.remove(i);
        } else {
          continue outer;
        }
      }
      kept.add(c);
    }
    kept.sort(Comparator.comparingInt(Candidate::start));
    return kept;
  }
}
