package dev.warden.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.model.SpiffeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The agent's session kept across restarts (owner-only, written atomically), so that a restarted
 * agent resumes it instead of needing new evidence: a join token is single use. Apart from {@link
 * AgentRuntime} because it is the one place the session's key reaches the disk, and an unreadable
 * file only costs a new attestation.
 */
final class SessionFile {
  private static final System.Logger LOG = System.getLogger(AgentRuntime.class.getName());

  private final Path file;

  SessionFile(Path file) {
    this.file = file;
  }

  /** Writes {@code s}; a failure is logged, since the agent works on without it. */
  void save(AgentRuntime.Session s) {
    ObjectNode o = ServerClient.JSON.createObjectNode();
    o.put("spiffe_id", s.id().toString());
    o.put("session_token", s.token());
    o.put("issued_at", s.issuedAt().toString());
    o.put("expires_at", s.expiresAt().toString());
    o.put("key_pkcs8", Base64.getEncoder().encodeToString(s.key().getEncoded()));
    ArrayNode chain = o.putArray("svid_chain");
    for (X509Certificate c : s.chain()) {
      try {
        chain.add(Base64.getEncoder().encodeToString(c.getEncoded()));
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    try {
      AtomicFiles.write(file, o.toString().getBytes(StandardCharsets.UTF_8), AtomicFiles.PRIVATE);
    } catch (IOException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot persist the agent session to "
              + file
              + " (a restart will "
              + "need new evidence): "
              + e.getMessage());
    }
  }

  /** The saved session; null when there is none or it cannot be read (logged). */
  AgentRuntime.@Nullable Session load() {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      JsonNode o = ServerClient.JSON.readTree(Files.readAllBytes(file));
      PrivateKey key =
          KeyFactory.getInstance("EC")
              .generatePrivate(
                  new PKCS8EncodedKeySpec(
                      Base64.getDecoder().decode(o.path("key_pkcs8").asText())));
      return new AgentRuntime.Session(
          SpiffeId.parse(o.path("spiffe_id").asText()),
          ServerReplies.chain(o.path("svid_chain")),
          key,
          o.path("session_token").asText(),
          Instant.parse(o.path("issued_at").asText()),
          Instant.parse(o.path("expires_at").asText()));
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "ignoring unreadable agent state " + file + ": " + e.getMessage());
      return null;
    }
  }
}
