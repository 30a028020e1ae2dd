package dev.warden.core.trust;

import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import dev.warden.core.model.ProviderType;
import dev.warden.core.model.Selector;
import dev.warden.core.model.TrustProviderSpec;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a trust provider's spec: the issuer and maximum age bounded, claim mappings checked
 * against the preset's and each other's selector keys, claim paths parsed, and its keys behind an
 * inline or remote {@link KeySource}. Does no I/O.
 */
final class ProviderCompiler {
  private ProviderCompiler() {}

  /** See {@link CompiledProvider#compile}. */
  static CompiledProvider compile(
      TrustProviderSpec spec, DocumentFetcher fetcher, Clock clock, TrustOptions options) {
    String p = "trustProviders." + spec.name() + ".";
    ProviderType type = spec.type();
    if (spec.issuer().length() > CompiledProvider.MAX_SELECTOR_VALUE) {
      throw new ValidationException(
          p + "issuer",
          "must be at most "
              + CompiledProvider.MAX_SELECTOR_VALUE
              + " characters (it becomes a selector)");
    }
    if (spec.maxTokenAge().compareTo(CompiledProvider.MAX_TOKEN_AGE) > 0) {
      throw new ValidationException(
          p + "maxTokenAge", "must be at most " + Durations.format(CompiledProvider.MAX_TOKEN_AGE));
    }
    Preset preset = Preset.of(type);
    Map<String, String> keyOwners = new LinkedHashMap<>(); // selector key -> claim that fills it
    keyOwners.put("iss", "iss");
    keyOwners.put("sub", "sub");
    List<ClaimSelectors.Mapping> mappings = new ArrayList<>();
    preset.mappings.forEach(
        (claim, key) -> {
          keyOwners.put(key, claim);
          mappings.add(new ClaimSelectors.Mapping(ClaimPath.parse(p + "claims", claim), key));
        });
    List<Map.Entry<String, String>> specMappings = new ArrayList<>(spec.claims().entrySet());
    specMappings.sort(
        Map.Entry.<String, String>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
    for (Map.Entry<String, String> e : specMappings) {
      String claim = e.getKey();
      String key = e.getValue();
      try {
        new Selector(type.selectorType(), key, "x");
      } catch (ValidationException ex) {
        throw new ValidationException(
            p + "claims", "selector key for claim '" + claim + "': " + ex.getMessage());
      }
      String owner = keyOwners.putIfAbsent(key, claim);
      if (owner != null) {
        throw new ValidationException(
            p + "claims",
            "claim '"
                + claim
                + "' maps to selector key '"
                + key
                + "', which is already filled by '"
                + owner
                + "'"
                + (preset.mappings.containsKey(owner) || "iss".equals(owner) || "sub".equals(owner)
                    ? " (the " + type.wire() + " preset)"
                    : "")
                + "; choose another key");
      }
      mappings.add(new ClaimSelectors.Mapping(ClaimPath.parse(p + "claims", claim), key));
    }
    Set<ClaimPath> required = new LinkedHashSet<>();
    for (String c : preset.required) {
      required.add(ClaimPath.parse(p + "requiredClaims", c));
    }
    for (String c : spec.requiredClaims()) {
      required.add(ClaimPath.parse(p + "requiredClaims", c));
    }
    Set<String> algs = new LinkedHashSet<>(spec.algorithms());
    KeySource keys;
    if (spec.jwks() != null) {
      try {
        keys = new KeySource.Inline(Jwks.parse(spec.jwks(), algs, clock.instant(), null));
      } catch (Jwks.JwksException e) {
        throw new ValidationException(p + "jwks", e.getMessage());
      }
    } else {
      URI jwksUri = null;
      if (spec.jwksUri() != null) {
        jwksUri = Urls.fetchable(spec.jwksUri());
        if (jwksUri == null) {
          throw new ValidationException(
              p + "jwksUri", "must be an absolute https URL (http only on loopback)");
        }
      }
      keys =
          new KeySource.Remote(spec.name(), spec.issuer(), jwksUri, algs, fetcher, clock, options);
    }
    return new CompiledProvider(spec, keys, mappings, new ArrayList<>(required));
  }
}
