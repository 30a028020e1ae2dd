package dev.warden.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the agent API's answers into the runtime's values: sessions, registrations, certificate
 * chains, declared proxies. Apart from {@link AgentRuntime} so that the loop reads as what it does
 * with the server, and the shapes it reads stay in one place.
 */
final class ServerReplies {
  private static final System.Logger LOG = System.getLogger(AgentRuntime.class.getName());

  private ServerReplies() {}

  static X509Certificate certificate(byte[] der) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new java.io.ByteArrayInputStream(der));
    } catch (java.security.cert.CertificateException e) {
      throw new IllegalStateException("the server sent a certificate that cannot be parsed", e);
    }
  }

  /** A certificate chain sent as an array of base64 DER, leaf first. */
  static List<X509Certificate> chain(JsonNode array) {
    List<X509Certificate> chain = new ArrayList<>();
    array.forEach(n -> chain.add(certificate(Base64.getDecoder().decode(n.asText()))));
    return chain;
  }

  /** The session an attestation or renewal answered, holding {@code key}, issued {@code now}. */
  static AgentRuntime.Session session(JsonNode r, PrivateKey key, Instant now) {
    return new AgentRuntime.Session(
        SpiffeId.parse(r.path("spiffe_id").asText()),
        List.copyOf(chain(r.path("svid_chain"))),
        key,
        r.path("session_token").asText(),
        now,
        Instant.parse(r.path("expires_at").asText()));
  }

  static AgentRuntime.Entry entry(JsonNode e) {
    Set<Selector> sel = new LinkedHashSet<>();
    e.path("selectors").forEach(n -> sel.add(Selector.parse(n.asText())));
    String exp = e.path("expires_at").asText(null);
    return new AgentRuntime.Entry(
        SpiffeId.parse(e.path("spiffe_id").asText()),
        Set.copyOf(sel),
        exp == null ? null : Instant.parse(exp));
  }

  /**
   * The declared proxies from a sync's first page; null when they did not change since the version
   * this agent sent (a version alone), or the server sent none. Declarations this agent cannot read
   * are named with the reason, never guessed at.
   */
  static AgentRuntime.@Nullable DeclaredProxySet declaredProxies(JsonNode p) {
    if (p.isMissingNode() || !p.hasNonNull("version") || !p.has("items")) {
      return null;
    }
    List<dev.warden.core.edge.ProxyDeclaration> ok = new ArrayList<>();
    Map<String, String> unreadable = new java.util.TreeMap<>();
    for (JsonNode d : p.path("items")) {
      try {
        ok.add((dev.warden.core.edge.ProxyDeclaration) dev.warden.core.document.Documents.parse(d));
      } catch (dev.warden.core.error.ValidationException | ClassCastException e) {
        String name = d.path("metadata").path("name").asText("");
        LOG.log(
            System.Logger.Level.WARNING,
            "cannot read the declaration of proxy '" + name + "': " + e.getMessage());
        unreadable.put(
            name,
            "this agent cannot read the declaration (" + e.getMessage() + "); upgrade the agent");
      }
    }
    return new AgentRuntime.DeclaredProxySet(p.path("version").asText(), ok, unreadable);
  }
}
