package dev.warden.scan.internal.detect;

import dev.warden.scan.Confidence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The high-entropy detector: a random-looking string that no provider rule claims, assigned to a
 * key or written as a quoted literal (decision 106).
 *
 * <p>Design note: there is no keyword to wake it, so instead of the prefilter it sweeps the buffer
 * for runs of token characters ({@code A-Z a-z 0-9 + / - _}, {@code =} padding) at least {@link
 * #MIN_RUN} long, probing one byte in {@code MIN_RUN}: a run that long must contain a probe, so
 * prose costs a table lookup per probe and a short walk over the word it lands in. Each run then
 * passes, cheapest first: its context (a quote or an assignment before it, the whole value), its
 * key name (names of hashes, ids, versions, public material are refused), the line's length
 * (minified bundles and source maps are one long line), the entropy model of its alphabet with a
 * character-class mix, the prefixes of known non-secrets (SRI hashes, public keys, vendor prefixes
 * whose own rule decides), and the placeholder filter.
 */
final class HighEntropy {
  /** Runs shorter than this are never looked at (20 random base64 characters carry 120 bits). */
  static final int MIN_RUN = 20;

  /** Runs longer than this are blobs (images, certificates, bundles), not credentials. */
  static final int MAX_RUN = 256;

  /** A line longer than this is minified code or a source map: only secret-named keys count. */
  static final int LONG_LINE = 1000;

  /** Where a run was found; decides the length floors and the confidence. */
  enum Context {
    /** Assigned to a key named like a secret ({@code signing_key}, {@code "x-api-key":}). */
    SECRET_NAME(MIN_RUN, 32),
    /**
     * Assigned to any other key ({@code upstream = "..."}). Hex and base36 are never reported here.
     */
    ANY_NAME(24, Integer.MAX_VALUE),
    /**
     * A quoted literal with no key ({@code connect("svc", "...")}). Hex and base36 are never
     * reported here.
     */
    QUOTED(32, Integer.MAX_VALUE);

    final int minLength;
    final int minHexLength;

    Context(int minLength, int minHexLength) {
      this.minLength = minLength;
      this.minHexLength = minHexLength;
    }
  }

  /**
   * How far below a random string's mean a feature may fall, in standard deviations: each test of
   * {@link #judge} on its own refuses about 1% of uniformly random keys.
   */
  private static final double Z = 2.33;

  /**
   * The alphabets random tokens are drawn from, each with its entropy model: the slack {@code c} in
   * the floor {@code H >= E(n, size) * (1 - c / sqrt(n))}, set at about the 0.5th percentile of
   * uniformly random strings of that alphabet (simulated for n = 20..256), and the rate at which
   * consecutive characters of a random string change class (upper, lower, digit).
   */
  enum Alphabet {
    HEX(16, 0.7, 0.47),
    BASE36(36, 0.6, 0.40),
    ALNUM(62, 0.5, 0.62),
    BASE64(64, 0.5, 0.62),
    BASE64URL(64, 0.5, 0.62);

    final int size;
    final double slack;
    final double randomSwitchRate;

    Alphabet(int size, double slack, double randomSwitchRate) {
      this.size = size;
      this.slack = slack;
      this.randomSwitchRate = randomSwitchRate;
    }

    /** The entropy a value of {@code n} characters must reach to count as random. */
    double floor(int n) {
      return Entropy.expected(n, size) * (1 - slack / Math.sqrt(n));
    }
  }

  private static final byte UPPER = 1;
  private static final byte LOWER = 2;
  private static final byte DIGIT = 4;
  private static final byte PLUS_SLASH = 8;
  private static final byte DASH_UNDERSCORE = 16;
  private static final byte[] CLASS = new byte[256];

  static {
    for (int c = 'A'; c <= 'Z'; c++) {
      CLASS[c] = UPPER;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      CLASS[c] = LOWER;
    }
    for (int c = '0'; c <= '9'; c++) {
      CLASS[c] = DIGIT;
    }
    CLASS['+'] = PLUS_SLASH;
    CLASS['/'] = PLUS_SLASH;
    CLASS['-'] = DASH_UNDERSCORE;
    CLASS['_'] = DASH_UNDERSCORE;
  }

  /**
   * Beginnings of values that are high-entropy but public: SRI and lock-file hashes, DER public
   * keys (SubjectPublicKeyInfo for RSA-1024 to 4096, P-256, P-384, P-521, Ed25519, X25519, Ed448),
   * SSH public key blobs, base64 of PEM certificate and public-key blocks, base64 images (PNG,
   * JPEG, GIF, WebP, SVG, XML).
   */
  private static final List<String> PUBLIC_PREFIXES =
      List.of(
          "sha1-",
          "sha256-",
          "sha384-",
          "sha512-",
          "MIGfMA0GCSqGSIb3DQEBAQUAA4GN",
          "MIIBIjANBgkqhkiG9w0BAQEFAAOC",
          "MIICIjANBgkqhkiG9w0BAQEFAAOC",
          "MIIBojANBgkqhkiG9w0BAQEFAAOC",
          "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
          "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE",
          "MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQ",
          "MCowBQYDK2VwAyEA",
          "MCowBQYDK2VuAyEA",
          "MEMwBQYDK2VxAzoA",
          "AAAAB3NzaC1",
          "AAAAC3NzaC1",
          "AAAAE2VjZHNh",
          "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS",
          "LS0tLS1CRUdJTiBQVUJMSUMgS0VZ",
          "LS0tLS1CRUdJTiBSU0EgUFVCTElDIEtFWS",
          "iVBORw0KGgo",
          "/9j/",
          "R0lGOD",
          "UklGR",
          "PHN2Zy",
          "PD94bWwg");

  /**
   * Key-name segments that name a secret when they end the name ({@code client_secret}, {@code
   * apiKey}).
   */
  private static final Set<String> SECRET_SEGMENTS =
      Set.of(
          "secret",
          "secrets",
          "token",
          "tokens",
          "key",
          "apikey",
          "password",
          "passwd",
          "passphrase",
          "pwd",
          "pass",
          "auth",
          "credential",
          "credentials",
          "creds",
          "cred",
          "bearer");

  /** Qualifiers that may follow the secret word at the end of a name ({@code API_KEY_PROD}). */
  private static final Set<String> QUALIFIERS =
      Set.of(
          "value",
          "prod",
          "production",
          "dev",
          "development",
          "test",
          "staging",
          "stage",
          "live",
          "old",
          "new",
          "current",
          "previous",
          "next",
          "primary",
          "secondary",
          "raw",
          "b64",
          "base64",
          "encoded",
          "str",
          "string",
          "env");

  /** Key-name segments that name a hash, an id, a version or public material: never reported. */
  private static final Set<String> DENIED_SEGMENTS =
      Set.of(
          "hash",
          "hashes",
          "sha",
          "sha1",
          "sha256",
          "sha384",
          "sha512",
          "md5",
          "digest",
          "checksum",
          "integrity",
          "sum",
          "shasum",
          "commit",
          "revision",
          "rev",
          "etag",
          "nonce",
          "csrf",
          "xsrf",
          "uuid",
          "guid",
          "id",
          "ids",
          "identifier",
          "identifiers",
          "sid",
          "kid",
          "version",
          "ref",
          "fingerprint",
          "thumbprint",
          "signature",
          "signatures",
          "sig",
          "public",
          "pub",
          "pubkey",
          "publickey",
          "publishable",
          "cert",
          "certificate",
          "ca",
          "crt",
          "x5c",
          "x5t",
          "image",
          "icon",
          "avatar",
          "logo",
          "thumbnail",
          "mappings",
          "source",
          "sources",
          "file",
          "path",
          "url",
          "uri",
          "href",
          "src",
          "name",
          "type",
          "class",
          "color",
          "font",
          "style",
          "format",
          "pattern",
          "regex",
          "locale",
          "message",
          "text",
          "label",
          "title",
          "description",
          "example",
          "sample",
          "placeholder",
          "cursor",
          "mock",
          "fixture",
          "dummy",
          "fake");

  /** Whole names of public JWK members: EC/OKP coordinates, RSA modulus and exponent. */
  private static final Set<String> PUBLIC_JWK_MEMBERS = Set.of("x", "y", "n", "e");

  private final Rule rule;

  /** {@link #PUBLIC_PREFIXES} and the provider prefixes, indexed by their first byte. */
  private final byte[][][] prefixesByFirstByte = new byte[256][][];

  /**
   * @param rule the rule findings are reported under
   * @param rules the compiled rule set: values starting with a prefix a provider rule matches on
   *     are left to that rule (a GitHub-shaped token with a wrong checksum is not a secret)
   */
  HighEntropy(Rule rule, List<Rule> rules) {
    this.rule = rule;
    List<byte[]> prefixes = new ArrayList<>();
    for (String p : PUBLIC_PREFIXES) {
      prefixes.add(p.getBytes(StandardCharsets.ISO_8859_1));
    }
    for (Rule r : rules) {
      if (r.kind == Rule.Kind.TOKEN && r.before == 0 && r.caseSensitiveKeywords) {
        for (String kw : r.keywords) {
          if (kw.length() >= 3) {
            prefixes.add(kw.getBytes(StandardCharsets.ISO_8859_1));
          }
        }
      }
    }
    for (byte[] p : prefixes) {
      byte[][] list = prefixesByFirstByte[p[0] & 0xff];
      byte[][] grown =
          list == null ? new byte[1][] : java.util.Arrays.copyOf(list, list.length + 1);
      grown[grown.length - 1] = p;
      prefixesByFirstByte[p[0] & 0xff] = grown;
    }
  }

  /** Per-thread state: the bounds of the last line measured, and scratch counters. */
  final class Sweep implements Rule.Sweep {
    private static final int CACHE = 64;
    private final int[] counts = new int[256];
    private final byte[][] cachedNames = new byte[CACHE][];
    private final @Nullable Context[] cachedContexts = new @Nullable Context[CACHE];
    private byte[] b = new byte[0]; // the buffer of the current sweep
    private int from;
    private int to;
    private int lineStart;
    private int lineEnd;

    @Override
    public void sweep(byte[] buf, int from, int to, List<Candidate> out) {
      this.b = buf;
      this.from = from;
      this.to = to;
      this.lineStart = -1;
      this.lineEnd = -1;
      int p = from + MIN_RUN - 1;
      while (p < to) {
        if (CLASS[buf[p] & 0xff] == 0) {
          p += MIN_RUN;
          continue;
        }
        int s = p;
        while (s > from && CLASS[buf[s - 1] & 0xff] != 0) {
          s--;
        }
        int e = p + 1;
        while (e < to && CLASS[buf[e] & 0xff] != 0) {
          e++;
        }
        if (e - s >= MIN_RUN && e - s <= MAX_RUN) {
          consider(s, e, out);
        }
        p = e + MIN_RUN;
      }
    }

    private void consider(int s, int e, List<Candidate> out) {
      byte before = s > from ? b[s - 1] : (byte) '\n';
      boolean quoted = isQuote(before);
      if (!quoted && before != '=' && before != ' ' && before != '\t') {
        return; // most runs in code follow '(', '.', '/' or a line start: no value context
      }
      int end = e;
      while (end < to && end - e < 2 && b[end] == '=') {
        end++;
      }
      if (end > e && end < to && !(quoted ? b[end] == before : isValueEnd(b[end]))) {
        end = e; // the '=' is an operator (a=b), not base64 padding
      }
      if (quoted ? end >= to || b[end] != before : end < to && !isValueEnd(b[end])) {
        return; // part of a longer literal or word: a path, a sentence, a JWT segment
      }
      Context ctx = contextBefore(s, quoted);
      if (ctx == null || e - s < ctx.minLength || startsWithAny(s, e)) {
        return;
      }
      if (ctx != Context.SECRET_NAME && lineLength(s) > LONG_LINE) {
        return;
      }
      double h = judge(b, s, e, ctx, counts);
      if (Double.isNaN(h) || isEncodedText(b, s, end)) {
        return;
      }
      String value = new String(b, s, end - s, StandardCharsets.ISO_8859_1);
      if (Placeholders.isPlaceholder(value)) {
        return;
      }
      out.add(
          new Candidate(
              rule,
              s,
              end,
              value,
              h,
              ctx == Context.SECRET_NAME ? Confidence.MEDIUM : Confidence.LOW));
    }

    /**
     * The context of a value starting at {@code s}, or null when it has none worth reporting: what
     * precedes it (past the opening quote and blanks) must be an assignment operator after a key
     * name ({@code = : := => ?=}), the comma of {@code f("NAME", "value")}, or a command-line flag
     * ({@code --token "..."}); a quoted value with none of these is a bare literal.
     */
    private @Nullable Context contextBefore(int s, boolean quoted) {
      int start = quoted ? s - 2 : s - 1;
      int i = skipBlanksBack(start);
      boolean blank = i < start;
      Context bare = quoted ? Context.QUOTED : null;
      if (i < from) {
        return bare;
      }
      byte c = b[i];
      if (c == '=') {
        boolean comparison =
            i > from && (b[i - 1] == '=' || b[i - 1] == '!' || b[i - 1] == '<' || b[i - 1] == '>');
        return comparison ? bare : nameBefore(i, false, bare);
      }
      if (c == '>' && i > from && b[i - 1] == '=') {
        return nameBefore(i - 1, false, bare); // PHP/Ruby '=>'
      }
      if (c == ':' && (quoted || blank)) {
        return nameBefore(i, false, bare); // "h1:abc" (go.sum), "host:8080/x" are not assignments
      }
      if (c == ',' && quoted) {
        return nameBefore(i, true, bare);
      }
      if (blank && isNameByte(c)) {
        int k = i;
        int floor = Math.max(from, i - 64);
        while (k > floor && isNameByte(b[k - 1])) {
          k--;
        }
        int name = k;
        while (name <= i && b[name] == '-') {
          name++;
        }
        boolean flag = name > k && name <= i && (k == from || b[k - 1] == ' ' || b[k - 1] == '\t');
        if (flag) {
          return classifyCached(name, i + 1);
        }
      }
      return bare;
    }

    /**
     * The context a key name gives its value, null when the name is denied. {@code op} is the index
     * of the operator ('=', ':', ',' or the '=' of '=>'); compound operators ({@code :=}, {@code
     * ?=}, {@code +=}) are stepped over, then a closing quote or bracket, then the name. {@code
     * bare} is the answer when there is no name.
     */
    private @Nullable Context nameBefore(int op, boolean comma, @Nullable Context bare) {
      int i = op - 1;
      while (!comma && i >= from && (b[i] == ':' || b[i] == '?' || b[i] == '+' || b[i] == '|')) {
        i--;
      }
      i = skipBlanksBack(i);
      byte quote = 0;
      if (i >= from && isQuote(b[i])) {
        quote = b[i];
        i--;
      } else if (i >= from && b[i] == ']') {
        i--;
        if (i >= from && isQuote(b[i])) {
          quote = b[i];
          i--;
        }
      }
      if (comma && quote == 0) {
        return bare; // f(x, "value"): an argument, not a named one
      }
      int nameEnd = i + 1;
      int floor = Math.max(from, nameEnd - 64);
      while (i >= floor && isNameByte(b[i])) {
        i--;
      }
      int nameStart = i + 1;
      if (nameStart >= nameEnd || quote != 0 && (i < from || b[i] != quote)) {
        return bare;
      }
      Context named = classifyCached(nameStart, nameEnd);
      // f("NAME", "value") names its value only when NAME is a secret's name (setenv, headers.put)
      return comma && named == Context.ANY_NAME ? bare : named;
    }

    /**
     * {@link #classifyName} through a small direct-mapped cache: the same few key names ({@code
     * "sha"}, {@code "integrity"}, {@code id}) repeat on every line of lock and data files.
     */
    private @Nullable Context classifyCached(int start, int end) {
      int h = 0;
      for (int i = start; i < end; i++) {
        h = 31 * h + b[i];
      }
      int slot = (h ^ (h >>> 16)) & (CACHE - 1);
      byte[] name = cachedNames[slot];
      if (name != null && java.util.Arrays.equals(name, 0, name.length, b, start, end)) {
        return cachedContexts[slot];
      }
      Context c = classifyName(new String(b, start, end - start, StandardCharsets.ISO_8859_1));
      cachedNames[slot] = java.util.Arrays.copyOfRange(b, start, end);
      cachedContexts[slot] = c; // null (denied) is cached too
      return c;
    }

    private int skipBlanksBack(int i) {
      while (i >= from && (b[i] == ' ' || b[i] == '\t')) {
        i--;
      }
      return i;
    }

    /**
     * The length of the line holding {@code pos}. Lines are measured once: candidates come in
     * order, so a long minified line is walked a single time however many runs it holds.
     */
    private int lineLength(int pos) {
      if (pos >= lineStart && pos < lineEnd) {
        return lineEnd - lineStart;
      }
      int floor = lineEnd >= from && lineEnd <= pos ? lineEnd : from;
      int a = pos;
      while (a > floor && b[a - 1] != '\n') {
        a--;
      }
      int z = pos;
      while (z < to && b[z] != '\n') {
        z++;
      }
      lineStart = a;
      lineEnd = z;
      return z - a;
    }

    /** True when the run starts with a public value's prefix or a provider rule's prefix. */
    private boolean startsWithAny(int s, int e) {
      byte[][] candidates = prefixesByFirstByte[b[s] & 0xff];
      if (candidates == null) {
        return false;
      }
      outer:
      for (byte[] p : candidates) {
        if (p.length > e - s) {
          continue;
        }
        for (int j = 1; j < p.length; j++) {
          if (b[s + j] != p[j]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    }
  }

  /**
   * Whether files at {@code path} are swept. Lock files, checksum lists, minified bundles and
   * source maps hold hashes and generated identifiers by construction: every rule of their content
   * still runs, only the catch-all does not (their shapes are refused anyway, but walking their
   * long base64 runs cost a fifth of the tree throughput). Other tools skip these paths too.
   */
  static boolean sweeps(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    String name = path.substring(slash + 1).toLowerCase(Locale.ROOT);
    return !(SKIPPED_NAMES.contains(name)
        || name.endsWith(".lock")
        || name.endsWith(".lockfile")
        || name.endsWith(".min.js")
        || name.endsWith(".min.css")
        || name.endsWith(".map")
        || name.endsWith(".sha256")
        || name.endsWith(".sha512")
        || name.endsWith(".md5")
        || name.endsWith("sums"));
  }

  private static final Set<String> SKIPPED_NAMES =
      Set.of(
          "package-lock.json",
          "npm-shrinkwrap.json",
          "pnpm-lock.yaml",
          "go.sum",
          "packages.lock.json",
          "package.resolved",
          "bun.lockb",
          "checksums.txt");

  Sweep newSweep() {
    return new Sweep();
  }

  /** The hook that plugs this detector into a {@link Rule}. */
  static Rule.Sweeper sweeper() {
    return (self, rules) -> new HighEntropy(self, rules)::newSweep;
  }

  /**
   * The context a key name gives: null if one of its segments names a hash, an id, a version or
   * public material (denial wins: {@code public_key}, {@code secret_hash}, {@code session_id});
   * {@code SECRET_NAME} if it ends with a secret word, possibly followed by qualifiers ({@code
   * client_secret}, {@code apiKey}, {@code API_KEY_PROD}, {@code api_key_2}); else {@code
   * ANY_NAME}. Only the end counts: {@code SecretKeyFactory}, {@code tokenizer_model}, {@code
   * SECRET_KEY_ALGORITHM} name something else.
   */
  static @Nullable Context classifyName(String name) {
    if (PUBLIC_JWK_MEMBERS.contains(name)) {
      return null;
    }
    List<String> segments = segments(name);
    for (String segment : segments) {
      if (DENIED_SEGMENTS.contains(segment)) {
        return null;
      }
    }
    for (int i = segments.size() - 1; i >= 0; i--) {
      String segment = segments.get(i);
      if (isSecretWord(segment)) {
        return Context.SECRET_NAME;
      }
      if (!QUALIFIERS.contains(segment) && !segment.chars().allMatch(Character::isDigit)) {
        break;
      }
    }
    return Context.ANY_NAME;
  }

  private static boolean isSecretWord(String segment) {
    return SECRET_SEGMENTS.contains(segment)
        || segment.endsWith("secret")
        || segment.endsWith("token")
        || segment.endsWith("password")
        || segment.endsWith("apikey")
        || segment.endsWith("privatekey")
        || segment.endsWith("accesskey")
        || segment.endsWith("secretkey");
  }

  /** {@code X-Api-Key}, {@code clientSecret}, {@code db.signing_key} into lowercase words. */
  static List<String> segments(String name) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean boundary = c == '_' || c == '-' || c == '.';
      boolean camel =
          i > 0 && Character.isUpperCase(c) && Character.isLowerCase(name.charAt(i - 1));
      if (boundary || camel) {
        if (!cur.isEmpty()) {
          out.add(cur.toString().toLowerCase(Locale.ROOT));
          cur.setLength(0);
        }
        if (boundary) {
          continue;
        }
      }
      cur.append(c);
    }
    if (!cur.isEmpty()) {
      out.add(cur.toString().toLowerCase(Locale.ROOT));
    }
    return out;
  }

  /** Convenience for tests: {@link #judge(byte[], int, int, Context, int[])} on a string. */
  static double judge(String value, Context ctx) {
    byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
    return judge(v, 0, v.length, ctx, new int[256]);
  }

  /**
   * The value's entropy in bits per character if it looks random for its alphabet in this context,
   * NaN if not: its alphabet is one of {@link Alphabet}, it is long enough, it mixes the classes a
   * random string of that alphabet has (letters and digits; both cases for the 62- and 64-symbol
   * alphabets), it changes class often enough (camelCase words change class once a word), it is not
   * mostly words, and its entropy reaches the alphabet's floor. The switch rate and word share are
   * held to about the 1st percentile of random keys of the same length.
   */
  static double judge(byte[] b, int s, int e, Context ctx, int[] counts) {
    int n = e - s;
    int seen = 0;
    int letters = 0;
    int vowels = 0;
    int switches = 0;
    int classed = 0;
    int prev = 0;
    int word = 0; // length of the current run of lowercase letters
    int wordCover = 0;
    boolean hexLetters = true;
    for (int i = s; i < e; i++) {
      int c = b[i] & 0xff;
      byte k = CLASS[c];
      seen |= k;
      if (k == UPPER || k == LOWER) {
        letters++;
        int lower = c | 0x20;
        if (lower == 'a' || lower == 'e' || lower == 'i' || lower == 'o' || lower == 'u') {
          vowels++;
        }
        hexLetters &= lower <= 'f';
      }
      if (k == UPPER || k == LOWER || k == DIGIT) {
        if (prev != 0 && prev != k) {
          switches++;
        }
        prev = k;
        classed++;
      }
      if (k == LOWER) {
        word++;
      } else {
        wordCover += coveredBy(word, b, s, i);
        word = 0;
      }
    }
    wordCover += coveredBy(word, b, s, e);
    Alphabet alphabet = alphabetOf(seen, hexLetters);
    if (alphabet == null) {
      return Double.NaN;
    }
    boolean hasLetter = (seen & (UPPER | LOWER)) != 0;
    boolean hasDigit = (seen & DIGIT) != 0;
    if (!hasLetter || !hasDigit) {
      return Double.NaN;
    }
    if (alphabet == Alphabet.HEX ? n < ctx.minHexLength : n < ctx.minLength) {
      return Double.NaN;
    }
    if (alphabet == Alphabet.BASE36 && ctx != Context.SECRET_NAME) {
      return Double.NaN; // lowercase-and-digit ids (cuid, slugs) are too common to report unnamed
    }
    boolean bothCases = (seen & UPPER) != 0 && (seen & LOWER) != 0;
    if (alphabet.size >= 62 && !bothCases) {
      return Double.NaN;
    }
    double p = alphabet.randomSwitchRate;
    double switchRate = classed > 1 ? (double) switches / (classed - 1) : 0;
    if (classed < 2 || switchRate < p - Z * Math.sqrt(p * (1 - p) / (classed - 1))) {
      return Double.NaN;
    }
    // random base64 is about a quarter "words" by chance, with a spread that shrinks with length
    if (alphabet.size >= 62 && (double) wordCover / n > 0.3 + 2 / Math.sqrt(n)) {
      return Double.NaN;
    }
    if (alphabet == Alphabet.BASE36 && letters > 0 && (double) vowels / letters > 0.45) {
      return Double.NaN;
    }
    double h = Entropy.shannon(b, s, e, counts);
    return h >= alphabet.floor(n) ? h : Double.NaN;
  }

  /**
   * Characters covered by a word ending just before {@code end} in a value starting at {@code s}:
   * {@code word} lowercase letters, plus the capital before them if there is one. A word is three
   * lowercase letters, or two after a capital ({@code Key}, {@code And}).
   */
  private static int coveredBy(int word, byte[] b, int s, int end) {
    int start = end - word;
    boolean capital = start > s && CLASS[b[start - 1] & 0xff] == UPPER;
    if (word >= 3 || word == 2 && capital) {
      return capital ? word + 1 : word;
    }
    return 0;
  }

  /**
   * True when the value is base64 of readable text (a JSON document, a sentence, a setting name)
   * rather than of random bytes: encoded data, not a key. Base64 of a credential-shaped text
   * ({@code user:password}, a random-looking password) is not "text" and stays reportable.
   */
  static boolean isEncodedText(byte[] b, int s, int end) {
    return isEncodedText(new String(b, s, end - s, StandardCharsets.ISO_8859_1));
  }

  /** See {@link #isEncodedText(byte[], int, int)}. */
  static boolean isEncodedText(String v) {
    String body =
        v.endsWith("==")
            ? v.substring(0, v.length() - 2)
            : v.endsWith("=") ? v.substring(0, v.length() - 1) : v;
    if (body.length() % 4 == 1) {
      return false;
    }
    byte[] decoded;
    try {
      boolean url = body.indexOf('-') >= 0 || body.indexOf('_') >= 0;
      decoded =
          (url ? java.util.Base64.getUrlDecoder() : java.util.Base64.getDecoder())
              .decode(body + "==".substring(0, (4 - body.length() % 4) % 4));
    } catch (IllegalArgumentException e) {
      return false;
    }
    boolean structure = false;
    for (byte x : decoded) {
      if (x < 0x20 && x != '\t' && x != '\n' && x != '\r' || x == 0x7f) {
        return false; // binary: random key material
      }
      structure |=
          x == ' ' || x == '\t' || x == '\n' || x == '{' || x == '"' || x == '<' || x == '[';
    }
    if (decoded.length < 12) {
      return false;
    }
    return structure || wordCover(decoded, 0, decoded.length) * 2 > decoded.length;
  }

  /** Characters of {@code b[s, e)} inside lowercase words (see {@link #coveredBy}). */
  static int wordCover(byte[] b, int s, int e) {
    int word = 0;
    int cover = 0;
    for (int i = s; i < e; i++) {
      if (CLASS[b[i] & 0xff] == LOWER) {
        word++;
      } else {
        cover += coveredBy(word, b, s, i);
        word = 0;
      }
    }
    return cover + coveredBy(word, b, s, e);
  }

  private static @Nullable Alphabet alphabetOf(int seen, boolean hexLetters) {
    boolean upper = (seen & UPPER) != 0;
    boolean lower = (seen & LOWER) != 0;
    boolean plusSlash = (seen & PLUS_SLASH) != 0;
    boolean dashUnderscore = (seen & DASH_UNDERSCORE) != 0;
    if (plusSlash && dashUnderscore) {
      return null; // both base64 alphabets at once: a path or a sentence, not a token
    }
    if (plusSlash) {
      return Alphabet.BASE64;
    }
    if (dashUnderscore) {
      return Alphabet.BASE64URL;
    }
    if (upper && lower) {
      return Alphabet.ALNUM;
    }
    return hexLetters ? Alphabet.HEX : Alphabet.BASE36;
  }

  private static boolean isQuote(byte c) {
    return c == '"' || c == '\'' || c == '`';
  }

  /**
   * What may follow an unquoted value: the end of the line, a blank, a separator, a comment, the
   * next query parameter ({@code ?token=...&}) or the quote closing a URL it sits in.
   */
  private static boolean isValueEnd(byte c) {
    return c == '\n' || c == '\r' || c == ' ' || c == '\t' || c == ',' || c == ';' || c == '#'
        || c == '}' || c == ')' || c == ']' || c == '&' || c == '"' || c == '\'';
  }

  private static boolean isNameByte(byte c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.'
        || c == '-';
  }
}
