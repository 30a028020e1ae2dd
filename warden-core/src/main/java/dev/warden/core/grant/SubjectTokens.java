package dev.warden.core.grant;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.token.VerifiedWardenToken;
import dev.warden.core.token.WardenTokens;
import dev.warden.core.trust.AttestedIdentity;
import dev.warden.core.trust.TrustProviders;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Verifies the subject token of an exchange. A token whose {@code iss} is this server is verified
 * as Warden's own (signature, expiry, live lease) and its {@code act}, {@code may_act}, audiences
 * and scopes are trusted; any other JWT goes to the trust provider its issuer names, and an {@code
 * act} in it is refused: only Warden writes chains. A sender-constrained (cnf) Warden token is
 * never delegated, whether bound to a certificate or to a DPoP key, since the actor is by
 * definition not the key holder.
 */
final class SubjectTokens {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final Supplier<TrustProviders> trust;
  private final WardenTokens warden;

  SubjectTokens(Supplier<TrustProviders> trust, WardenTokens warden) {
    this.trust = trust;
    this.warden = warden;
  }

  /**
   * @param requester the workload that presented the subject token (the actor, or the requester of
   *     a transaction token)
   * @throws DeniedException with the first rule the subject token breaks
   */
  SubjectSide verify(GrantRequest.Exchange ex, Workload requester, PolicySnapshot snap) {
    String token = ex.subjectToken().reveal();
    if (ex.subjectTokenType() == GrantRequest.SubjectTokenType.UNSIGNED_JSON) {
      return unsigned(token, requester, snap);
    }
    if (warden != null && warden.claimsToBeOurs(token)) {
      VerifiedWardenToken t = warden.verify(token, null);
      if (t.certificateThumbprint() != null) {
        throw new DeniedException(
            Reason.INVALID_GRANT,
            "the subject token is bound to a client certificate (cnf);"
                + " a sender-constrained token cannot be exchanged by another party: ask for a bearer token to delegate");
      }
      if (t.dpopThumbprint() != null) {
        throw new DeniedException(
            Reason.INVALID_GRANT,
            "the subject token is bound to a DPoP key (cnf jkt);"
                + " a sender-constrained token cannot be exchanged by another party: ask for a bearer token to delegate");
      }
      return new SubjectSide(
          t.subject(),
          snap.workload(t.subject()),
          t.actor(),
          t.audiences(),
          t.scopes(),
          t.expiresAt(),
          t.jti(),
          t.mayAct(),
          t.txn());
    }
    AttestedIdentity id = trust.get().verify(token);
    if (id.claims().containsKey("act")) {
      throw new DeniedException(
          Reason.ACT_NOT_TRUSTED,
          "the subject token, issued by "
              + id.issuer()
              + ", carries an act claim; only act chains Warden signed are trusted: exchange a Warden token instead");
    }
    Workload w = snap.identify(id.selectors());
    String mayAct =
        id.claims().get("may_act") instanceof Map<?, ?> m && m.get("sub") instanceof String s
            ? s
            : null;
    return new SubjectSide(w.name(), w, null, null, List.of(), id.expiresAt(), null, mayAct, null);
  }

  /**
   * draft-ietf-oauth-transaction-tokens: {@code {"sub": …}}; Warden accepts only the requester
   * itself.
   */
  private static SubjectSide unsigned(String json, Workload requester, PolicySnapshot snap) {
    JsonNode n;
    try {
      n = json.length() > 4096 ? null : JSON.readTree(json);
    } catch (java.io.IOException e) {
      n = null;
    }
    if (n == null || !n.isObject() || !n.path("sub").isTextual()) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN,
          "an unsigned_json subject token is a JSON object of at most"
              + " 4096 bytes with a string sub");
    }
    String sub = n.get("sub").asText();
    if (!sub.equals(requester.name())) {
      throw new DeniedException(
          Reason.INVALID_GRANT,
          "an unsigned_json subject token may only name the requesting"
              + " workload itself ("
              + requester.name()
              + "); for another subject, send its token");
    }
    return new SubjectSide(
        sub, requester, null, null, List.of(), java.time.Instant.MAX, null, null, null);
  }
}
