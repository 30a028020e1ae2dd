package dev.warden.core.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.warden.core.federation.FederationRules.IssuerFacts;
import dev.warden.core.model.FederationCloud;
import java.net.URI;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The rules on what the issuer publishes: its discovery document (issuer, {@code jwks_uri},
 * required members, advertised algorithms) and its JWK set (sound keys, an algorithm the cloud
 * accepts, no more keys than the cloud reads).
 */
final class PublishedKeyRules {
  private PublishedKeyRules() {}

  static @Nullable String discoveryIssuer(IssuerFacts f) {
    if (f.discovery() == null) {
      return "not checked: discovery unreadable";
    }
    String iss = f.discovery().path("issuer").asText(null);
    return f.issuer().equals(iss)
        ? null
        : "discovery says issuer '"
            + iss
            + "' but the cloud is configured with '"
            + f.issuer()
            + "'; they must be equal byte for byte (set server.issuer to the public URL)";
  }

  static @Nullable String jwksUri(IssuerFacts f) {
    if (f.discovery() == null) {
      return "not checked: discovery unreadable";
    }
    String j = f.discovery().path("jwks_uri").asText(null);
    URI ju = j == null ? null : IssuerRules.uri(j);
    URI iu = IssuerRules.uri(f.issuer());
    if (ju == null || iu == null) {
      return "jwks_uri is missing or not a URL";
    }
    if (!"https".equals(ju.getScheme())) {
      return "jwks_uri '" + j + "' is not https; the clouds fetch keys over https only";
    }
    if (!String.valueOf(ju.getHost()).equalsIgnoreCase(String.valueOf(iu.getHost()))
        || ju.getPort() != iu.getPort()) {
      return "jwks_uri '" + j + "' is not on the issuer's host " + iu.getHost();
    }
    return null;
  }

  static @Nullable String members(IssuerFacts f) {
    if (f.discovery() == null) {
      return "not checked: discovery unreadable";
    }
    List<String> missing = new ArrayList<>();
    for (String m :
        List.of(
            "response_types_supported",
            "subject_types_supported",
            "id_token_signing_alg_values_supported")) {
      JsonNode v = f.discovery().get(m);
      if (v == null || !v.isArray() || v.isEmpty()) {
        missing.add(m);
      }
    }
    if (!f.discovery().hasNonNull("jwks_uri")) {
      missing.add("jwks_uri");
    }
    return missing.isEmpty()
        ? null
        : "discovery lacks "
            + String.join(", ", missing)
            + " (REQUIRED by OpenID Connect Discovery 1.0 section 3, which GCP names); enable federation so Warden"
            + " advertises them";
  }

  private static Set<String> advertised(JsonNode discovery) {
    Set<String> s = new HashSet<>();
    discovery.path("id_token_signing_alg_values_supported").forEach(n -> s.add(n.asText()));
    return s;
  }

  static @Nullable String discoveryAlgs(IssuerFacts f) {
    JsonNode discovery = f.discovery();
    JsonNode jwks = f.jwks();
    if (discovery == null || jwks == null) {
      return "not checked: discovery or JWKS unreadable";
    }
    Set<String> adv = advertised(discovery);
    Set<String> used = new TreeSet<>();
    jwks.path("keys").forEach(k -> used.add(k.path("alg").asText("?")));
    used.removeAll(adv);
    return used.isEmpty()
        ? null
        : "keys use " + used + " but id_token_signing_alg_values_supported lists only " + adv;
  }

  static @Nullable String keys(IssuerFacts f) {
    if (f.jwks() == null) {
      return "not checked: JWKS unreadable";
    }
    Set<String> kids = new HashSet<>();
    for (JsonNode k : f.jwks().path("keys")) {
      String kid = k.path("kid").asText("");
      if (kid.isEmpty() || !kids.add(kid)) {
        return "a key has no kid or a kid used twice; the clouds pick the key by the token's kid";
      }
      if (!"sig".equals(k.path("use").asText()) || !k.hasNonNull("alg")) {
        return "key " + kid + " lacks use=sig or alg";
      }
      try {
        JWK jwk = JWK.parse(k.toString());
        if (jwk.isPrivate()) {
          return "key " + kid + " publishes private material";
        }
        if (jwk instanceof RSAKey rsa && (rsa.size() < 2048 || rsa.size() > 4096)) {
          return "RSA key " + kid + " is " + rsa.size() + " bits; the clouds take 2048 to 4096";
        }
        if (jwk instanceof ECKey ec && !"P-256".equals(ec.getCurve().getName())) {
          return "EC key " + kid + " is on " + ec.getCurve() + "; ES256 needs P-256";
        }
      } catch (ParseException e) {
        return "key " + kid + " is not a valid JWK: " + e.getMessage();
      }
    }
    return null;
  }

  static @Nullable String cloudAlg(FederationCloud cloud, IssuerFacts f) {
    if (f.jwks() == null) {
      return "not checked: JWKS unreadable";
    }
    for (JsonNode k : f.jwks().path("keys")) {
      if (cloud.algorithms().contains(k.path("alg").asText())) {
        return null;
      }
    }
    return "no published key uses "
        + cloud.algorithms()
        + ", which "
        + cloud.kind()
        + " requires; set"
        + " federation.algorithm: RS256 (the one algorithm AWS, GCP and Entra all accept)";
  }

  static @Nullable String count(FederationCloud cloud, IssuerFacts f) {
    if (f.jwks() == null) {
      return "not checked: JWKS unreadable";
    }
    int n = f.jwks().path("keys").size();
    if (cloud.maxJwksKeys() > 0 && n > cloud.maxJwksKeys()) {
      return "the JWKS has "
          + n
          + " keys; "
          + cloud.kind()
          + " reads at most "
          + cloud.maxJwksKeys()
          + ", so a token signed by a later key fails; shorten keys.retainAfterRetire";
    }
    return null;
  }
}
