package dev.warden.core.document;

import static dev.warden.core.document.Fields.F;
import static dev.warden.core.document.Fields.allowOnly;
import static dev.warden.core.document.Fields.putIfSet;
import static dev.warden.core.document.Fields.stringList;
import static dev.warden.core.document.Fields.strings;
import static dev.warden.core.document.Fields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import dev.warden.core.model.OAuthClient;
import java.util.List;

/** A resource's {@code spec.oauth}: the upstream OAuth client Warden acts as. */
final class OAuthClientDocument {
  private OAuthClientDocument() {}

  /**
   * Parses a resource's {@code spec.oauth}. It names the target secret holding the client secret or
   * private key; the secret itself is refused, so it can never reach a document, its history or a
   * diff.
   *
   * @throws ValidationException naming the first field that is wrong
   */
  static OAuthClient parse(JsonNode o) {
    if (!o.isObject()) {
      throw new ValidationException(
          "spec.oauth",
          "must be an object: {tokenUrl, clientId, authMethod,"
              + " clientSecretSecret or privateKeySecret, scopes}");
    }
    for (String f : List.of("clientSecret", "client_secret", "privateKey", "secret", "password")) {
      if (o.has(f)) {
        throw new ValidationException(
            "spec.oauth." + f,
            "a secret never goes in a document; store it with"
                + " 'warden target-secret set <name>' and name it in spec.oauth.clientSecretSecret (or privateKeySecret)");
      }
    }
    allowOnly(
        o,
        "spec.oauth",
        "tokenUrl",
        "clientId",
        "authMethod",
        "clientSecretSecret",
        "privateKeySecret",
        "signingAlg",
        "keyId",
        "scopes",
        "audience",
        "resource",
        "defaultExpiresIn",
        "revocationUrl");
    String m = text(o, "authMethod");
    OAuthClient.AuthMethod method =
        m == null ? OAuthClient.AuthMethod.CLIENT_SECRET_BASIC : OAuthClient.AuthMethod.fromWire(m);
    String clientSecret = text(o, "clientSecretSecret");
    String privateKey = text(o, "privateKeySecret");
    if (method == OAuthClient.AuthMethod.PRIVATE_KEY_JWT
        ? clientSecret != null
        : privateKey != null) {
      throw new ValidationException(
          "spec.oauth." + (clientSecret != null ? "clientSecretSecret" : "privateKeySecret"),
          "does not go with authMethod: "
              + method.wire()
              + "; private_key_jwt takes privateKeySecret, the"
              + " client_secret methods take clientSecretSecret");
    }
    String secret = method == OAuthClient.AuthMethod.PRIVATE_KEY_JWT ? privateKey : clientSecret;
    if (secret == null) {
      throw new ValidationException(
          "spec.oauth."
              + (method == OAuthClient.AuthMethod.PRIVATE_KEY_JWT
                  ? "privateKeySecret"
                  : "clientSecretSecret"),
          "is required: the name of the target secret holding the "
              + (method == OAuthClient.AuthMethod.PRIVATE_KEY_JWT
                  ? "PEM private key"
                  : "client secret")
              + " (store it with 'warden target-secret set <name>')");
    }
    return new OAuthClient(
        text(o, "tokenUrl"),
        text(o, "clientId"),
        method,
        secret,
        text(o, "signingAlg"),
        text(o, "keyId"),
        stringList(o, "scopes"),
        text(o, "audience"),
        text(o, "resource"),
        Durations.parse("spec.oauth.defaultExpiresIn", text(o, "defaultExpiresIn")),
        text(o, "revocationUrl"));
  }

  /** Renders an OAuth client: {@code oauthClient(oauthSpec(c))} equals c. */
  static ObjectNode render(OAuthClient c) {
    ObjectNode o = F.objectNode();
    o.put("tokenUrl", c.tokenUrl());
    o.put("clientId", c.clientId());
    o.put("authMethod", c.authMethod().wire());
    o.put(
        c.authMethod() == OAuthClient.AuthMethod.PRIVATE_KEY_JWT
            ? "privateKeySecret"
            : "clientSecretSecret",
        c.secret());
    putIfSet(o, "signingAlg", c.signingAlg());
    putIfSet(o, "keyId", c.keyId());
    strings(o, "scopes", c.scopes());
    putIfSet(o, "audience", c.audience());
    putIfSet(o, "resource", c.resourceIndicator());
    o.put("defaultExpiresIn", Durations.format(c.defaultExpiresIn()));
    putIfSet(o, "revocationUrl", c.revocationUrl());
    return o;
  }
}
