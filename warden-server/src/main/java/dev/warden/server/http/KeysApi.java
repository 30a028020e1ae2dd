package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.token.KeyManager;
import dev.warden.server.admin.Scopes;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Signing keys of each purpose: {@code GET /v1/keys}, {@code POST
 * /v1/keys:rotate?purpose=&immediate=}.
 */
final class KeysApi implements ApiUnit {
  private final KeyManager accessTokens;
  private final KeyManager jwtSvids;
  private final @Nullable KeyManager federation;
  private final @Nullable KeyManager checkpoints;

  /**
   * @param federation the federation keys, or null when federation is off
   * @param checkpoints the audit checkpoint keys, or null when this node signs no checkpoints
   * @throws IllegalArgumentException unless the access-token keys come first, the JWT-SVID keys
   *     second, the federation keys (if any) third and the audit checkpoint keys (if any) fourth
   */
  KeysApi(
      KeyManager accessTokens,
      KeyManager jwtSvids,
      @Nullable KeyManager federation,
      @Nullable KeyManager checkpoints) {
    if (accessTokens.purpose() != KeyPurpose.ACCESS_TOKEN
        || jwtSvids.purpose() != KeyPurpose.JWT_SVID
        || federation != null && federation.purpose() != KeyPurpose.FEDERATION
        || checkpoints != null && checkpoints.purpose() != KeyPurpose.AUDIT_CHECKPOINT) {
      throw new IllegalArgumentException(
          "access-token keys first, JWT-SVID keys second, federation keys third,"
              + " audit checkpoint keys fourth");
    }
    this.accessTokens = accessTokens;
    this.jwtSvids = jwtSvids;
    this.federation = federation;
    this.checkpoints = checkpoints;
  }

  @Override
  public String group() {
    return "admin";
  }

  @Override
  public boolean owns(String rawPath) {
    String head = ApiUnit.head(rawPath);
    return head.equals("keys") || head.equals("keys:rotate");
  }

  @Override
  public void routes(RouteTable t) {
    t.path(p -> ApiUnit.head(p).equals("keys")).get(Scopes.READ, this::list);
    t.path(p -> true).post(Scopes.KEYS_MANAGE, this::rotate);
  }

  private void list(Call c) {
    ArrayNode a = HttpJson.MAPPER.createArrayNode();
    for (KeyPurpose p : KeyPurpose.values()) {
      if (p == KeyPurpose.FEDERATION && federation == null
          || p == KeyPurpose.AUDIT_CHECKPOINT && checkpoints == null) {
        continue;
      }
      for (SigningKeyRecord k : of(p).list()) {
        a.add(Render.key(k));
      }
    }
    ObjectNode o = HttpJson.object();
    o.set("keys", a);
    c.send(200, o);
  }

  private void rotate(Call c) {
    boolean immediate = Params.flag(c, "immediate");
    String wanted = c.query("purpose");
    KeyPurpose purpose =
        KeyPurpose.parse("purpose", wanted == null ? KeyPurpose.ACCESS_TOKEN.wire() : wanted);
    KeyManager.RotationResult r = of(purpose).rotate(immediate, c.who().actor());
    ObjectNode o = HttpJson.object();
    o.put("purpose", purpose.wire());
    o.put("kid", r.newKid());
    o.put("state", r.newState().name().toLowerCase(Locale.ROOT));
    if (r.retiredKid() != null) {
      o.put("retired", r.retiredKid());
    }
    c.send(200, o);
  }

  private KeyManager of(KeyPurpose p) {
    return switch (p) {
      case ACCESS_TOKEN -> accessTokens;
      case JWT_SVID -> jwtSvids;
      case FEDERATION -> {
        if (federation == null) {
          throw new dev.warden.core.error.ValidationException(
              "purpose", "federation is off on this server; set federation.enabled: true");
        }
        yield federation;
      }
      case AUDIT_CHECKPOINT -> {
        if (checkpoints == null) {
          throw new dev.warden.core.error.ValidationException(
              "purpose", "this server signs no audit checkpoints");
        }
        yield checkpoints;
      }
    };
  }
}
