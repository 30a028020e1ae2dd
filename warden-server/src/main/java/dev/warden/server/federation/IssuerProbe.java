package dev.warden.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.federation.FederationRules.IssuerFacts;
import dev.warden.core.federation.FederationRules.SampleToken;
import dev.warden.core.federation.FederationRules.Tls;
import dev.warden.core.trust.DocumentFetcher;
import java.io.IOException;
import java.net.URI;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Reads an issuer the way AWS, GCP and Entra do: {@code <issuer>/.well-known/openid-configuration}
 * over https with the JDK's default (public) trust store and no redirect off the origin, then the
 * {@code jwks_uri} it names. A TLS failure is recorded as an untrusted chain and nothing more is
 * read, since the cloud would stop there too. Plain http is read only on loopback (the rules of
 * {@link HttpDocumentFetcher}), so tests can probe a local server and see the https rules broken.
 */
public final class IssuerProbe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final DocumentFetcher fetcher;

  public IssuerProbe() {
    this(new HttpDocumentFetcher());
  }

  public IssuerProbe(DocumentFetcher fetcher) {
    this.fetcher = fetcher;
  }

  /**
   * Observes {@code issuer}; never throws for what the issuer serves: failures are facts.
   *
   * @param sample a token to inspect, or null
   */
  public IssuerFacts probe(String issuer, @Nullable SampleToken sample) {
    Tls tls = issuer.startsWith("https://") ? Tls.TRUSTED : Tls.NOT_TLS;
    String tlsDetail =
        tls == Tls.TRUSTED ? "chain verified with the JDK's default trust store" : "plain http";
    JsonNode discovery = null;
    String discoveryError = null;
    JsonNode jwks = null;
    String jwksError = null;
    try {
      discovery = read(URI.create(issuer + "/.well-known/openid-configuration"));
    } catch (IOException | RuntimeException e) {
      if (hasCause(e, SSLException.class)) {
        tls = Tls.UNTRUSTED;
        tlsDetail = String.valueOf(rootMessage(e));
      }
      discoveryError = rootMessage(e);
    }
    if (discovery != null) {
      String j = discovery.path("jwks_uri").asText(null);
      if (j == null) {
        jwksError = "discovery names no jwks_uri";
      } else {
        try {
          jwks = read(URI.create(j));
        } catch (IOException | RuntimeException e) {
          jwksError = rootMessage(e);
        }
      }
    } else {
      jwksError = "not read: discovery unreadable";
    }
    return new IssuerFacts(
        issuer, discovery, discoveryError, jwks, jwksError, tls, tlsDetail, sample);
  }

  private JsonNode read(URI uri) throws IOException {
    JsonNode n = JSON.readTree(fetcher.fetch(uri));
    if (n == null || !n.isObject()) {
      throw new IOException(uri + " did not answer a JSON object");
    }
    return n;
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
