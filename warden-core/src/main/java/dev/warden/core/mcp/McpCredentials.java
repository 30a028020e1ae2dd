package dev.warden.core.mcp;

import dev.warden.core.cache.ChangeCache;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.McpUpstream;
import dev.warden.core.model.Resource;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.secret.BrokeredSecrets;
import dev.warden.core.secret.ReadLog;
import dev.warden.core.upstream.UpstreamTokenProvider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * The downstream credential the MCP gateway adds to a forwarded request, from the stores Warden
 * already has: the current version of a brokered secret (each use noted in its read log under the
 * agent's name, as a direct read would be), or the cached token of an {@code oauth-client}
 * resource. Nothing is stored for the gateway itself.
 *
 * <p>The opened secret is kept per name between calls (decision 662): every change of what a read
 * opens (a new current version, the current one deleted or destroyed, the secret deleted) drops it,
 * at once when made on this node, on notification from another (see {@link ChangeCache}).
 */
public final class McpCredentials {
  /** A header to set on the forwarded request. {@link #value} is the secret; never log it. */
  public record Injected(String header, Secret value) {}

  private final BrokeredSecrets secrets;
  private final ReadLog reads;
  private final UpstreamTokenProvider upstreamTokens;
  private final Supplier<PolicySnapshot> policies;
  private final ChangeCache<String, BrokeredSecrets.Opened> opened;

  /**
   * @param opened where opened secrets are kept, invalidated by every change of brokered secrets
   */
  public McpCredentials(
      BrokeredSecrets secrets,
      ReadLog reads,
      UpstreamTokenProvider upstreamTokens,
      Supplier<PolicySnapshot> policies,
      ChangeCache<String, BrokeredSecrets.Opened> opened) {
    this.opened = opened;
    this.secrets = secrets;
    this.reads = reads;
    this.upstreamTokens = upstreamTokens;
    this.policies = policies;
  }

  /**
   * The header carrying the credential, or null when the upstream takes none.
   *
   * @throws DeniedException {@code secret_unavailable} when the brokered secret is missing or not
   *     readable, {@code unknown_resource} when the oauth-client resource named is not registered
   * @throws dev.warden.core.error.TargetException when its upstream OAuth server issued no token
   */
  public Injected resolve(McpUpstream.Credential c, String agent, Instant now) {
    if (c == null) {
      return null;
    }
    if (c.secret() != null) {
      // a secret that cannot be opened throws and is not kept
      BrokeredSecrets.Opened o = opened.get(c.secret(), secrets::open, x -> true);
      reads.record(c.secret(), agent, o.version(), now);
      return switch (c.placement()) {
        case BEARER -> new Injected("Authorization", Secret.of("Bearer " + o.value().reveal()));
        case HEADER -> new Injected(c.header(), o.value());
        case BASIC ->
            new Injected(
                "Authorization",
                Secret.of(
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(o.value().reveal().getBytes(StandardCharsets.UTF_8))));
      };
    }
    Resource client = policies.get().resource(c.oauthClient());
    if (client == null || !Resource.OAUTH_CLIENT.equals(client.kind())) {
      throw new DeniedException(
          Reason.UNKNOWN_RESOURCE,
          "the gateway's credential names oauth-client resource '"
              + c.oauthClient()
              + "', which is not registered; an operator must apply it");
    }
    return new Injected(
        "Authorization", Secret.of("Bearer " + upstreamTokens.token(client).reveal()));
  }
}
