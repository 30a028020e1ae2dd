package dev.warden.core.secret;

import dev.warden.core.cache.ChangeCache;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.grant.CredentialProvider;
import dev.warden.core.grant.Issuance;
import dev.warden.core.grant.IssuedCredential;
import dev.warden.core.model.CredentialKind;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hands the current value of the brokered secret a resource names ({@code spec.secret.name}) to a
 * workload the policy allows. The lease of such a read is a record of who read which version, and
 * until when the policy meant the workload to use it: the secret cannot be revoked at its target,
 * so revoking the lease revokes nothing there — rotating the secret does (decision 113).
 *
 * <p>The opened secret is kept per name between reads on this node (decision 662, extended in 022):
 * every change of what a read opens — a new current version, the current one deleted or destroyed,
 * the secret deleted — drops it on this node before the change returns and on every other node on
 * the change notification. Each read is still policy-checked, leased and audited.
 */
public final class BrokeredSecretProvider implements CredentialProvider {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final BrokeredSecrets secrets;
  private final ReadLog reads;
  private final ChangeCache<String, BrokeredSecrets.Opened> opened;

  /**
   * @param opened where opened secrets are kept, invalidated by every change of brokered secrets
   *     (shared with the MCP gateway's)
   */
  public BrokeredSecretProvider(
      BrokeredSecrets secrets, ReadLog reads, ChangeCache<String, BrokeredSecrets.Opened> opened) {
    this.secrets = secrets;
    this.reads = reads;
    this.opened = opened;
  }

  @Override
  public CredentialKind kind() {
    return CredentialKind.BROKERED_SECRET;
  }

  @Override
  public IssuedCredential issue(Issuance in) {
    String name = in.resource().secret();
    if (name == null) {
      throw new DeniedException(
          Reason.CREDENTIAL_KIND_UNSUPPORTED,
          "resource '"
              + in.resource().name()
              + "' names no brokered secret (spec.secret.name), so there is nothing to hand out");
    }
    // a secret that cannot be opened throws and is not kept
    BrokeredSecrets.Opened o = opened.get(name, secrets::open, x -> true);
    // whole seconds, so that expires_in agrees with expires_at exactly
    Instant iat = Instant.ofEpochSecond(in.now().getEpochSecond());
    Instant exp = Instant.ofEpochSecond(in.notAfter().getEpochSecond());
    if (exp.isBefore(iat)) {
      exp = iat;
    }
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    Map<String, String> details = new LinkedHashMap<>();
    details.put("secret", name);
    details.put("version", Long.toString(o.version()));
    reads.record(name, in.workload().name(), o.version(), in.now());
    return new IssuedCredential(
        CredentialKind.BROKERED_SECRET,
        o.value(),
        "bs_" + HexFormat.of().formatHex(id),
        iat,
        exp,
        details);
  }
}
