package dev.warden.server.console;

import dev.warden.core.crypto.Secret;
import dev.warden.core.document.Kind;
import dev.warden.core.error.ValidationException;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.model.Named;
import dev.warden.core.model.Resource;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.store.Versioned;
import dev.warden.core.token.KeyManager;
import dev.warden.server.admin.Scopes;
import dev.warden.server.config.ConfigKey;
import dev.warden.server.config.ServerKeys;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Settings: trust providers (with a box to test a platform token against one), resources, signing
 * keys (with a rotate action) and the CA, the notification endpoint, and every server configuration
 * key with its value (files and flags are where they are changed; a secret shows as redacted, a URL
 * that may carry a token shows its host only).
 */
final class SettingsPage {
  record Provider(
      String name,
      String type,
      String issuer,
      String audiences,
      String algorithms,
      String disabled) {}

  record Res(String name, String kind, String audience, String sensitivity, String disabled) {}

  record Key(
      String purpose,
      String kid,
      String algorithm,
      String state,
      Instant created,
      @Nullable Instant activated,
      @Nullable Instant retired) {}

  record Setting(String key, String value, @Nullable String defaultValue, String doc) {}

  record View(
      Instant now,
      List<Provider> providers,
      List<Res> resources,
      List<Key> keys,
      String caId,
      Instant caNotAfter,
      String trustDomain,
      String webhook,
      List<Setting> settings,
      @Nullable TokenTest test,
      List<String> rotatable) {}

  /**
   * The answer of "test a token": what the chosen provider checks, and what became of the token.
   *
   * @param chosen the provider the administrator picked
   * @param rules what that provider checks, in order (empty when it is unknown or disabled)
   * @param check the token taken through verification and identification
   */
  record TokenTest(String chosen, List<String> rules, TokenCheck check) {
    /**
     * The provider that actually verified it differs from the one picked: its iss chose another.
     */
    boolean otherProvider() {
      var id = check.identity(); // present when verified
      return id != null && !id.provider().equals(chosen);
    }
  }

  private final ConsoleServices s;

  SettingsPage(ConsoleServices s) {
    this.s = s;
  }

  void register(Console c) {
    c.route("/settings", Scopes.READ, this::show, null);
    // a POST so that the token stays out of URLs, history and access logs; it changes nothing
    c.route("/settings/test-token", Scopes.READ, null, this::testToken);
    // the scope of POST /v1/keys:rotate, and the same core call: KeyManager.rotate audits it
    c.route("/settings/keys/rotate", Scopes.KEYS_MANAGE, null, this::rotate);
  }

  /**
   * Rotates one purpose's signing keys as {@code POST /v1/keys:rotate} does: normally a new key is
   * prepared and published before it signs; with {@code immediate} (a suspected compromise) it
   * signs at once and the old one is retired.
   */
  private void rotate(ConsoleCall c) {
    KeyPurpose purpose = KeyPurpose.parse("purpose", c.required("purpose"));
    boolean immediate = "true".equals(c.field("immediate"));
    KeyManager keys =
        s.keys().stream()
            .filter(k -> k.purpose() == purpose)
            .findFirst()
            .orElseThrow(
                () ->
                    new ValidationException(
                        "purpose", "this server has no " + purpose.wire() + " signing keys"));
    KeyManager.RotationResult r = keys.rotate(immediate, c.who.actor());
    c.redirect(
        Console.PREFIX + "/settings#keys",
        r.newState() == KeyState.ACTIVE
            ? "New "
                + purpose.wire()
                + " key "
                + r.newKid()
                + " signs now"
                + (r.retiredKid() == null ? "." : "; " + r.retiredKid() + " is retired.")
            : "New "
                + purpose.wire()
                + " key "
                + r.newKid()
                + " is prepared: published now, it signs once the publish lead has passed.");
  }

  private void show(ConsoleCall c) {
    c.page(
        o -> JtesettingsGenerated.render(o, null, c.frame("Settings", "settings"), view(c, null)));
  }

  /**
   * Verifies a pasted token as the token endpoint would (no cache, nothing issued or recorded) and
   * shows the chosen provider's rules, then the selectors and workload, or the exact refusal.
   */
  private void testToken(ConsoleCall c) {
    String provider = c.required("provider");
    String token = c.required("token");
    var trust = s.trust().get();
    TokenTest t =
        new TokenTest(
            provider, trust.rules(provider), TokenCheck.of(trust, s.policies().get(), token));
    if (c.htmx()) {
      c.page(o -> Jtesettings_testGenerated.render(o, null, t));
    } else {
      c.page(
          o -> JtesettingsGenerated.render(o, null, c.frame("Settings", "settings"), view(c, t)));
    }
  }

  private View view(ConsoleCall c, @Nullable TokenTest test) {
    List<Provider> providers = new ArrayList<>();
    for (Versioned<Named> v : s.config().list(Kind.TRUST_PROVIDER)) {
      TrustProviderSpec t = (TrustProviderSpec) v.value();
      providers.add(
          new Provider(
              t.name(),
              t.type().toString(),
              t.issuer(),
              String.join(", ", t.audiences()),
              String.join(", ", t.algorithms()),
              s.disabledReason().apply(Kind.TRUST_PROVIDER, t.name())));
    }
    List<Res> resources = new ArrayList<>();
    for (Versioned<Named> v : s.config().list(Kind.RESOURCE)) {
      Resource r = (Resource) v.value();
      resources.add(
          new Res(
              r.name(),
              r.kind() == null ? "http" : r.kind(),
              r.audience(),
              Fmt.lower(r.sensitivity()),
              s.disabledReason().apply(Kind.RESOURCE, r.name())));
    }
    List<Key> keys = new ArrayList<>();
    for (KeyManager k : s.keys()) {
      for (SigningKeyRecord r : k.list()) {
        keys.add(
            new Key(
                k.purpose().wire(),
                r.kid(),
                r.algorithm(),
                Fmt.lower(r.state()),
                r.createdAt(),
                r.activatedAt(),
                r.retiredAt()));
      }
    }
    List<Setting> settings = new ArrayList<>();
    for (ConfigKey<?> k : ServerKeys.ALL) {
      settings.add(new Setting(k.name(), shown(k, s.cfg().get(k)), k.defaultValue(), k.doc()));
    }
    var ca = s.ca().current();
    return new View(
        c.now(),
        providers,
        resources,
        keys,
        ca.authorityId(),
        ca.notAfter(),
        ca.trustDomain(),
        shown(
            ServerKeys.NOTIFICATIONS_WEBHOOK_URL,
            s.cfg().get(ServerKeys.NOTIFICATIONS_WEBHOOK_URL)),
        settings,
        test,
        c.who.has(Scopes.KEYS_MANAGE)
            ? s.keys().stream().map(k -> k.purpose().wire()).toList()
            : List.of());
  }

  /**
   * A setting as shown: secrets redacted, URLs as scheme and host (a webhook URL often holds a
   * token).
   */
  static String shown(ConfigKey<?> k, @Nullable Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Secret) {
      return "(set; not shown)";
    }
    String v = value.toString();
    if (v.startsWith("http://") || v.startsWith("https://") || v.startsWith("jdbc:")) {
      try {
        URI u = URI.create(v.startsWith("jdbc:") ? v.substring(5) : v);
        return (v.startsWith("jdbc:") ? "jdbc:" : "")
            + u.getScheme()
            + "://"
            + u.getHost()
            + (u.getPort() > 0 ? ":" + u.getPort() : "")
            + (u.getPath() == null || u.getPath().isEmpty() ? "" : "/…");
      } catch (IllegalArgumentException e) {
        return "(set; not shown)";
      }
    }
    return v;
  }
}
