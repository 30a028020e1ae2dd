package dev.warden.agent.workloadapi;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JWT bundle the Workload API serves: a plain RFC 7517 JWK set of public keys, as SPIRE serves
 * it. The {@code use: jwt-svid} of the trust-domain bundle document belongs to that document only;
 * standard JWKS consumers (Node's {@code jose}, for one) skip keys whose {@code use} is not {@code
 * sig}, and would then find no key at all.
 */
final class JwtBundles {
  private static final System.Logger LOG = System.getLogger(JwtBundles.class.getName());

  private JwtBundles() {}

  /**
   * The JWK set of these authorities (public JWK JSON objects), without {@code use} or {@code
   * key_ops}.
   */
  static byte[] jwks(List<String> authorities) {
    List<Object> keys = new ArrayList<>();
    for (String a : authorities) {
      try {
        Map<String, Object> k = new LinkedHashMap<>(JWK.parse(a).toPublicJWK().toJSONObject());
        k.remove("use");
        k.remove("key_ops");
        keys.add(k);
      } catch (ParseException e) {
        // the server sent it, so this is a bug or a corrupt bundle: serve the rest
        LOG.log(
            System.Logger.Level.WARNING,
            "skipping a JWT authority that is not a JWK: " + e.getMessage());
      }
    }
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("keys", keys);
    return JSONObjectUtils.toJSONString(set).getBytes(StandardCharsets.UTF_8);
  }
}
