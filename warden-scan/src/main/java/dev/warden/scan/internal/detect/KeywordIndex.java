package dev.warden.scan.internal.detect;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An Aho-Corasick automaton over ASCII-case-folded bytes, compiled to a dense DFA.
 *
 * <p>Design note: bytes are first mapped to a small alphabet of equivalence classes (one per
 * distinct keyword byte, upper and lower case folded together, everything else class 0), so the
 * transition table is {@code states x classes} ints and stays in the L2 cache even with a few
 * hundred keywords. Table entries hold {@code target * classes} so the hot loop needs no
 * multiplication, and are stored bit-inverted (negative) when the target state emits a keyword, so
 * the common case costs one load, one add and one sign test per byte.
 */
final class KeywordIndex {
  private final byte[] classOf = new byte[256];
  private final int classes;
  private final int[] delta;

  /** Keyword ids emitted by each state (null when none), indexed by {@code state * classes}. */
  private final int[][] outputs;

  private final int[] lengths;

  /** The longest keyword, in bytes. */
  private final int longest;

  KeywordIndex(List<String> keywords) {
    if (keywords.isEmpty()) {
      throw new IllegalArgumentException("at least one keyword is needed");
    }
    byte[][] kws = new byte[keywords.size()][];
    int next = 1;
    for (int k = 0; k < kws.length; k++) {
      String kw = keywords.get(k).toLowerCase(Locale.ROOT);
      if (kw.isEmpty()) {
        throw new IllegalArgumentException("empty keyword");
      }
      kws[k] = kw.getBytes(StandardCharsets.ISO_8859_1);
      for (byte b : kws[k]) {
        int u = b & 0xff;
        if (classOf[u] == 0) {
          if (next > 127) {
            throw new IllegalArgumentException("too many distinct keyword bytes");
          }
          classOf[u] = (byte) next;
          int upper = Character.toUpperCase(u);
          if (upper < 128 && upper != u) {
            classOf[upper] = (byte) next;
          }
          next++;
        }
      }
    }
    classes = next;
    lengths = new int[kws.length];
    int max = 0;
    for (byte[] kw : kws) {
      max = Math.max(max, kw.length);
    }
    longest = max;

    // Trie.
    List<int[]> go = new ArrayList<>();
    List<List<Integer>> out = new ArrayList<>();
    go.add(newRow());
    out.add(new ArrayList<>());
    for (int k = 0; k < kws.length; k++) {
      lengths[k] = kws[k].length;
      int s = 0;
      for (byte b : kws[k]) {
        int c = classOf[b & 0xff];
        if (go.get(s)[c] < 0) {
          go.get(s)[c] = go.size();
          go.add(newRow());
          out.add(new ArrayList<>());
        }
        s = go.get(s)[c];
      }
      out.get(s).add(k);
    }
    // Failure links by BFS, turning the trie into a complete DFA.
    int n = go.size();
    int[] fail = new int[n];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    int[] root = go.get(0);
    for (int c = 0; c < classes; c++) {
      if (root[c] < 0) {
        root[c] = 0;
      } else {
        fail[root[c]] = 0;
        queue.add(root[c]);
      }
    }
    while (!queue.isEmpty()) {
      int s = queue.poll();
      out.get(s).addAll(out.get(fail[s]));
      int[] row = go.get(s);
      for (int c = 0; c < classes; c++) {
        int t = row[c];
        if (t < 0) {
          row[c] = go.get(fail[s])[c];
        } else {
          fail[t] = go.get(fail[s])[c];
          queue.add(t);
        }
      }
    }
    delta = new int[n * classes];
    outputs = new int[n * classes][];
    for (int s = 0; s < n; s++) {
      if (!out.get(s).isEmpty()) {
        outputs[s * classes] = out.get(s).stream().mapToInt(Integer::intValue).distinct().toArray();
      }
    }
    for (int s = 0; s < n; s++) {
      int[] row = go.get(s);
      for (int c = 0; c < classes; c++) {
        int t = row[c];
        int v = t * classes;
        delta[s * classes + c] = out.get(t).isEmpty() ? v : ~v;
      }
    }
  }

  private int[] newRow() {
    int[] row = new int[classes == 0 ? 128 : classes];
    Arrays.fill(row, -1);
    return row;
  }

  /** Receives keyword hits: the keyword id and the index of the keyword's last byte. */
  interface Hits {
    void hit(int keyword, int end);
  }

  /** Below this many bytes a buffer is walked as one stream: the split is not worth its set-up. */
  static final int SPLIT_MIN = 8192;

  /**
   * Runs the automaton over {@code buf[from, to)}, reporting every keyword occurrence in order of
   * its last byte.
   *
   * <p>The walk is one dependent load after another (the next state needs the previous), so a
   * single stream leaves the core waiting on memory. A long buffer is walked as two independent
   * streams in the same loop, the first half and the second: the second starts {@code longest - 1}
   * bytes before the middle, so every keyword ending in the second half is seen whole, and reports
   * only those; its hits are held back and reported after the first half's, keeping the order.
   */
  void scan(byte[] buf, int from, int to, Hits hits) {
    if (to - from < SPLIT_MIN) {
      walk(buf, from, to, hits);
      return;
    }
    final byte[] cls = classOf;
    final int[] d = delta;
    int mid = from + (to - from) / 2;
    int i = from;
    int j = Math.max(from, mid - (longest - 1));
    int s1 = 0;
    int s2 = 0;
    HeldHits held = this.held.get();
    held.size = 0;
    for (; i < mid; i++, j++) {
      int v1 = d[s1 + cls[buf[i] & 0xff]];
      int v2 = d[s2 + cls[buf[j] & 0xff]];
      if ((v1 | v2) >= 0) {
        s1 = v1;
        s2 = v2;
        continue;
      }
      if (v1 < 0) {
        s1 = ~v1;
        for (int k : outputs[s1]) {
          hits.hit(k, i);
        }
      } else {
        s1 = v1;
      }
      if (v2 < 0) {
        s2 = ~v2;
        if (j >= mid) {
          for (int k : outputs[s2]) {
            held.add(k, j);
          }
        }
      } else {
        s2 = v2;
      }
    }
    for (int h = 0; h < held.size; h++) {
      hits.hit(held.keywords[h], held.ends[h]);
    }
    // the second stream's tail, past where the first stream stopped
    for (; j < to; j++) {
      int v = d[s2 + cls[buf[j] & 0xff]];
      if (v >= 0) {
        s2 = v;
      } else {
        s2 = ~v;
        if (j >= mid) {
          for (int k : outputs[s2]) {
            hits.hit(k, j);
          }
        }
      }
    }
  }

  /** One stream over {@code buf[from, to)}. */
  private void walk(byte[] buf, int from, int to, Hits hits) {
    final byte[] cls = classOf;
    final int[] d = delta;
    int s = 0;
    for (int i = from; i < to; i++) {
      int v = d[s + cls[buf[i] & 0xff]];
      if (v >= 0) {
        s = v;
      } else {
        s = ~v;
        for (int k : outputs[s]) {
          hits.hit(k, i);
        }
      }
    }
  }

  /** The second stream's hits, held until the first stream's are reported; one per thread. */
  private static final class HeldHits {
    int[] keywords = new int[256];
    int[] ends = new int[256];
    int size;

    void add(int keyword, int end) {
      if (size == keywords.length) {
        keywords = Arrays.copyOf(keywords, size * 2);
        ends = Arrays.copyOf(ends, size * 2);
      }
      keywords[size] = keyword;
      ends[size] = end;
      size++;
    }
  }

  private final ThreadLocal<HeldHits> held = ThreadLocal.withInitial(HeldHits::new);

  int length(int keyword) {
    return lengths[keyword];
  }

  int states() {
    return delta.length / classes;
  }

  /** For diagnostics: keyword count by first letter. */
  Map<String, Integer> stats() {
    Map<String, Integer> m = new HashMap<>();
    m.put("states", states());
    m.put("classes", classes);
    m.put("keywords", lengths.length);
    return m;
  }
}
