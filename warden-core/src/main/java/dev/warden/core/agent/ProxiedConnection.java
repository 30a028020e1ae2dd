package dev.warden.core.agent;

import dev.warden.core.audit.Traceparent;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One connection an agent's credential-injecting proxy accepted or refused, as the agent reports it
 * for the audit log: who called (the attested process and the workload it was identified as), where
 * to, with which lease, and the outcome. The agent assigns the id, so a batch it sends again after
 * a lost answer carries the same ids (delivery is at least once; readers may de-duplicate by id).
 *
 * @param workload the SPIFFE ID the caller was identified as; null when it was not identified
 * @param caller what the agent attested: pid, uid, path, sha256 (values, not secrets)
 * @param hop the chain the request said it belongs to (HTTP proxy only), unverified; or null
 */
public record ProxiedConnection(
    String id,
    Instant at,
    Outcome outcome,
    String protocol,
    String listener,
    String resource,
    String workload,
    String leaseId,
    String destination,
    String reason,
    Map<String, String> caller,
    @Nullable Hop hop) {
  /** Limits on what one event may carry: an agent reports, it does not get to fill the log. */
  static final int MAX_FIELD = 1024;

  /** Closed set of outcomes, with the reason codes the proxies use. */
  public enum Outcome {
    /** Spliced to the target after it accepted the workload's credential. */
    PROXIED,
    /** The calling process could not be attested or matched no registration. */
    UNIDENTIFIED,
    /** The server refused the workload a credential for the target. */
    DENIED,
    /** The server or the target could not be reached, or the target refused the login. */
    UNAVAILABLE,
    /** The client or the target broke the protocol. */
    PROTOCOL_ERROR,
    /**
     * Open connections closed by the agent because their credential's lease ended (revoked,
     * expired).
     */
    ENDED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Outcome parse(String s) {
      for (Outcome o : values()) {
        if (o.wire().equals(s)) {
          return o;
        }
      }
      throw new ValidationException(
          "outcome",
          "unknown connection outcome '"
              + s
              + "' (proxied, unidentified, "
              + "denied, unavailable, protocol_error, ended)");
    }
  }

  /**
   * The chain a proxied HTTP request named in its headers, as the agent read them: nothing here is
   * verified (the agent cannot verify a transaction token without the server); the server verifies
   * the token when it turns the event into an audit record, and records the hop only then.
   *
   * @param txnToken the raw {@code Txn-Token} header, or null
   * @param txnTokenOmitted why a {@code Txn-Token} that was sent is not here (too long), or null
   * @param traceparent a well-formed W3C {@code traceparent}, or null (a malformed one is ignored)
   */
  public record Hop(
      @Nullable Secret txnToken, @Nullable String txnTokenOmitted, @Nullable String traceparent) {
    /**
     * Longest {@code Txn-Token} passed on: a Warden transaction token with a sizeable {@code tctx}
     * fits; anything longer is not Warden's to verify and would only fill the spool.
     */
    public static final int MAX_TXN_TOKEN = 8192;

    public Hop {
      if (txnToken != null && txnToken.reveal().length() > MAX_TXN_TOKEN) {
        throw new ValidationException(
            "txn_token", "a Txn-Token is at most " + MAX_TXN_TOKEN + " characters");
      }
      txnTokenOmitted = cap("txn_token_omitted", txnTokenOmitted);
      traceparent = Traceparent.validOrNull(traceparent);
    }

    /**
     * The hop a request's headers name, bounded: a {@code Txn-Token} longer than {@link
     * #MAX_TXN_TOKEN} is left out (with the reason), a malformed {@code traceparent} ignored.
     *
     * @return null when the request named no chain
     */
    public static @Nullable Hop of(@Nullable String txnTokenHeader, @Nullable String traceparent) {
      String tp = Traceparent.validOrNull(traceparent);
      String txn =
          txnTokenHeader == null || txnTokenHeader.isBlank() ? null : txnTokenHeader.trim();
      if (txn == null) {
        return tp == null ? null : new Hop(null, null, tp);
      }
      if (txn.length() > MAX_TXN_TOKEN) {
        return new Hop(
            null, "the Txn-Token header is longer than " + MAX_TXN_TOKEN + " characters", tp);
      }
      return new Hop(Secret.of(txn), null, tp);
    }
  }

  /** An event that names no chain (every proxy but the HTTP proxy's requests). */
  public ProxiedConnection(
      String id,
      Instant at,
      Outcome outcome,
      String protocol,
      String listener,
      String resource,
      String workload,
      String leaseId,
      String destination,
      String reason,
      Map<String, String> caller) {
    this(
        id,
        at,
        outcome,
        protocol,
        listener,
        resource,
        workload,
        leaseId,
        destination,
        reason,
        caller,
        null);
  }

  public ProxiedConnection {
    if (id == null || id.isBlank() || id.length() > 64) {
      throw new ValidationException(
          "id", "each connection event needs an id of at most 64 characters");
    }
    if (at == null || outcome == null) {
      throw new ValidationException("at", "each connection event needs its time and outcome");
    }
    protocol = cap("protocol", protocol);
    listener = cap("listener", listener);
    resource = cap("resource", resource);
    workload = cap("workload", workload);
    leaseId = cap("lease_id", leaseId);
    destination = cap("destination", destination);
    reason = cap("reason", reason);
    Map<String, String> c = new LinkedHashMap<>();
    if (caller != null) {
      if (caller.size() > 16) {
        throw new ValidationException("caller", "at most 16 caller attributes");
      }
      caller.forEach((k, v) -> c.put(cap("caller", k), cap("caller", v)));
    }
    caller = Map.copyOf(c);
  }

  private static String cap(String field, String v) {
    if (v != null && v.length() > MAX_FIELD) {
      throw new ValidationException(field, field + " is longer than " + MAX_FIELD + " characters");
    }
    return v;
  }
}
