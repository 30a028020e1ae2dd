package dev.warden.core.agent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Join tokens, attested agents, and what each reports about the proxies declared for it. */
public interface AgentStore {

  /**
   * @throws dev.warden.core.error.ConflictException when the id exists
   */
  void insertJoinToken(JoinToken token);

  /**
   * Marks an unused, unexpired token used, atomically (two agents racing with one token: one wins).
   *
   * @return the token as it was before use, or empty when unknown, used or expired
   */
  Optional<JoinToken> consumeJoinToken(String id, Instant now);

  Optional<JoinToken> joinToken(String id);

  /** Creates or replaces an agent (re-attestation after a restart replaces the session). */
  void putAgent(AgentRecord agent);

  /** The agent holding this session secret hash, if any. */
  Optional<AgentRecord> agentBySession(byte[] sessionHash);

  Optional<AgentRecord> agent(String spiffeId);

  List<AgentRecord> agents();

  /**
   * Replaces the session of an agent only if it still holds {@code expectedHash} (a renewal racing
   * another renewal: one wins).
   */
  boolean renewSession(
      String spiffeId, byte[] expectedHash, byte[] newHash, Instant expiresAt, Instant now);

  /** Bans an agent: its session stops working and it cannot re-attest with the same identity. */
  boolean ban(String spiffeId, Instant at);

  /**
   * Replaces what an agent last reported about the proxies declared for it.
   *
   * @param at when the server received the report
   */
  void putProxyStatuses(String spiffeId, List<ProxyStatus> statuses, Instant at);

  /**
   * What the agent last reported about its declared proxies, in name order; empty before any
   * report.
   */
  List<ProxyStatus> proxyStatuses(String spiffeId);
}
