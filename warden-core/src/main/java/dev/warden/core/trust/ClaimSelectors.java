package dev.warden.core.trust;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.Selector;
import java.math.BigInteger;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a trust provider turns a verified token into selectors: its provider and issuer, the subject,
 * and the claims its preset and spec map to selector keys.
 */
final class ClaimSelectors {
  /** A claim whose value fills a selector key. */
  record Mapping(ClaimPath claim, String key) {}

  private final String selectorType;
  private final List<Mapping> mappings;
  private final Selector providerSelector;
  private final Selector issuerSelector;

  ClaimSelectors(String provider, String selectorType, String issuer, List<Mapping> mappings) {
    this.selectorType = selectorType;
    this.mappings = List.copyOf(mappings);
    this.providerSelector = new Selector("trust", "provider", provider);
    this.issuerSelector = new Selector(selectorType, "iss", issuer);
  }

  /**
   * The selectors of a verified token: {@code trust:provider}, {@code iss}, {@code sub}, then one
   * per value of each mapped claim (an array gives one each; objects and nested arrays none).
   *
   * @throws DeniedException MALFORMED_TOKEN when a value is too long to become a selector
   */
  Set<Selector> of(String sub, Map<String, Object> claims) {
    Set<Selector> selectors = new LinkedHashSet<>();
    selectors.add(providerSelector);
    selectors.add(issuerSelector);
    selectors.add(new Selector(selectorType, "sub", checkLength("sub", sub)));
    for (Mapping m : mappings) {
      addSelectors(selectors, m, m.claim().resolve(claims));
    }
    return selectors;
  }

  /** The selectors rule in words, for {@link CompiledProvider#rules}. */
  String rule(String provider) {
    StringBuilder sel =
        new StringBuilder(
            "selectors: trust:provider="
                + provider
                + ", "
                + selectorType
                + ":iss, "
                + selectorType
                + ":sub");
    for (Mapping m : mappings) {
      sel.append(", ")
          .append(selectorType)
          .append(':')
          .append(m.key())
          .append(" from ")
          .append(m.claim());
    }
    return sel.toString();
  }

  private void addSelectors(Set<Selector> out, Mapping m, Object v) {
    if (v instanceof List<?> l) {
      for (Object e : l) {
        addScalar(out, m, e);
      }
    } else {
      addScalar(out, m, v);
    }
  }

  private void addScalar(Set<Selector> out, Mapping m, Object v) {
    String s;
    if (v instanceof String str) {
      s = str;
    } else if (v instanceof Boolean || v instanceof Long || v instanceof BigInteger) {
      s = v.toString();
    } else if (v instanceof Double d) {
      s =
          Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e15
              ? Long.toString(d.longValue())
              : d.toString();
    } else {
      return; // absent, null, object, nested array
    }
    if (!s.isEmpty()) {
      out.add(new Selector(selectorType, m.key(), checkLength(m.claim().toString(), s)));
    }
  }

  private static String checkLength(String claim, String value) {
    if (value.length() > CompiledProvider.MAX_SELECTOR_VALUE) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN,
          "claim '"
              + claim
              + "' is longer than "
              + CompiledProvider.MAX_SELECTOR_VALUE
              + " characters and cannot become a selector");
    }
    return value;
  }
}
