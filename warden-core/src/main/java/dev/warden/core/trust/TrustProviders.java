package dev.warden.core.trust;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.TrustProviderSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The configured OIDC/JWT trust providers, compiled, as one immutable snapshot: verifies platform
 * tokens (Kubernetes service-account tokens, GitHub Actions and GitLab CI ID tokens, any OIDC
 * issuer) into an {@link AttestedIdentity}.
 *
 * <p>The owner keeps the current snapshot in one {@code AtomicReference} and, when configuration
 * changes, swaps in {@link #rebuild(List)}: readers never see half an update, and providers whose
 * spec did not change keep their fetched keys and their cached verifications.
 *
 * <p>Validation is strict and never driven by the token: the unverified {@code iss} only picks the
 * provider; {@code alg} must be in that provider's allow-list (so {@code none} and HMAC always
 * fail); {@code crit}, nested and encrypted tokens are refused; the key is looked up by {@code kid}
 * only in that provider's JWKS — {@code jku}, {@code x5u}, {@code x5c} and {@code jwk} headers are
 * never followed nor used; then signature, exact {@code iss}, {@code aud}, {@code exp}, {@code
 * nbf}, {@code iat} and maximum age, required claims. See
 * docs/decisions/301-trust-jwt-validation.md.
 */
public final class TrustProviders {
  /** Longest token accepted, in characters (bytes: a valid token is ASCII): 16 KiB. */
  public static final int MAX_TOKEN_LENGTH = ParsedJwt.MAX_TOKEN_LENGTH;

  private record Runtime(
      DocumentFetcher fetcher, Clock clock, TrustOptions options, VerifiedTokenCache cache) {}

  private final Runtime rt;
  private final Map<String, CompiledProvider> byName;
  private final Map<String, CompiledProvider> byIssuer;

  /** Stored providers that do not compile: name to reason. */
  private final Map<String, String> disabled;

  /** Issuer key of each disabled provider to the denial message its tokens get. */
  private final Map<String, String> disabledIssuers;

  private TrustProviders(
      Runtime rt,
      Map<String, CompiledProvider> byName,
      Map<String, String> disabled,
      Map<String, String> disabledIssuers) {
    this.rt = rt;
    this.byName = Map.copyOf(byName);
    Map<String, CompiledProvider> iss = new LinkedHashMap<>();
    for (CompiledProvider p : byName.values()) {
      iss.put(issuerKey(p.issuer), p);
    }
    this.byIssuer = Map.copyOf(iss);
    this.disabled = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(disabled));
    this.disabledIssuers = Map.copyOf(disabledIssuers);
  }

  /**
   * Checks that one spec compiles, as {@link #build} would; no I/O.
   *
   * @throws ValidationException naming the provider and field when it cannot work
   */
  public static void check(TrustProviderSpec spec, Clock clock) {
    CompiledProvider.compile(spec, NO_FETCH, clock, TrustOptions.defaults());
  }

  /** Compiling never fetches: remote keys are fetched on first use, which a check never makes. */
  private static final DocumentFetcher NO_FETCH =
      uri -> {
        throw new IllegalStateException("compiling a trust provider fetched " + uri);
      };

  /** The issuer key used to match tokens to providers (trailing slashes dropped). */
  public static String issuerOf(TrustProviderSpec spec) {
    return issuerKey(spec.issuer());
  }

  /**
   * Compiles {@code specs} with {@link TrustOptions#defaults()}. No I/O happens here: remote keys
   * are fetched on first use.
   *
   * @throws ValidationException naming the provider and field when a spec cannot work (two
   *     providers with the same name or issuer, a bad claim mapping, an unusable inline JWKS)
   */
  public static TrustProviders build(
      List<TrustProviderSpec> specs, DocumentFetcher fetcher, Clock clock) {
    return build(specs, fetcher, clock, TrustOptions.defaults());
  }

  /**
   * Compiles {@code specs}.
   *
   * @param fetcher fetches discovery documents and JWKS; never called for inline JWKS
   * @param clock the only source of time for every check
   * @throws ValidationException as {@link #build(List, DocumentFetcher, Clock)}
   */
  public static TrustProviders build(
      List<TrustProviderSpec> specs, DocumentFetcher fetcher, Clock clock, TrustOptions options) {
    return create(specs, fetcher, clock, options, true);
  }

  /**
   * Compiles the stored providers as {@link #build(List, DocumentFetcher, Clock, TrustOptions)}
   * does, but never fails for one bad provider: a spec that does not compile (an inline JWKS no
   * longer usable, a mapping a newer release refuses, a second provider for an issuer) is disabled
   * — tokens from its issuer are denied with {@link Reason#PROVIDER_DISABLED} — and listed by
   * {@link #disabled()}, while every other provider works. What a server starts from.
   */
  public static TrustProviders load(
      List<TrustProviderSpec> specs, DocumentFetcher fetcher, Clock clock, TrustOptions options) {
    return create(specs, fetcher, clock, options, false);
  }

  private static TrustProviders create(
      List<TrustProviderSpec> specs,
      DocumentFetcher fetcher,
      Clock clock,
      TrustOptions options,
      boolean strict) {
    Objects.requireNonNull(fetcher, "fetcher");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(options, "options");
    VerifiedTokenCache cache =
        options.verifiedTokenCacheSize() == 0
            ? null
            : new VerifiedTokenCache(options.verifiedTokenCacheSize());
    return compile(specs, new Runtime(fetcher, clock, options, cache), Map.of(), strict);
  }

  /**
   * A new snapshot for {@code specs} that shares this one's fetcher, clock, options and cache, and
   * reuses every provider whose spec is unchanged (with its keys). This snapshot stays valid. Bad
   * specs are disabled as in {@link #load}.
   */
  public TrustProviders rebuild(List<TrustProviderSpec> specs) {
    return compile(specs, rt, byName, false);
  }

  private static TrustProviders compile(
      List<TrustProviderSpec> specs,
      Runtime rt,
      Map<String, CompiledProvider> old,
      boolean strict) {
    Objects.requireNonNull(specs, "specs");
    Map<String, CompiledProvider> byName = new LinkedHashMap<>();
    Map<String, String> issuers = new LinkedHashMap<>();
    Map<String, String> disabled = new LinkedHashMap<>();
    Map<String, String> disabledIssuers = new LinkedHashMap<>();
    for (TrustProviderSpec spec : specs) {
      Objects.requireNonNull(spec, "spec");
      String problem = null;
      if (byName.containsKey(spec.name()) || disabled.containsKey(spec.name())) {
        problem = "two trust providers have this name";
        if (strict) {
          throw new ValidationException("trustProviders." + spec.name(), problem);
        }
      } else {
        String other = issuers.putIfAbsent(issuerKey(spec.issuer()), spec.name());
        if (other != null) {
          problem =
              "trust provider '"
                  + other
                  + "' has the same issuer; a token's iss must select exactly one provider";
          if (strict) {
            throw new ValidationException("trustProviders." + spec.name() + ".issuer", problem);
          }
        }
      }
      if (problem == null) {
        CompiledProvider prev = old.get(spec.name());
        try {
          byName.put(
              spec.name(),
              prev != null && prev.spec.equals(spec)
                  ? prev
                  : CompiledProvider.compile(spec, rt.fetcher(), rt.clock(), rt.options()));
          continue;
        } catch (ValidationException e) {
          if (strict) {
            throw e;
          }
          problem = e.getMessage();
          issuers.remove(issuerKey(spec.issuer()));
        }
      }
      disabled.putIfAbsent(spec.name(), problem);
      disabledIssuers.putIfAbsent(
          issuerKey(spec.issuer()),
          "trust provider '"
              + spec.name()
              + "' for this issuer is disabled because its configuration no longer compiles; an administrator must fix it"
              + " (warden get trustprovider "
              + spec.name()
              + ")");
    }
    disabledIssuers.keySet().removeAll(issuers.keySet());
    return new TrustProviders(rt, byName, disabled, disabledIssuers);
  }

  /**
   * Providers that are stored but do not compile, by name, with the reason; their tokens are
   * denied.
   */
  public Map<String, String> disabled() {
    return disabled;
  }

  /**
   * Verifies a platform token (a compact JWS, as sent in {@code client_assertion}).
   *
   * @return the attested identity; the same token verified again may return the same object
   * @throws DeniedException with the reason of the first rule broken — TOKEN_TOO_LARGE,
   *     MALFORMED_TOKEN, MISSING_CLAIM, UNKNOWN_ISSUER, ALG_NOT_ALLOWED, UNKNOWN_KID,
   *     JWKS_UNAVAILABLE, BAD_SIGNATURE, WRONG_ISSUER, WRONG_AUDIENCE, TOKEN_EXPIRED,
   *     TOKEN_NOT_YET_VALID or TOKEN_TOO_OLD — and a message that names the rule but never contains
   *     the token. Nothing else is thrown, whatever the input.
   */
  public AttestedIdentity verify(String token) {
    return verify(token, true);
  }

  /**
   * {@link #verify(String)} without the verified-token cache, neither read nor written: for an
   * administrator testing a token (the console's "test a token"), which must see every rule applied
   * now and must leave nothing of the token behind.
   *
   * @throws DeniedException as {@link #verify(String)}
   */
  public AttestedIdentity verifyUncached(String token) {
    return verify(token, false);
  }

  /**
   * What the provider named {@code provider} checks, in words and in order; empty when this
   * snapshot has no such provider (unknown, or disabled: see {@link #disabled()}).
   */
  public List<String> rules(String provider) {
    CompiledProvider p = byName.get(provider);
    return p == null ? List.of() : p.rules();
  }

  private AttestedIdentity verify(String token, boolean useCache) {
    ParsedJwt.checkSize(token);
    Instant now = rt.clock().instant();
    VerifiedTokenCache.Digest digest = null;
    if (rt.cache() != null && useCache) {
      // a hit is this very token, verified before: its shape was checked then
      digest = VerifiedTokenCache.Digest.of(token);
      VerifiedTokenCache.Entry hit = rt.cache().get(digest);
      if (hit != null) {
        AttestedIdentity id = recheck(digest, hit, now);
        if (id != null) {
          return id;
        }
      }
    }
    ParsedJwt.checkShape(token);
    ParsedJwt jwt = ParsedJwt.parse(token);
    Object iss = jwt.claims().get("iss");
    if (iss == null) {
      throw new DeniedException(
          Reason.MISSING_CLAIM, "the token has no iss claim, so no trust provider can be chosen");
    }
    if (!(iss instanceof String issuer)) {
      throw new DeniedException(Reason.MALFORMED_TOKEN, "iss must be a string");
    }
    CompiledProvider p = byIssuer.get(issuerKey(issuer));
    if (p == null) {
      String off = disabledIssuers.get(issuerKey(issuer));
      if (off != null) {
        throw new DeniedException(Reason.PROVIDER_DISABLED, off);
      }
      throw new DeniedException(
          Reason.UNKNOWN_ISSUER, "no trust provider is configured for issuer " + Msg.q(issuer));
    }
    CompiledProvider.Verified v = p.verify(jwt, now);
    if (digest != null) {
      rt.cache().put(digest, new VerifiedTokenCache.Entry(p, v));
    }
    return v.identity();
  }

  /**
   * The cached identity if it still holds; null to verify in full; throws when a time rule now
   * fails.
   */
  private AttestedIdentity recheck(
      VerifiedTokenCache.Digest digest, VerifiedTokenCache.Entry hit, Instant now) {
    CompiledProvider p = hit.provider();
    AttestedIdentity id = hit.verified().identity();
    if (byIssuer.get(issuerKey(p.issuer)) != p) {
      return null; // configuration changed since (or this is an older snapshot): verify afresh
    }
    VerificationKeys keys;
    try {
      keys = p.keys.current();
    } catch (DeniedException e) {
      return null;
    }
    if (!keys.contains(hit.verified().key())) {
      rt.cache().remove(digest);
      return null;
    }
    try {
      p.checkTimes(id.expiresAt(), hit.verified().notBefore(), id.issuedAt(), now);
    } catch (DeniedException e) {
      if (e.reason() != Reason.TOKEN_NOT_YET_VALID) {
        rt.cache().remove(digest);
      }
      throw e;
    }
    return id;
  }

  /**
   * Whether tokens verified by the provider named {@code provider} may attest an agent (its spec's
   * {@code nodeAttestation}); false for a provider this snapshot does not have.
   */
  public boolean acceptsNodeEvidence(String provider) {
    CompiledProvider p = byName.get(provider);
    return p != null && p.spec.nodeAttestation();
  }

  /** Names of the configured providers. */
  public Set<String> providerNames() {
    return byName.keySet();
  }

  /**
   * Issuers are matched after dropping trailing '/', then compared exactly (WRONG_ISSUER if they
   * differ).
   */
  private static String issuerKey(String issuer) {
    int end = issuer.length();
    while (end > 0 && issuer.charAt(end - 1) == '/') {
      end--;
    }
    return issuer.substring(0, end);
  }

  @Override
  public String toString() {
    return "TrustProviders" + byName.keySet();
  }
}
