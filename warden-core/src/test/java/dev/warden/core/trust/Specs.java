package dev.warden.core.trust;

import dev.warden.core.model.ProviderType;
import dev.warden.core.model.TrustProviderSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: a {@link TrustProviderSpec} with sensible defaults, changed one field at a time. */
final class Specs {
  private String name = "test";
  private ProviderType type = ProviderType.OIDC;
  private String issuer;
  private String jwksUri;
  private String jwks;
  private List<String> audiences = List.of("warden");
  private List<String> algorithms = List.of("RS256");
  private Duration maxTokenAge;
  private Duration clockSkew;
  private Map<String, String> claims = new LinkedHashMap<>();
  private List<String> required = List.of();

  static Specs of(String name, ProviderType type, String issuer) {
    Specs s = new Specs();
    s.name = name;
    s.type = type;
    s.issuer = issuer;
    return s;
  }

  Specs jwksUri(String v) {
    jwksUri = v;
    return this;
  }

  Specs jwks(String v) {
    jwks = v;
    return this;
  }

  Specs audiences(String... v) {
    audiences = List.of(v);
    return this;
  }

  Specs algorithms(String... v) {
    algorithms = List.of(v);
    return this;
  }

  Specs maxTokenAge(Duration v) {
    maxTokenAge = v;
    return this;
  }

  Specs clockSkew(Duration v) {
    clockSkew = v;
    return this;
  }

  Specs claim(String claim, String selectorKey) {
    claims.put(claim, selectorKey);
    return this;
  }

  Specs required(String... v) {
    required = List.of(v);
    return this;
  }

  TrustProviderSpec build() {
    return new TrustProviderSpec(
        name,
        type,
        issuer,
        jwksUri,
        jwks,
        audiences,
        algorithms,
        maxTokenAge,
        clockSkew,
        claims,
        required);
  }
}
