package dev.warden.core.secret;

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
 */
public final class BrokeredSecretProvider implements CredentialProvider {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final BrokeredSecrets secrets;
  private final ReadLog reads;

  public BrokeredSecretProvider(BrokeredSecrets secrets, ReadLog reads) {
    this.secrets = secrets;
    this.reads = reads;
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
    BrokeredSecrets.Opened o = secrets.open(name);
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
