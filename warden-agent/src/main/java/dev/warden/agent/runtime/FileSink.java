package dev.warden.agent.runtime;

import dev.warden.core.model.SpiffeId;
import java.nio.file.Path;
import java.util.List;

/**
 * Credential files for one workload, for software that cannot speak the Workload API (like
 * Teleport's tbot): {@code svid.pem} (leaf first, then intermediates), {@code svid_key.pem}
 * (PKCS#8, 0600), {@code bundle.pem}, and {@code jwt_<audience>.token} per audience; replaced
 * atomically at every renewal, after which {@code command} (if any) runs, for example to reload a
 * proxy.
 */
public record FileSink(
    SpiffeId spiffeId, Path directory, List<String> jwtAudiences, List<String> command) {
  public FileSink {
    jwtAudiences = jwtAudiences == null ? List.of() : List.copyOf(jwtAudiences);
    command = command == null ? List.of() : List.copyOf(command);
  }

  /** A file name for an audience: letters, digits, '.', '-' and '_' kept, anything else '_'. */
  static String jwtFileName(String audience) {
    return "jwt_"
        + audience.replaceAll("^[a-z]+://", "").replaceAll("[^A-Za-z0-9._-]", "_")
        + ".token";
  }
}
