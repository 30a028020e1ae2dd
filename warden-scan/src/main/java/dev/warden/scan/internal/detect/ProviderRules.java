package dev.warden.scan.internal.detect;

import static dev.warden.scan.Severity.CRITICAL;
import static dev.warden.scan.Severity.HIGH;
import static dev.warden.scan.Severity.MEDIUM;
import static dev.warden.scan.internal.detect.Rules.B;
import static dev.warden.scan.internal.detect.Rules.E;
import static dev.warden.scan.internal.detect.Rules.EU;
import static dev.warden.scan.internal.detect.Rules.UUID;
import static dev.warden.scan.internal.detect.Rules.context;
import static dev.warden.scan.internal.detect.Rules.token;

import dev.warden.scan.Confidence;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Provider formats added when comparing the catalogue with gitleaks' default rules (the mapping is
 * in docs/scan.md). Each expression is written from the provider's token format: a prefix where the
 * provider has one, otherwise the provider's name in the key and the value's alphabet and length.
 * Public identifiers (client ids, publishable keys) are deliberately absent.
 */
final class ProviderRules {
  private ProviderRules() {}

  static void addTo(List<Rule> r) {
    // spotless:off (a declarative table: one rule a line or two reads better than the formatter's layout)
    // ---- Prefixed formats
    r.add(token("onepassword-secret-key", "1Password account Secret Key", CRITICAL,
        B + "A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}" + E, "A3-").build());
    r.add(token("adafruit-io-key", "Adafruit IO key", HIGH, B + "aio_[A-Za-z0-9]{28}" + E, "aio_").build());
    r.add(Rule.builder("authress-access-key", "Authress service client access key").severity(HIGH).kind(Rule.Kind.TOKEN)
        .exactKeywords(".acc_", ".acc-").window(40, 200)
        .regex(B + "(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\\.[A-Za-z0-9]{4,6}\\.acc[_-][A-Za-z0-9-]{10,32}\\.[A-Za-z0-9+/_=-]{30,120}"
            + "(?![A-Za-z0-9+/_=-])").build());
    r.add(token("aws-bedrock-short-term-key", "Amazon Bedrock short-term API key (presigned, up to 12 hours)", HIGH,
        B + "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]{40,4000}={0,2}", "bedrock-api-key-").window(0, 4100).build());
    r.add(token("clickhouse-cloud-api-key", "ClickHouse Cloud API key secret", HIGH, B + "4b1d[A-Za-z0-9]{38}" + E, "4b1d")
        .randomness(0.7).build());
    r.add(token("contentful-management-token", "Contentful content management personal access token", HIGH,
        B + "CFPAT-[A-Za-z0-9_-]{43}" + EU, "CFPAT-").build());
    r.add(token("defined-networking-api-key", "Defined Networking (Managed Nebula) API key", HIGH,
        B + "dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52}" + EU, "dnkey-").build());
    r.add(token("duffel-api-token", "Duffel API access token", HIGH, B + "duffel_(?:test|live)_[A-Za-z0-9_=-]{43}" + EU, "duffel_").build());
    r.add(token("flutterwave-encryption-key", "Flutterwave encryption key", HIGH,
        B + "FLWSECK(?:_TEST)?[a-f0-9]{12}" + E, "FLWSECK").build());
    r.add(token("flyio-access-token", "Fly.io access or deploy token (macaroon)", HIGH,
        B + "(?:fo1_[A-Za-z0-9_-]{43}" + EU + "|fm1[ar]_[A-Za-z0-9+/]{100,1000}={0,3}|fm2_[A-Za-z0-9+/]{100,1000}={0,3})",
        "fo1_", "fm1a_", "fm1r_", "fm2_").window(0, 1100).build());
    r.add(token("frameio-api-token", "Frame.io developer token", HIGH, B + "fio-u-[A-Za-z0-9_=-]{64}" + EU, "fio-u-").build());
    r.add(token("gitlab-feature-flag-token", "GitLab feature flags client token", MEDIUM, B + "glffct-[A-Za-z0-9_-]{20}" + EU, "glffct-").build());
    r.add(token("gitlab-incoming-mail-token", "GitLab incoming email token", HIGH, B + "glimt-[A-Za-z0-9_-]{25}" + EU, "glimt-").build());
    r.add(Rule.builder("gitlab-session-cookie", "GitLab session cookie").severity(HIGH).kind(Rule.Kind.TOKEN)
        .exactKeywords("_gitlab_session=").window(0, 80).regex("_gitlab_session=(?<s>[0-9a-f]{32})" + E).build());
    r.add(token("grafana-api-key-legacy", "Grafana API key (legacy, base64 JSON)", HIGH,
        B + "eyJrIjoi[A-Za-z0-9+/]{70,400}={0,3}", "eyJrIjoi").validate(ProviderRules::grafanaKey).build());
    r.add(token("harness-api-key", "Harness personal or service account token", HIGH,
        B + "(?:pat|sat)\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{20}" + E, "pat.", "sat.").build());
    r.add(token("infracost-api-token", "Infracost API key", HIGH, B + "ico-[A-Za-z0-9]{32}" + E, "ico-").build());
    r.add(token("intra42-client-secret", "42 Intra OAuth client secret", HIGH, B + "s-s4t2(?:ud|af)-[a-f0-9]{64}" + E, "s-s4t2").build());
    r.add(token("jwt-base64", "Base64-encoded JSON Web Token", MEDIUM, B + "ZXlK[A-Za-z0-9+/]{40,4000}={0,2}", "ZXlK")
        .window(0, 4100).validate(ProviderRules::base64Jwt).randomness(0).build());
    r.add(token("launchdarkly-access-token", "LaunchDarkly API access token or server-side SDK key", HIGH,
        B + "(?:api|sdk)-" + UUID + E, "api-", "sdk-").build());
    r.add(Rule.builder("maxmind-license-key", "MaxMind license key").severity(HIGH).kind(Rule.Kind.TOKEN)
        .exactKeywords("_mmk").window(40, 10).regex(B + "[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk" + E).build());
    r.add(token("octopus-deploy-api-key", "Octopus Deploy API key", HIGH, B + "API-[A-Z0-9]{26}" + E, "API-").build());
    r.add(token("openshift-user-token", "OpenShift user OAuth access token", HIGH, B + "sha256~[A-Za-z0-9_-]{43}" + EU, "sha256~").build());
    r.add(token("scalingo-api-token", "Scalingo API token", HIGH, B + "tk-us-[A-Za-z0-9_-]{48}" + EU, "tk-us-").build());
    r.add(token("settlemint-token", "SettleMint application, personal or service access token", HIGH,
        B + "sm_(?:aat|pat|sat)_[A-Za-z0-9]{16}" + E, "sm_aat_", "sm_pat_", "sm_sat_").build());
    r.add(token("slack-legacy-token", "Slack legacy token (xoxo, xoxs, xoxa, xoxr, two-part xoxb)", HIGH,
        B + "(?:xox[os]-\\d+-\\d+-\\d+-[a-fA-F0-9]{16,64}|xox[ar]-(?:\\d-)?[0-9A-Za-z]{8,48}|xoxb-\\d{8,14}-[A-Za-z0-9]{18,26})(?![A-Za-z0-9-])",
        "xoxo-", "xoxs-", "xoxa-", "xoxr-", "xoxb-").build());
    r.add(token("sourcegraph-access-token", "Sourcegraph access token", HIGH,
        B + "sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}" + E, "sgp_").build());
    r.add(token("yandex-api-key", "Yandex Cloud API key", HIGH, B + "AQVN[A-Za-z0-9_-]{35,38}" + EU, "AQVN").build());
    // ---- Credentials recognised by their surroundings
    r.add(Rule.builder("authorization-header", "Bearer, Basic or token credential in an HTTP header (curl -H, .http files, code)")
        .severity(HIGH).kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM)
        .keywords("authorization", "x-api-key", "x-auth-token", "private-token", "x-access-token").window(0, 1200)
        .regex("(?:(?i:authorization)[\"']?[ \\t]*[:=,][ \\t]*[\"']?(?i:bearer|basic|token)[ \\t]+"
            + "|(?i:x-api-key|x-auth-token|private-token|x-access-token)[\"']?[ \\t]*[:=,][ \\t]*[\"']?(?:(?i:bearer|token)[ \\t]+)?)"
            + "(?<s>[A-Za-z0-9._~+/=-]{16,1024})(?![A-Za-z0-9._~+/=-])")
        .validate(ProviderRules::headerCredential).decode(ProviderRules::headerValue)
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.6).build());
    r.add(Rule.builder("curl-basic-auth", "User name and password passed to curl with -u / --user").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).exactKeywords("curl").window(0, 500)
        .regex("curl\\b[^\\r\\n]{0,400}?[ \\t](?:-u|--user)(?:[ \\t]+|=)(?<q>[\"']?)[^\\s:\"'$]{1,64}:(?<s>[^\\s\"'$]{3,128})\\k<q>(?=\\s|$)")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(Rule.builder("nuget-config-password", "Clear-text package source password in a NuGet.Config").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH).exactKeywords("ClearTextPassword").window(20, 300)
        .regex("<add\\s+key=\"ClearTextPassword\"\\s+value=\"(?<s>[^\"\\r\\n]{1,256})\"")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(Rule.builder("freemius-secret-key", "Freemius secret key in a PHP configuration array").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH).exactKeywords("secret_key").window(1, 120)
        .regex("[\"']secret_key[\"']\\s*=>\\s*[\"'](?<s>sk_[^\\s\"']{29})[\"']")
        .placeholders(Rule.PlaceholderCheck.WORDS).build()); // the key's alphabet holds < > ? ~
    r.add(Rule.builder("kubernetes-secret-data", "Value under data or stringData of a Kubernetes Secret manifest").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("kind: secret", "kind: \"secret\"", "kind: 'secret'")
        .multiline().window(0, 16_384)
        .regex("kind:[ \\t]*([\"']?)Secret\\1[ \\t]*(?:#[^\\r\\n]*)?(?:\\r?\\n|$)")
        .locate(KubernetesSecret::values).decode(ProviderRules::base64Text)
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.4).build());
    // ---- Provider formats without a prefix: the provider's name must be in the key
    String any = "[A-Za-z0-9_.-]{0,20}";
    r.add(context("airtable-api-key-legacy", "Airtable API key (legacy, retired February 2024)", HIGH,
        "airtable" + any + "(?:key|token)", "key[A-Za-z0-9]{14}", "airtable").build());
    r.add(context("alibaba-secret-key", "Alibaba Cloud AccessKey secret", CRITICAL,
        "(?:alibaba|aliyun|alicloud)" + any + "secret", "[A-Za-z0-9]{30}", "alibaba", "aliyun", "alicloud").build());
    r.add(context("asana-token", "Asana personal access token or OAuth client secret", HIGH, "asana" + any + "(?:token|secret|pat|key)",
        "[12]/\\d{13,16}(?:/\\d{13,16})?:[a-f0-9]{32}|[A-Za-z0-9]{32}", "asana").randomness(0.5).build());
    r.add(context("beamer-api-token", "Beamer API key", HIGH, "beamer" + any + "(?:key|token)", "b_[A-Za-z0-9=_-]{44}", "beamer").build());
    r.add(context("bitbucket-client-secret", "Bitbucket OAuth consumer secret", HIGH, "bitbucket" + any + "secret",
        "[A-Za-z0-9=_-]{32,64}", "bitbucket").build());
    r.add(context("cisco-meraki-api-key", "Cisco Meraki Dashboard API key", HIGH, "meraki" + any + "(?:key|token)", "[0-9a-f]{40}", "meraki").build());
    r.add(context("codecov-token", "Codecov upload or access token", MEDIUM, "codecov" + any + "token", UUID + "|[a-z0-9]{32}", "codecov").build());
    r.add(context("coinbase-access-token", "Coinbase API key secret or access token", HIGH, "coinbase" + any + "(?:key|token|secret)",
        "[A-Za-z0-9_-]{64}", "coinbase").build());
    r.add(context("confluent-api-secret", "Confluent Cloud API secret", HIGH, "confluent" + any + "secret", "[A-Za-z0-9+/]{64}", "confluent").build());
    r.add(context("contentful-delivery-token", "Contentful content delivery or preview API token", MEDIUM,
        "contentful" + any + "(?:token|key)", "[A-Za-z0-9=_-]{43}", "contentful").build());
    r.add(context("discord-client-secret", "Discord OAuth2 client secret", HIGH, "discord" + any + "secret", "[A-Za-z0-9_-]{32}", "discord").build());
    r.add(context("droneci-token", "Drone CI access token", HIGH, "drone" + any + "token", "[A-Za-z0-9]{32}", "drone").build());
    r.add(context("dropbox-app-secret", "Dropbox app secret", HIGH, "dropbox" + any + "secret", "[a-z0-9]{15}", "dropbox").build());
    r.add(context("dropbox-access-token", "Dropbox short-lived or long-lived access token", HIGH, "dropbox" + any + "(?:token|key)",
        "sl\\.[A-Za-z0-9_=-]{130,160}|[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=-]{43}", "dropbox")
        .placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0.6).build());
    r.add(context("etsy-api-key", "Etsy API keystring or shared secret", HIGH, "etsy" + any + "(?:key|token|secret)", "[a-z0-9]{24}", "etsy").build());
    r.add(context("facebook-app-access-token", "Facebook/Meta app access token (app id|app secret)", HIGH,
        "(?:facebook|fb)" + any + "(?:token|key)", "\\d{15,16}(?:\\||%7C)[A-Za-z0-9_-]{27,40}", "facebook", "fb_").build());
    r.add(context("finicity-api-key", "Finicity app key or partner secret", HIGH, "finicity" + any + "(?:key|secret|token)",
        "[a-f0-9]{32}|[A-Za-z0-9]{20}", "finicity").build());
    r.add(context("finnhub-api-key", "Finnhub API key", MEDIUM, "finnhub" + any + "(?:key|token)", "[a-z0-9]{20}", "finnhub").build());
    r.add(context("flickr-api-key", "Flickr API key or secret", MEDIUM, "flickr" + any + "(?:key|secret|token)", "[a-z0-9]{32}", "flickr").build());
    r.add(context("freshbooks-access-token", "FreshBooks access token", HIGH, "freshbooks" + any + "(?:token|key|secret)", "[a-z0-9]{64}",
        "freshbooks").build());
    r.add(context("gitter-access-token", "Gitter access token", MEDIUM, "gitter" + any + "(?:token|key)", "[a-z0-9_-]{40}", "gitter").build());
    r.add(context("gocardless-access-token", "GoCardless access token", HIGH, "gocardless" + any + "(?:token|key)",
        "(?:live|sandbox)_[A-Za-z0-9_=-]{40}", "gocardless").build());
    r.add(context("hubspot-api-key-legacy", "HubSpot API key (legacy hapikey)", HIGH, "hubspot" + any + "(?:key|hapikey)|hapikey", UUID,
        "hubspot", "hapikey").build());
    r.add(context("intercom-access-token", "Intercom access token", HIGH, "intercom" + any + "(?:token|key)", "[A-Za-z0-9=_-]{60}", "intercom").build());
    r.add(context("jfrog-identity-token", "JFrog Artifactory identity token", HIGH, "(?:jfrog|artifactory)" + any + "(?:token|key|password)",
        "[A-Za-z0-9]{64}", "jfrog", "artifactory").build());
    r.add(context("kraken-api-key", "Kraken API private key", HIGH, "kraken" + any + "(?:key|secret|token)", "[A-Za-z0-9/=_+-]{80,90}", "kraken").build());
    r.add(context("kucoin-api-secret", "KuCoin API secret", HIGH, "kucoin" + any + "secret", UUID, "kucoin").build());
    r.add(context("linear-client-secret", "Linear OAuth client secret", HIGH, "linear" + any + "secret", "[a-f0-9]{32}", "linear").build());
    r.add(context("linkedin-client-secret", "LinkedIn OAuth client secret", HIGH, "linked[_-]?in" + any + "secret", "[A-Za-z0-9]{16}",
        "linkedin", "linked_in", "linked-in").build());
    r.add(context("lob-api-key", "Lob secret API key", HIGH, "lob" + any + "(?:key|token)", "(?:live|test)_[a-f0-9]{35}", "lob_", "lob-", "lob.").build());
    r.add(context("looker-client-secret", "Looker API client secret", HIGH, "looker" + any + "secret", "[A-Za-z0-9]{24}", "looker").build());
    r.add(context("mattermost-access-token", "Mattermost personal access or bot token", HIGH, "mattermost" + any + "(?:token|key)",
        "[a-z0-9]{26}", "mattermost").build());
    r.add(context("messagebird-api-key", "MessageBird (Bird) API access key", HIGH, "message[_-]?bird" + any + "(?:key|token)", "[A-Za-z0-9]{25}",
        "messagebird", "message_bird", "message-bird").build());
    r.add(context("netlify-access-token-legacy", "Netlify access token (without the nfp_ prefix)", HIGH, "netlify" + any + "(?:token|key)",
        "[A-Za-z0-9_-]{40,46}", "netlify").build());
    r.add(context("nytimes-api-key", "New York Times API key", MEDIUM, "(?:nytimes|new-?york-?times)" + any + "(?:key|token|secret)",
        "[A-Za-z0-9=_-]{32}", "nytimes", "newyorktimes", "new-york-times").build());
    r.add(context("plaid-secret", "Plaid API secret", CRITICAL, "plaid" + any + "secret", "[a-z0-9]{30}", "plaid").build());
    r.add(context("privateai-api-key", "Private AI API key", HIGH, "private[_-]?ai" + any + "(?:key|token)", "[a-z0-9]{32}",
        "privateai", "private_ai", "private-ai").build());
    r.add(context("rapidapi-key", "RapidAPI application key", HIGH, "rapid[_-]?api" + any + "(?:key|token)", "[A-Za-z0-9_-]{50}",
        "rapidapi", "rapid_api", "rapid-api").build());
    r.add(context("sendbird-api-token", "Sendbird API token", HIGH, "sendbird" + any + "(?:token|key)", "[a-f0-9]{40}", "sendbird").build());
    r.add(context("sentry-access-token-legacy", "Sentry auth token (legacy, 64 hex)", HIGH, "sentry" + any + "(?:token|key)", "[a-f0-9]{64}",
        "sentry").build());
    r.add(context("sidekiq-license", "Sidekiq Pro/Enterprise gem server credentials", HIGH, "bundle_(?:enterprise|gems)__contribsys__com",
        "[a-f0-9]{8}:[a-f0-9]{8}", "bundle_enterprise__contribsys__com", "bundle_gems__contribsys__com").build());
    r.add(context("snyk-api-token", "Snyk API or OAuth token", HIGH, "snyk" + any + "(?:token|key)", UUID, "snyk").build());
    r.add(context("sonarqube-token-legacy", "SonarQube token without a prefix (sonar.login, SONAR_TOKEN)", HIGH,
        "sonar[_.-]?(?:login|token)", "[a-f0-9]{40}", "sonar").build());
    r.add(context("squarespace-api-key", "Squarespace API key", HIGH, "squarespace" + any + "(?:key|token)", UUID, "squarespace").build());
    r.add(context("sumologic-access-key", "Sumo Logic access key", HIGH, "sumo" + any + "(?:key|token|secret)", "[A-Za-z0-9]{64}", "sumo").build());
    r.add(context("travisci-token", "Travis CI API token", HIGH, "travis" + any + "(?:token|key)", "[A-Za-z0-9_-]{22}", "travis").build());
    r.add(context("twitch-api-token", "Twitch API client secret or OAuth token", HIGH, "twitch" + any + "(?:token|key|secret)", "[a-z0-9]{30}",
        "twitch").build());
    r.add(context("twitter-access-secret", "Twitter/X access token secret", HIGH, "twitter" + any + "access[_.-]?(?:token[_.-]?)?secret",
        "[A-Za-z0-9]{45}", "twitter").build());
    r.add(context("twitter-access-token", "Twitter/X access token", HIGH, "twitter" + any + "access[_.-]?token", "\\d{15,25}-[A-Za-z0-9]{20,40}",
        "twitter").build());
    r.add(context("twitter-api-key", "Twitter/X API (consumer) key", HIGH, "twitter" + any + "(?:api|consumer)[_.-]?key", "[A-Za-z0-9]{25}",
        "twitter").build());
    r.add(context("hashicorp-vault-token-legacy", "HashiCorp Vault token (legacy s. format)", HIGH, "vault" + any + "token", "s\\.[A-Za-z0-9]{24}",
        "vault").build());
    r.add(context("yandex-cloud-token", "Yandex Cloud IAM token or static access key secret", HIGH,
        "(?:yandex|yc)" + any + "(?:token|key|secret)", "t1\\.[A-Za-z0-9_-]+={0,2}\\.[A-Za-z0-9_-]{86}={0,2}|YC[A-Za-z0-9_-]{38}",
        "yandex", "yc_", "yc-").build());
    // spotless:on
  }

  /** A Grafana API key is base64 of {"k":"...","n":"...","id":N}. */
  static boolean grafanaKey(String v) {
    try {
      String json = new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
      return json.startsWith("{\"k\":\"") && json.contains("\"n\":");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The value decodes to a JWT with a JSON header and payload. */
  static boolean base64Jwt(String v) {
    try {
      String jwt = new String(Base64.getDecoder().decode(v), StandardCharsets.ISO_8859_1).strip();
      return Rules.jwtShape(jwt);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * A Secret's {@code data} value decoded when it is base64 of printable text, so the placeholder
   * and entropy checks see the password ({@code cGFzc3dvcmQ=} is "password"); a {@code stringData}
   * value or binary data stays as written.
   */
  static String base64Text(String match, String value) {
    if (value.length() % 4 != 0 || !value.matches("[A-Za-z0-9+/]+={0,2}")) {
      return value;
    }
    byte[] d = Base64.getDecoder().decode(value);
    for (byte b : d) {
      if (b < 0x20 || b == 0x7f) {
        return value;
      }
    }
    return d.length == 0 ? value : new String(d, StandardCharsets.US_ASCII);
  }

  /** A header credential has letters and digits; an identifier path or a variable is code. */
  static boolean headerCredential(String v) {
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < v.length(); i++) {
      letter |= Character.isLetter(v.charAt(i));
      digit |= Character.isDigit(v.charAt(i));
    }
    return letter && digit;
  }

  /**
   * A Basic credential is base64 of {@code user:password}: it must decode to one, else the value is
   * not reported. Bearer and token values are reported as they are.
   */
  static @Nullable String headerValue(String match, String value) {
    boolean basic =
        match.regionMatches(true, match.length() - value.length() - 6, "basic ", 0, 6)
            || match.regionMatches(true, match.length() - value.length() - 6, "basic\t", 0, 6);
    if (!basic) {
      return value;
    }
    return Rules.basicAuthPair(value) ? value : null;
  }
}
