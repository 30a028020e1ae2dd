package dev.warden.server.http;

import dev.warden.core.checkpoint.Checkpointer;

/**
 * {@code GET /v1/audit/checkpoints/jwks}: the public keys of the audit checkpoints, every one ever
 * used, with no token, like every JWKS: whoever holds a checkpoint (a SIEM, an auditor) verifies it
 * with them, and saves them to verify offline later.
 */
final class AuditKeysApi implements ApiUnit {
  static final String PATH = "/v1/audit/checkpoints/jwks";

  private final Checkpointer checkpoints;

  AuditKeysApi(Checkpointer checkpoints) {
    this.checkpoints = checkpoints;
  }

  @Override
  public String group() {
    return "admin";
  }

  @Override
  public boolean owns(String rawPath) {
    return rawPath.equals(PATH);
  }

  @Override
  public boolean adminTokenFirst() {
    return false;
  }

  @Override
  public void routes(RouteTable t) {
    t.exact(PATH)
        .get(
            null,
            c -> {
              try {
                c.send(200, HttpJson.MAPPER.readTree(checkpoints.jwks()));
              } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(
                    "the checkpoint keyset wrote a JWKS that is not JSON", e);
              }
            });
  }
}
