package dev.warden.core.mcp;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.ChainFields;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.error.Reason;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.policy.Decision;
import dev.warden.core.token.Actor;
import dev.warden.core.token.VerifiedWardenToken;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The audit events of the MCP gateway: each call (allowed or refused) is one event that names the
 * issuance of the token presented as its previous hop, submitted to the group-committing writer and
 * waited for before the call is forwarded or answered.
 */
final class McpAudit {
  private final AuditWriter audit;
  private final Clock clock;

  McpAudit(AuditWriter audit, Clock clock) {
    this.audit = audit;
    this.clock = clock;
  }

  /** Submits an event to the group-committing writer; durable when the future completes. */
  CompletableFuture<AuditRecord> submit(AuditEvent e) {
    return audit.submit(e);
  }

  /** Audits that the credential the upstream needs could not be obtained, and waits for it. */
  void credentialFailed(AuditEvent ev) {
    await(
        audit.submit(
            new AuditEvent(
                ev.id(),
                ev.time(),
                AuditType.CREDENTIAL_FAILED.wire(),
                AuditOutcome.FAILURE.wire(),
                ev.reason(),
                ev.actor(),
                ev.workload(),
                ev.resource(),
                ev.details(),
                null)));
  }

  /** See {@link McpGateway#refused}. */
  void refused(McpGateway.Caller c, McpGateway.Request r, McpRefusal e) {
    Instant now = clock.instant();
    AuditEvent ev = event(c, r, null, c.token().txn(), null, null, e.reason(), e.getMessage(), now);
    Map<String, String> d = new HashMap<>(ev.details());
    if (e.tool() != null) {
      d.put("tool", e.tool());
      d.put("mcpMethod", "tools/call");
    }
    await(
        audit.submit(
            new AuditEvent(
                ev.id(),
                ev.time(),
                (e.tool() != null ? AuditType.MCP_TOOL_DENIED : AuditType.MCP_REQUEST_DENIED)
                    .wire(),
                AuditOutcome.DENY.wire(),
                ev.reason(),
                ev.actor(),
                ev.workload(),
                ev.resource(),
                d,
                null)));
  }

  void refuse(
      McpGateway.Request r,
      VerifiedWardenToken t,
      IssuanceLinks.Link link,
      Reason reason,
      String message) {
    Map<String, String> d = new HashMap<>();
    d.put("message", message);
    d.put("sourceAddress", r.sourceAddress() == null ? "" : r.sourceAddress());
    putIf(d, ChainFields.TRACEPARENT, r.traceparent());
    String actor = "unauthenticated";
    if (t != null) {
      actor = t.clientId() != null ? t.clientId() : t.subject();
      d.put("jti", t.jti());
      chain(d, t, link, t.txn());
    }
    await(
        audit.submit(
            AuditEvent.of(
                AuditType.MCP_REQUEST_DENIED,
                AuditOutcome.DENY,
                reason,
                clock.instant(),
                actor,
                t == null ? null : actor,
                r.resource().name(),
                d)));
  }

  void deny(
      McpGateway.Caller c,
      McpGateway.Request r,
      McpMessage m,
      String txn,
      Decision d,
      String inputs,
      Reason reason,
      String message,
      Instant now) {
    await(audit.submit(event(c, r, m, txn, d, inputs, reason, message, now)));
  }

  AuditEvent event(
      McpGateway.Caller c,
      McpGateway.Request r,
      McpMessage m,
      String txn,
      Decision d,
      String inputs,
      Reason reason,
      String message,
      Instant now) {
    boolean allowed = reason == Reason.ALLOWED;
    Map<String, String> det = new HashMap<>();
    det.put("sourceAddress", r.sourceAddress() == null ? "" : r.sourceAddress());
    det.put("jti", c.token().jti());
    chain(det, c.token(), c.previous(), txn);
    putIf(det, ChainFields.TRACEPARENT, r.traceparent());
    putIf(det, ChainFields.INPUTS, inputs);
    if (d != null && d.policy() != null) {
      det.put("policy", d.policy());
    }
    if (message != null) {
      det.put("message", message.length() > 512 ? message.substring(0, 512) : message);
    }
    AuditType type = allowed ? AuditType.MCP_REQUEST : AuditType.MCP_REQUEST_DENIED;
    if (m != null) {
      det.put("mcpMethod", m.method() == null ? "" : m.method());
      if (m.isToolCall()) {
        det.put("tool", m.name());
        type = allowed ? AuditType.MCP_TOOL_CALL : AuditType.MCP_TOOL_DENIED;
      } else if (m.name() != null) {
        det.put("mcpName", ToolNames.printable(m.name()));
      }
      if (m.argumentsJson() != null) {
        det.put(
            "argumentsSha256",
            HexFormat.of()
                .formatHex(Hashes.sha256(m.argumentsJson().getBytes(StandardCharsets.UTF_8))));
      }
    }
    if (allowed && r.resource().mcp() != null && r.resource().mcp().credential() != null) {
      det.put("upstreamCredential", r.resource().mcp().credential().describe());
    }
    return AuditEvent.of(
        type,
        allowed ? AuditOutcome.ALLOW : AuditOutcome.DENY,
        reason,
        now,
        c.agent(),
        // a user is no workload: their calls are found by chainSubject, the client by actor
        c.user() == null ? c.agent() : null,
        r.resource().name(),
        det);
  }

  private static void chain(
      Map<String, String> d, VerifiedWardenToken t, IssuanceLinks.Link link, String txn) {
    String client = t.clientId() != null ? t.clientId() : t.subject();
    if (!t.subject().equals(client) || t.actor() != null) {
      // as token grants do: the subject is named only when the call acts for someone else
      d.put(ChainFields.SUBJECT, t.subject());
    }
    Actor act = t.actor();
    if (act != null) {
      d.put(ChainFields.ACTORS, String.join(" ", act.subjectsInOrder().reversed()));
      d.put(ChainFields.DEPTH, Integer.toString(act.depth()));
    }
    putIf(d, ChainFields.TXN, txn);
    if (link != null) {
      d.put(ChainFields.PREVIOUS, link.event());
      putIf(d, ChainFields.PREVIOUS_HASH, link.hash());
      d.put(ChainFields.ROOT, link.root());
    }
  }

  void await(CompletableFuture<AuditRecord> f) {
    try {
      // untimed: the writer fails an event its caller has waited the audit timeout for
      f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnavailableException u) {
        throw u;
      }
      throw new UnavailableException(
          Reason.AUDIT_UNAVAILABLE, "the audit log could not be written", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException(
          Reason.AUDIT_UNAVAILABLE, "interrupted while writing the audit log", e);
    }
  }

  private static void putIf(Map<String, String> d, String key, String value) {
    if (value != null) {
      d.put(key, value);
    }
  }
}
