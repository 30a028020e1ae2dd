package dev.warden.core.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.SigningAlgorithm;
import dev.warden.core.trust.JwsKey;
import dev.warden.core.trust.UnverifiedJws;
import java.text.ParseException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The wire form of a checkpoint: a compact JWS, header {@code {"alg":"ES256","typ":}{@value #TYP}
 * {@code ,"kid":…}}, payload {@code {"iss","chain","seq","hash","iat"}} with the hash in lower-case
 * hex and {@code iat} in epoch seconds. It is verified offline with the JWKS that the server
 * publishes at {@code /v1/audit/checkpoints/jwks} (or a copy of it): ES256 only, the key looked up
 * by {@code kid} in that JWKS only ({@code jku}, {@code jwk}, {@code x5u}, {@code x5c} are never
 * followed), no {@code crit} header, strict JSON.
 */
public final class CheckpointJws {
  /** The header {@code typ} of a checkpoint: no token of another kind carries it. */
  public static final String TYP = "warden-audit-checkpoint+jwt";

  /** Longest checkpoint accepted, in characters: a real one is about 400. */
  public static final int MAX_CHARS = 8192;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Pattern HEX_HASH = Pattern.compile("[0-9a-f]{64}");
  private static final int MAX_TEXT = 2048;

  private CheckpointJws() {}

  /**
   * Signs {@code c} with {@code key}.
   *
   * @throws IllegalArgumentException when the key is not an ES256 key
   */
  public static SignedCheckpoint sign(KeyMaterial key, Checkpoint c) {
    if (key.algorithm() != SigningAlgorithm.ES256) {
      throw new IllegalArgumentException(
          "checkpoints are signed with ES256 keys, not " + key.algorithm());
    }
    ObjectNode header = JSON.createObjectNode();
    header.put("alg", "ES256");
    header.put("typ", TYP);
    header.put("kid", key.kid());
    ObjectNode p = JSON.createObjectNode();
    p.put("iss", c.issuer());
    p.put("chain", c.chain());
    p.put("seq", c.seq());
    p.put("hash", c.hashHex());
    p.put("iat", c.time().getEpochSecond());
    try {
      return new SignedCheckpoint(
          c,
          key.kid(),
          AccessTokenMinter.signCompact(
              key, JSON.writeValueAsString(header), JSON.writeValueAsString(p)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses the JWKS a checkpoint is verified against.
   *
   * @throws ValidationException naming {@code field} when it is not a JWK set with a key in it
   */
  public static JWKSet keys(String field, String jwksJson) {
    if (jwksJson == null || jwksJson.length() > 1_000_000) {
      throw new ValidationException(field, "is not a JWK set ({\"keys\":[...]}) of at most 1 MB");
    }
    JWKSet set;
    try {
      set = JWKSet.parse(jwksJson);
    } catch (ParseException | RuntimeException e) {
      throw new ValidationException(
          field, "is not a JWK set ({\"keys\":[...]}): " + e.getMessage());
    }
    if (set.getKeys().isEmpty()) {
      throw new ValidationException(
          field, "holds no key that can be read; use the JWKS of" + " /v1/audit/checkpoints/jwks");
    }
    return set;
  }

  /**
   * Verifies a checkpoint against {@code keys} and reads what it states.
   *
   * @throws DeniedException with reason {@code malformed_token} (not a compact JWS, wrong {@code
   *     typ}, a {@code crit} header, a claim of the wrong type), {@code token_too_large}, {@code
   *     alg_not_allowed} (anything but ES256), {@code unknown_kid} (no such P-256 key in {@code
   *     keys}), {@code bad_signature} or {@code missing_claim}
   */
  public static VerifiedCheckpoint verify(String jws, JWKSet keys) {
    if (jws == null || jws.isBlank()) {
      throw new DeniedException(Reason.MALFORMED_TOKEN, "no checkpoint was given");
    }
    String text = jws.strip();
    if (text.length() > MAX_CHARS) {
      throw new DeniedException(
          Reason.TOKEN_TOO_LARGE, "the checkpoint is longer than " + MAX_CHARS + " characters");
    }
    // the one strict JWS parser (decision 021): base64url alphabet, strict UTF-8 and JSON with no
    // duplicate members in header and payload alike
    UnverifiedJws o;
    try {
      o = UnverifiedJws.parse(text);
    } catch (DeniedException e) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "the checkpoint is not a compact JWS: " + e.getMessage());
    }
    Map<String, Object> h = o.header();
    // what a JWS must have before anything else is read: a signature, and an alg naming one
    // ("none" makes an unsecured JWT, not a JWS, RFC 7515 section 4.1.1)
    if (o.signature().isEmpty()) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "the checkpoint is not a compact JWS: its signature is empty");
    }
    if (!(h.get("alg") instanceof String alg) || alg.equals("none")) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "the checkpoint is not a compact JWS: its header has no alg");
    }
    Object typ = h.get("typ");
    if (!TYP.equals(typ)) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN,
          "the checkpoint's typ is "
              + (typ instanceof String t && t.length() <= 64
                  ? t
                  : typ == null ? null : "unreadable")
              + ", expected "
              + TYP
              + ": this is not a Warden audit checkpoint");
    }
    if (!"ES256".equals(alg)) {
      throw new DeniedException(
          Reason.ALG_NOT_ALLOWED,
          "the checkpoint is signed with "
              + (alg.length() <= 16 ? alg : "another algorithm")
              + "; audit checkpoints are ES256");
    }
    if (h.containsKey("crit")) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN,
          "the checkpoint has critical header parameters, which Warden never writes");
    }
    Object kidMember = h.get("kid");
    if (kidMember != null && !(kidMember instanceof String)) {
      throw new DeniedException(Reason.MALFORMED_TOKEN, "the checkpoint's kid is not a string");
    }
    String kid = (String) kidMember;
    JWK jwk = kid == null ? null : keys.getKeyByKeyId(kid);
    JwsKey key = null;
    if (jwk instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
      try {
        key = JwsKey.of(ec.toPublicJWK(), Set.of("ES256"));
      } catch (IllegalArgumentException e) {
        // a P-256 key that cannot sign (use "enc", key_ops without verify): not a checkpoint key
        key = null;
      }
    }
    if (key == null || kid == null) {
      throw new DeniedException(
          Reason.UNKNOWN_KID,
          "the checkpoint names key "
              + kid
              + ", which is not a P-256 key of the audit checkpoint JWKS it was checked against");
    }
    if (!key.verifies("ES256", o)) {
      throw new DeniedException(
          Reason.BAD_SIGNATURE,
          "the checkpoint's signature does not verify with key "
              + kid
              + ": it was changed or not signed by this Warden");
    }
    return new VerifiedCheckpoint(claims(o.claims()), kid);
  }

  private static Checkpoint claims(Map<String, Object> p) {
    String iss = text(p, "iss");
    String chain = text(p, "chain");
    long seq = number(p, "seq");
    String hash = text(p, "hash");
    long iat = number(p, "iat");
    if (seq < 1) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "the checkpoint's seq is " + seq + "; it must be 1 or more");
    }
    if (!HEX_HASH.matcher(hash).matches()) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "the checkpoint's hash is not 64 lower-case hex digits");
    }
    if (iat < 0 || iat > Instant.MAX.getEpochSecond()) {
      throw new DeniedException(Reason.MALFORMED_TOKEN, "the checkpoint's iat is out of range");
    }
    return new Checkpoint(
        iss, chain, seq, HexFormat.of().parseHex(hash), Instant.ofEpochSecond(iat));
  }

  private static String text(Map<String, Object> p, String name) {
    Object v = p.get(name);
    if (v == null) {
      throw new DeniedException(Reason.MISSING_CLAIM, "the checkpoint has no " + name + " claim");
    }
    if (!(v instanceof String s) || s.isEmpty() || s.length() > MAX_TEXT) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN,
          "the checkpoint's "
              + name
              + " claim is not a string of 1 to "
              + MAX_TEXT
              + " characters");
    }
    return s;
  }

  private static long number(Map<String, Object> p, String name) {
    Object v = p.get(name);
    if (v == null) {
      throw new DeniedException(Reason.MISSING_CLAIM, "the checkpoint has no " + name + " claim");
    }
    // strict JSON gives whole numbers that fit a long as Long, larger ones as BigInteger
    if (!(v instanceof Long l)) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "the checkpoint's " + name + " claim is not a whole number");
    }
    return l;
  }
}
