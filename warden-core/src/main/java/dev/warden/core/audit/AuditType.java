package dev.warden.core.audit;

import org.jspecify.annotations.Nullable;

/**
 * Every kind of audit event, with the name it has in the log. The wire names are part of the
 * hash-chained record and of what SIEMs and the posture index read: never rename one.
 */
public enum AuditType {
  TOKEN_ISSUED("token.issued"),
  TOKEN_DENIED("token.denied"),
  SVID_ISSUED("svid.issued"),
  SVID_DENIED("svid.denied"),
  LEASE_REVOKED("lease.revoked"),
  LEASE_RENEWED("lease.renewed"),
  LEAK_REPORTED("leak.reported"),
  SECRET_LEAKED("secret.leaked"),
  /**
   * {@code warden scan --verify} asked which found credentials are live (counts only, never a
   * secret).
   */
  LEAK_VERIFIED("leak.verified"),
  CONFIG_CREATED("config.created"),
  CONFIG_UPDATED("config.updated"),
  CONFIG_DELETED("config.deleted"),
  CONFIG_DISABLED("config.disabled"),
  CONFIG_ENABLED("config.enabled"),
  ADMIN_TOKEN_CREATED("admin_token.created"),
  ADMIN_TOKEN_REVOKED("admin_token.revoked"),
  KEY_CREATED("key.created"),
  KEY_PREPARED("key.prepared"),
  KEY_ACTIVATED("key.activated"),
  KEY_RETIRED("key.retired"),
  KEY_DESTROYED("key.destroyed"),
  /**
   * An admin had an already-expired sample federation token signed, for {@code warden federation
   * check}.
   */
  FEDERATION_SAMPLE("federation.sample"),
  CA_PREPARED("ca.prepared"),
  CA_ACTIVATED("ca.activated"),
  CA_RETIRED("ca.retired"),
  CA_DESTROYED("ca.destroyed"),
  AGENT_JOIN_TOKEN_CREATED("agent.join_token.created"),
  AGENT_ATTEST("agent.attest"),
  AGENT_RENEWED("agent.renewed"),
  INVENTORY_IMPORTED("inventory.imported"),
  WORKLOAD_RETIRED("workload.retired"),
  OWNER_DEPARTED("owner.departed"),
  RECERT_STARTED("recert.started"),
  RECERT_REQUESTED("recert.requested"),
  RECERT_CONFIRMED("recert.confirmed"),
  RECERT_RETIRED("recert.retired"),
  RECERT_OVERDUE("recert.overdue"),
  RECERT_REMINDER("recert.reminder"),
  RECERT_CLOSED("recert.closed"),
  NOTIFICATION_FAILED("notification.failed"),
  /**
   * A grant the policy allowed could not be issued at its target (database down): nothing issued.
   */
  CREDENTIAL_FAILED("credential.failed"),
  /** A credential that lived at its target was removed there (user dropped, sessions ended). */
  CREDENTIAL_REMOVED("credential.removed"),
  /** Removing a credential at its target failed too often; an operator must look. */
  CREDENTIAL_IRREVOCABLE("credential.irrevocable"),
  /**
   * An administrator made Warden stop trying to remove an irrevocable credential (force-forget),
   * with the reason they gave: it may still exist at its target.
   */
  CREDENTIAL_FORGOTTEN("credential.forgotten"),
  /** A secret for reaching a target (database admin password) was stored or rotated. */
  TARGET_SECRET_SET("target_secret.set"),
  /**
   * A brokered secret got a new version: written by an admin ({@code action=written}) or rotated.
   */
  BROKERED_SECRET_WRITTEN("brokered_secret.written"),
  /** A brokered secret's settings (owner, rotation…) changed. */
  BROKERED_SECRET_UPDATED("brokered_secret.updated"),
  /** A version was soft-deleted, undeleted or destroyed ({@code action}). */
  BROKERED_SECRET_VERSION_CHANGED("brokered_secret.version_changed"),
  /** A brokered secret and all its versions were removed. */
  BROKERED_SECRET_DELETED("brokered_secret.deleted"),
  /** Rotation at the target failed; the stored value is unchanged. */
  BROKERED_SECRET_ROTATION_FAILED("brokered_secret.rotation_failed"),
  /** The owner was reminded that a secret without a connector is due for rotation. */
  BROKERED_SECRET_ROTATION_DUE("brokered_secret.rotation_due"),
  /**
   * An agent's proxy let a workload's connection through to its target with the workload's
   * credential.
   */
  CONNECTION_PROXIED("connection.proxied"),
  /**
   * An agent's proxy refused a connection (caller not attested, policy, target or protocol), with
   * the reason.
   */
  CONNECTION_REFUSED("connection.refused"),
  /** An agent closed proxied connections because the lease of their credential ended. */
  CONNECTION_CLOSED("connection.closed"),
  /**
   * An agent started a proxy declared on the server (an EdgeProxy document), or one that failed
   * works again.
   */
  AGENT_PROXY_RUNNING("agent.proxy.running"),
  /**
   * An agent could not run a proxy declared on the server (address in use, bad path, refused), with
   * the reason.
   */
  AGENT_PROXY_FAILED("agent.proxy.failed"),
  /**
   * A user let an MCP client (a Client ID Metadata Document URL) reach a resource: an authorization
   * code was issued.
   */
  AUTHORIZATION_GRANTED("authorization.granted"),
  /**
   * An authorization request was refused (client metadata, redirect_uri, resource, login or
   * policy), with the reason.
   */
  AUTHORIZATION_DENIED("authorization.denied"),
  /** The MCP gateway let a tool call through to its MCP server (a hop of the caller's chain). */
  MCP_TOOL_CALL("mcp.tool_call"),
  /**
   * The MCP gateway refused a tool call: policy, a bad tool name, headers that disagree with the
   * body.
   */
  MCP_TOOL_DENIED("mcp.tool_denied"),
  /**
   * The MCP gateway let through a request on a named prompt or resource ({@code prompts/get},
   * {@code resources/read}).
   */
  MCP_REQUEST("mcp.request"),
  /**
   * The MCP gateway refused a request that is not a tool call: its token, its body, or the policy.
   */
  MCP_REQUEST_DENIED("mcp.request_denied"),
  /**
   * Writing the audit log works again after it failed ({@code failingSince}, {@code error}): the
   * first event written after an outage, during which nothing was issued.
   */
  AUDIT_RESUMED("audit.resumed"),
  /**
   * An admin signed in to the web console with an admin token ({@code failure}: refused, with the
   * reason).
   */
  CONSOLE_SIGNED_IN("console.signed_in"),
  /** An admin signed out of the web console. */
  CONSOLE_SIGNED_OUT("console.signed_out");

  private final String wire;

  AuditType(String wire) {
    this.wire = wire;
  }

  /** The name in the log, e.g. {@code token.issued}. */
  public String wire() {
    return wire;
  }

  /** The type with this log name, or null for one this release does not know. */
  public static @Nullable AuditType fromWire(String wire) {
    for (AuditType t : values()) {
      if (t.wire.equals(wire)) {
        return t;
      }
    }
    return null;
  }
}
