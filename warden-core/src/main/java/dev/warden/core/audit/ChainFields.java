package dev.warden.core.audit;

/**
 * The detail keys by which an audit event records its place in a chain of delegated actions (RFC
 * 8693 actors, transaction tokens, agent tool calls). The store indexes {@link #ROOT} and {@link
 * #TXN}, so {@code GET /v1/audit/chains/<root or txn>} finds every hop of a chain.
 *
 * <p>Each hop names the event of the hop before it ({@link #PREVIOUS}) and that event's hash
 * ({@link #PREVIOUS_HASH}); since a hop's own hash covers its details, the hops form a hash-linked
 * tree that can be verified offline without the rest of the log.
 */
public final class ChainFields {
  /** The id of the first event of the chain (absent on that event itself). */
  public static final String ROOT = "chainRoot";

  /** The id of the event of the previous hop. */
  public static final String PREVIOUS = "previousHop";

  /** The hex SHA-256 chain hash of the previous hop's record. */
  public static final String PREVIOUS_HASH = "previousHopHash";

  /** The transaction id ({@code txn}) the hop ran under. */
  public static final String TXN = "txn";

  /** The W3C {@code traceparent} the caller sent. */
  public static final String TRACEPARENT = "traceparent";

  /** Who the hop acted for: the {@code sub} of the credential. */
  public static final String SUBJECT = "chainSubject";

  /** The actors, current first, separated by spaces. */
  public static final String ACTORS = "actorChain";

  /** How many actors. */
  public static final String DEPTH = "delegationDepth";

  /** The CEL {@code request} inputs the decision saw, as JSON. */
  public static final String INPUTS = "decisionInputs";

  private ChainFields() {}
}
