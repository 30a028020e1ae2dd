package dev.warden.core.pki;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SPIFFE trust bundle format (SPIFFE Trust Domain and Bundle spec §4): a JWK set whose X.509
 * authorities are {@code use: x509-svid} keys with the CA certificate in {@code x5c} and no {@code
 * kid}, whose JWT authorities are {@code use: jwt-svid} keys with a {@code kid}, plus {@code
 * spiffe_sequence} and {@code spiffe_refresh_hint}.
 */
public final class SpiffeBundle {
  public static final KeyUse X509_SVID = new KeyUse("x509-svid");
  public static final KeyUse JWT_SVID = new KeyUse("jwt-svid");

  private SpiffeBundle() {}

  /**
   * @param jwtAuthorities public JWKs (JSON objects with a kid) of the keys that sign JWT-SVIDs
   * @return the bundle as a JSON object
   */
  public static Map<String, Object> json(
      List<X509Certificate> x509Authorities,
      List<String> jwtAuthorities,
      long sequence,
      Duration refreshHint) {
    List<Object> keys = new ArrayList<>();
    for (X509Certificate c : x509Authorities) {
      keys.add(x509Authority(c).toJSONObject());
    }
    for (String jwk : jwtAuthorities) {
      keys.add(jwtAuthority(jwk).toJSONObject());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("keys", keys);
    out.put("spiffe_sequence", sequence);
    out.put("spiffe_refresh_hint", Math.max(1, refreshHint.toSeconds()));
    return out;
  }

  /**
   * The JWT authorities alone as a JWK set object, as the Workload API's JWT bundle carries them.
   */
  public static Map<String, Object> jwtBundle(List<String> jwtAuthorities) {
    List<Object> keys = new ArrayList<>();
    for (String jwk : jwtAuthorities) {
      keys.add(jwtAuthority(jwk).toJSONObject());
    }
    return Map.of("keys", keys);
  }

  static JWK x509Authority(X509Certificate c) {
    List<Base64> x5c = List.of(Base64.encode(Der.encoded(c)));
    if (c.getPublicKey() instanceof ECPublicKey ec) {
      return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec)
          .keyUse(X509_SVID)
          .x509CertChain(x5c)
          .build();
    }
    if (c.getPublicKey() instanceof RSAPublicKey rsa) {
      return new RSAKey.Builder(rsa).keyUse(X509_SVID).x509CertChain(x5c).build();
    }
    throw new IllegalArgumentException(
        "unsupported CA key type " + c.getPublicKey().getAlgorithm());
  }

  static JWK jwtAuthority(String publicJwk) {
    try {
      JWK k = JWK.parse(publicJwk);
      Map<String, Object> o = new LinkedHashMap<>(k.toPublicJWK().toJSONObject());
      o.put("use", JWT_SVID.identifier());
      return JWK.parse(o);
    } catch (ParseException e) {
      throw new IllegalArgumentException("stored public JWK cannot be parsed", e);
    }
  }
}
