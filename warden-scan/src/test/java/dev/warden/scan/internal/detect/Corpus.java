package dev.warden.scan.internal.detect;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The labelled corpus: generated, never real. For every rule, secrets in the provider's format
 * (correct alphabet, length and checksum) embedded in several file types; and hard negatives that
 * have a secret's shape but are not one. Deterministic: a fixed seed, so a failure reproduces.
 * (SplittableRandom is fine here: these values only need to look random, and must be reproducible;
 * they are never used as real credentials.)
 */
final class Corpus {
  /** A labelled sample: a file's name and text, and the secrets (rule id, value) it contains. */
  record Sample(String name, String text, List<Label> labels) {}

  record Label(String ruleId, String value) {}

  /** A generated secret: the value to embed, the secret the rule must extract, the key name. */
  record Gen(String embed, String secret, String key) {}

  static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static final String HEX = "0123456789abcdef";

  /** The crypt(3) base64 alphabet. */
  /**
   * WordPress's salt generator alphabet, less the quote and backslash a PHP literal cannot hold
   * raw.
   */
  static final String WP_SALT = ALNUM + "!@#$%^&*()-_ []{}<>~`+=,.;:/?|";

  /** Django's get_random_secret_key() alphabet. */
  static final String DJANGO = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)";

  static final String CRYPT = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  static final class Rnd {
    final SplittableRandom r;

    Rnd(long seed) {
      r = new SplittableRandom(seed);
    }

    String of(String alphabet, int n) {
      StringBuilder sb = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      return sb.toString();
    }

    String alnum(int n) {
      return of(ALNUM, n);
    }

    String hex(int n) {
      return of(HEX, n);
    }

    String upperHex(int n) {
      return of("0123456789ABCDEF", n);
    }

    String digits(int n) {
      return of("123456789", 1) + of("0123456789", n - 1);
    }

    String lower(int n) {
      return of("abcdefghijklmnopqrstuvwxyz", n);
    }

    String letters(int n) {
      return of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", n);
    }

    String upperAlnum(int n) {
      return of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", n);
    }

    String b64(int n) {
      return of(ALNUM + "+/", n);
    }

    String b64url(int n) {
      return of(ALNUM + "-_", n);
    }

    String uuid() {
      return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12);
    }

    byte[] bytes(int n) {
      byte[] b = new byte[n];
      for (int i = 0; i < n; i++) {
        b[i] = (byte) r.nextInt(256);
      }
      return b;
    }

    int between(int lo, int hi) {
      return r.nextInt(lo, hi + 1);
    }

    String password() {
      return of("ABCDEFGHJKLMNPQRSTUVWXYZ", 1)
          + of("abcdefghijkmnopqrstuvwxyz", 3)
          + of("23456789", 2)
          + of("!#%&*+-_@", 1)
          + of("abcdefghijkmnopqrstuvwxyz0123456789ABCDEFGH", between(4, 8));
    }
  }

  static String githubStyle(Rnd r, String prefix) {
    String random = r.alnum(30);
    return prefix + random + Checksums.base62Crc(Checksums.crc32(random));
  }

  static String b64Of(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static String pemBody(Rnd r, int bytes, String lineSep) {
    String b64 = b64Of(r.bytes(bytes));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < b64.length(); i += 64) {
      sb.append(b64, i, Math.min(b64.length(), i + 64)).append(lineSep);
    }
    return sb.toString();
  }

  static String jwt(Rnd r) {
    Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
    String header =
        e.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload =
        e.encodeToString(
            ("{\"sub\":\""
                    + r.uuid()
                    + "\",\"iat\":"
                    + (1700000000 + r.between(0, 9999999))
                    + ",\"scope\":\""
                    + r.lower(6)
                    + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    return header + "." + payload + "." + e.encodeToString(r.bytes(32));
  }

  /** One generator per rule id. */
  static Map<String, Function<Rnd, Gen>> generators() {
    Map<String, Function<Rnd, Gen>> g = new LinkedHashMap<>();
    tok(
        g,
        "aws-access-key-id",
        "aws_access_key_id",
        r -> "AKIA" + r.of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
    tok(g, "aws-secret-access-key", "aws_secret_access_key", r -> r.b64(40));
    tok(g, "aws-session-token", "aws_session_token", r -> "IQoJb3JpZ2luX2Vj" + r.b64(300));
    tok(g, "aws-bedrock-api-key", "bedrock_key", r -> "ABSKQmVkcm9ja0FQSUtleS" + r.b64(110));
    tok(g, "aws-mws-key", "mws_auth_token", r -> "amzn.mws." + r.uuid());
    tok(g, "gcp-api-key", "google_maps_key", r -> "AIza" + r.b64url(35));
    g.put(
        "gcp-service-account",
        r -> {
          String key =
              "-----BEGIN PRIVATE KEY-----\\n"
                  + pemBody(r, 1200, "\\n")
                  + "-----END PRIVATE KEY-----\\n";
          String json =
              "{\n  \"type\": \"service_account\",\n  \"project_id\": \"proj-"
                  + r.lower(6)
                  + "\",\n  \"private_key_id\": \""
                  + r.hex(40)
                  + "\",\n  \"private_key\": \""
                  + key
                  + "\",\n  \"client_email\": \"svc@proj.iam.gserviceaccount.com\"\n}\n";
          return new Gen(json, key, null);
        });
    tok(g, "gcp-oauth-client-secret", "client_secret", r -> "GOCSPX-" + r.b64url(28));
    tok(g, "google-oauth-access-token", "access_token", r -> "ya29." + r.b64url(150));
    tok(
        g,
        "firebase-fcm-server-key",
        "fcm_server_key",
        r -> "AAAA" + r.b64url(7) + ":APA91b" + r.b64url(134));
    g.put(
        "azure-storage-account-key",
        r -> {
          String k = r.b64(86) + "==";
          return new Gen(
              "DefaultEndpointsProtocol=https;AccountName=st"
                  + r.lower(8)
                  + ";AccountKey="
                  + k
                  + ";EndpointSuffix=core.windows.net",
              k,
              "AZURE_STORAGE_CONNECTION_STRING");
        });
    tok(g, "azure-storage-key", "azure_storage_key", r -> r.b64(86) + "==");
    g.put(
        "azure-sas-token",
        r -> {
          String sig = r.b64(43) + "%3D";
          return new Gen(
              "https://st"
                  + r.lower(8)
                  + ".blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig="
                  + sig,
              sig,
              "blob_url");
        });
    g.put(
        "azure-service-bus-key",
        r -> {
          String k = r.b64(43) + "=";
          return new Gen(
              "Endpoint=sb://ns"
                  + r.lower(6)
                  + ".servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey="
                  + k,
              k,
              "SERVICEBUS_CONNECTION");
        });
    tok(
        g,
        "azure-ad-client-secret",
        "AZURE_CLIENT_SECRET",
        r ->
            r.of(ALNUM, 3)
                + r.digits(1)
                + "Q~"
                + r.of(ALNUM + "_~.-", 31).replaceAll("[-.~]$", "a")
                + r.alnum(3));
    tok(
        g,
        "azure-devops-pat",
        "AZDO_PAT",
        r -> r.alnum(52) + "JQQJ99" + r.alnum(18) + "AZDO" + r.alnum(4));
    g.put(
        "azure-logic-app-sig",
        r -> {
          String sig = r.b64url(43);
          return new Gen(
              "https://prod-"
                  + r.between(10, 99)
                  + ".westeurope.logic.azure.com:443/workflows/"
                  + r.hex(32)
                  + "/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig="
                  + sig,
              sig,
              "teams_workflow_url");
        });
    tok(g, "digitalocean-token", "DIGITALOCEAN_TOKEN", r -> "dop_v1_" + r.hex(64));
    tok(g, "alibaba-access-key-id", "alibaba_access_key_id", r -> "LTAI" + r.alnum(20));
    tok(g, "heroku-api-key", "HEROKU_API_KEY", r -> "HRKU-AA" + r.b64url(58));
    tok(g, "heroku-api-key-legacy", "HEROKU_API_KEY", r -> r.uuid());
    tok(
        g,
        "cloudflare-origin-ca-key",
        "origin_ca_key",
        r -> "v1.0-" + r.hex(24) + "-" + r.hex(146));
    tok(g, "cloudflare-api-token", "CLOUDFLARE_API_TOKEN", r -> r.b64url(40));
    tok(g, "hashicorp-vault-token", "VAULT_TOKEN", r -> "hvs." + r.b64url(91));
    tok(g, "terraform-cloud-token", "TFE_TOKEN", r -> r.alnum(14) + ".atlasv1." + r.alnum(67));
    tok(g, "pulumi-access-token", "PULUMI_ACCESS_TOKEN", r -> "pul-" + r.hex(40));
    tok(g, "doppler-token", "DOPPLER_TOKEN", r -> "dp.st." + r.alnum(43));
    tok(
        g,
        "onepassword-service-account-token",
        "OP_SERVICE_ACCOUNT_TOKEN",
        r -> "ops_eyJ" + r.b64url(400));
    tok(g, "databricks-token", "DATABRICKS_TOKEN", r -> "dapi" + r.hex(32));
    tok(g, "planetscale-token", "PLANETSCALE_TOKEN", r -> "pscale_tkn_" + r.b64url(43));
    tok(g, "supabase-pat", "SUPABASE_ACCESS_TOKEN", r -> "sbp_" + r.hex(40));
    tok(g, "netlify-pat", "NETLIFY_AUTH_TOKEN", r -> "nfp_" + r.alnum(36));
    tok(g, "render-api-key", "RENDER_API_KEY", r -> "rnd_" + r.alnum(32));
    tok(g, "grafana-cloud-token", "GRAFANA_CLOUD_TOKEN", r -> "glc_" + b64Of(r.bytes(96)));
    tok(
        g,
        "grafana-service-account-token",
        "GRAFANA_TOKEN",
        r -> "glsa_" + r.alnum(32) + "_" + r.hex(8));
    tok(
        g,
        "tailscale-key",
        "TS_AUTHKEY",
        r -> "tskey-auth-k" + r.alnum(11) + "CNTRL-" + r.alnum(33));
    tok(
        g,
        "dynatrace-token",
        "DT_API_TOKEN",
        r -> "dt0c01." + r.upperAlnum(24) + "." + r.upperAlnum(64));
    tok(g, "github-pat", "GITHUB_TOKEN", r -> githubStyle(r, "ghp_"));
    tok(
        g,
        "github-fine-grained-pat",
        "GH_TOKEN",
        r -> "github_pat_11" + r.upperAlnum(20) + "_" + r.alnum(59));
    tok(g, "github-oauth-token", "oauth_token", r -> githubStyle(r, "gho_"));
    tok(
        g,
        "github-app-token",
        "installation_token",
        r -> githubStyle(r, r.between(0, 1) == 0 ? "ghs_" : "ghu_"));
    tok(g, "github-refresh-token", "refresh_token", r -> "ghr_" + r.alnum(76));
    tok(g, "gitlab-pat", "GITLAB_TOKEN", r -> "glpat-" + r.b64url(20));
    tok(g, "gitlab-runner-token", "runner_token", r -> "glrt-" + r.b64url(20));
    tok(
        g,
        "gitlab-runner-registration-token",
        "registration_token",
        r -> "GR1348941" + r.b64url(20));
    tok(g, "gitlab-deploy-token", "deploy_token", r -> "gldt-" + r.b64url(20));
    tok(g, "gitlab-pipeline-trigger-token", "trigger_token", r -> "glptt-" + r.hex(40));
    tok(g, "gitlab-oauth-app-secret", "gitlab_app_secret", r -> "gloas-" + r.hex(64));
    tok(g, "gitlab-agent-token", "agent_token", r -> "glagent-" + r.b64url(50));
    tok(g, "gitlab-feed-token", "feed_token", r -> "glft-" + r.b64url(20));
    tok(g, "gitlab-scim-token", "scim_token", r -> "glsoat-" + r.b64url(20));
    tok(g, "gitlab-ci-build-token", "job_token", r -> "glcbt-" + r.hex(2) + "_" + r.b64url(20));
    tok(g, "bitbucket-app-password", "BITBUCKET_APP_PASSWORD", r -> "ATBB" + r.alnum(32));
    tok(
        g,
        "bitbucket-access-token",
        "BITBUCKET_ACCESS_TOKEN",
        r -> "ATCTT3xFfGN0" + r.b64url(180) + "=" + r.upperHex(8));
    tok(g, "circleci-token", "CIRCLECI_TOKEN", r -> "CCIPAT_" + r.alnum(22) + "_" + r.hex(40));
    tok(g, "buildkite-token", "BUILDKITE_API_TOKEN", r -> "bkua_" + r.hex(40));
    tok(g, "jfrog-api-key", "ARTIFACTORY_API_KEY", r -> "AKCp" + r.alnum(69));
    tok(g, "jfrog-reference-token", "JFROG_ACCESS_TOKEN", r -> "cmVmdGtuOjAxOj" + r.alnum(50));
    tok(g, "sonarqube-token", "SONAR_TOKEN", r -> "sqp_" + r.hex(40));
    tok(
        g,
        "slack-bot-token",
        "SLACK_BOT_TOKEN",
        r -> "xoxb-" + r.digits(12) + "-" + r.digits(13) + "-" + r.alnum(24));
    tok(
        g,
        "slack-user-token",
        "SLACK_USER_TOKEN",
        r -> "xoxp-" + r.digits(12) + "-" + r.digits(12) + "-" + r.digits(13) + "-" + r.hex(32));
    tok(
        g,
        "slack-app-token",
        "SLACK_APP_TOKEN",
        r -> "xapp-1-A" + r.upperAlnum(10) + "-" + r.digits(13) + "-" + r.hex(64));
    tok(g, "slack-config-token", "SLACK_CONFIG_TOKEN", r -> "xoxe.xoxp-1-" + r.upperAlnum(163));
    tok(
        g,
        "slack-webhook",
        "SLACK_WEBHOOK_URL",
        r ->
            "https://hooks.slack.com/services/T"
                + r.upperAlnum(8)
                + "/B"
                + r.upperAlnum(10)
                + "/"
                + r.alnum(24));
    tok(
        g,
        "discord-bot-token",
        "DISCORD_TOKEN",
        r -> "MT" + r.b64url(24) + "." + r.b64url(6) + "." + r.b64url(38));
    tok(
        g,
        "discord-webhook",
        "DISCORD_WEBHOOK",
        r -> "https://discord.com/api/webhooks/" + r.digits(19) + "/" + r.b64url(68));
    tok(g, "telegram-bot-token", "TELEGRAM_BOT_TOKEN", r -> r.digits(10) + ":AA" + r.b64url(33));
    tok(
        g,
        "teams-webhook",
        "TEAMS_WEBHOOK_URL",
        r ->
            "https://contoso.webhook.office.com/webhookb2/"
                + r.uuid()
                + "@"
                + r.uuid()
                + "/IncomingWebhook/"
                + r.hex(32)
                + "/"
                + r.uuid());
    tok(
        g,
        "google-chat-webhook",
        "CHAT_WEBHOOK",
        r ->
            "https://chat.googleapis.com/v1/spaces/AAAA"
                + r.b64url(7)
                + "/messages?key=AIza"
                + r.b64url(35)
                + "&token="
                + r.b64url(43)
                + "%3D");
    tok(g, "stripe-secret-key", "STRIPE_SECRET_KEY", r -> "sk_live_51" + r.alnum(97));
    tok(g, "stripe-restricted-key", "STRIPE_RESTRICTED_KEY", r -> "rk_live_51" + r.alnum(97));
    tok(g, "stripe-test-key", "STRIPE_TEST_KEY", r -> "sk_test_" + r.alnum(24));
    tok(g, "stripe-webhook-secret", "STRIPE_WEBHOOK_SECRET", r -> "whsec_" + r.alnum(32));
    tok(g, "square-access-token", "SQUARE_ACCESS_TOKEN", r -> "EAAA" + r.b64url(60));
    tok(g, "square-oauth-secret", "SQUARE_APP_SECRET", r -> "sq0csp-" + r.b64url(43));
    tok(
        g,
        "braintree-access-token",
        "BRAINTREE_ACCESS_TOKEN",
        r ->
            "access_token$production$"
                + r.of("abcdefghijklmnopqrstuvwxyz0123456789", 16)
                + "$"
                + r.hex(32));
    tok(
        g,
        "braintree-tokenization-key",
        "BRAINTREE_TOKENIZATION_KEY",
        r ->
            "production_"
                + r.of("abcdefghijklmnopqrstuvwxyz0123456789", 8)
                + "_"
                + r.of("abcdefghijklmnopqrstuvwxyz0123456789", 16));
    tok(g, "razorpay-key", "RAZORPAY_KEY_ID", r -> "rzp_live_" + r.alnum(14));
    tok(g, "plaid-access-token", "PLAID_ACCESS_TOKEN", r -> "access-production-" + r.uuid());
    tok(g, "shippo-token", "SHIPPO_TOKEN", r -> "shippo_live_" + r.hex(40));
    tok(g, "easypost-api-key", "EASYPOST_API_KEY", r -> "EZAK" + r.alnum(54));
    tok(
        g,
        "flutterwave-secret-key",
        "FLW_SECRET_KEY",
        r -> "FLWSECK-" + r.of("abcdefgh0123456789", 32) + "-X");
    tok(
        g,
        "openai-api-key",
        "OPENAI_API_KEY",
        r -> "sk-proj-" + r.b64url(74) + "T3BlbkFJ" + r.b64url(74));
    tok(g, "anthropic-api-key", "ANTHROPIC_API_KEY", r -> "sk-ant-api03-" + r.b64url(93) + "AA");
    tok(g, "huggingface-token", "HF_TOKEN", r -> "hf_" + r.letters(34));
    tok(g, "groq-api-key", "GROQ_API_KEY", r -> "gsk_" + r.alnum(52));
    tok(g, "replicate-api-token", "REPLICATE_API_TOKEN", r -> "r8_" + r.alnum(37));
    tok(g, "perplexity-api-key", "PPLX_API_KEY", r -> "pplx-" + r.alnum(48));
    tok(g, "xai-api-key", "XAI_API_KEY", r -> "xai-" + r.alnum(80));
    tok(g, "openrouter-api-key", "OPENROUTER_API_KEY", r -> "sk-or-v1-" + r.hex(64));
    tok(g, "langsmith-api-key", "LANGSMITH_API_KEY", r -> "lsv2_pt_" + r.hex(32) + "_" + r.hex(10));
    tok(g, "cohere-api-key", "COHERE_API_KEY", r -> r.alnum(40));
    tok(g, "mistral-api-key", "MISTRAL_API_KEY", r -> r.alnum(32));
    tok(g, "deepseek-api-key", "DEEPSEEK_API_KEY", r -> "sk-" + r.hex(32));
    tok(g, "wandb-api-key", "WANDB_API_KEY", r -> r.hex(40));
    tok(g, "npm-access-token", "NPM_TOKEN", r -> githubStyle(r, "npm_"));
    tok(g, "pypi-upload-token", "PYPI_API_TOKEN", r -> "pypi-AgEIcHlwaS5vcmc" + r.b64url(160));
    tok(g, "rubygems-api-key", "GEM_HOST_API_KEY", r -> "rubygems_" + r.hex(48));
    tok(
        g,
        "nuget-api-key",
        "NUGET_API_KEY",
        r -> "oy2" + r.of("abcdefghijklmnopqrstuvwxyz0123456789", 43));
    tok(g, "dockerhub-token", "DOCKERHUB_TOKEN", r -> "dckr_pat_" + r.b64url(27));
    tok(g, "crates-io-token", "CARGO_REGISTRY_TOKEN", r -> "cio" + r.alnum(32));
    tok(
        g,
        "clojars-token",
        "CLOJARS_PASSWORD",
        r -> "CLOJARS_" + r.of("abcdefghijklmnopqrstuvwxyz0123456789", 60));
    g.put(
        "npmrc-auth-token",
        r -> {
          String t =
              r.alnum(8) + "-" + r.hex(4) + "-" + r.hex(4) + "-" + r.hex(4) + "-" + r.hex(12);
          return new Gen("//registry.npmjs.org/:_authToken=" + t, t, null);
        });
    g.put(
        "docker-config-auth",
        r -> {
          String a = b64Of((r.lower(8) + ":" + r.password()).getBytes(StandardCharsets.UTF_8));
          return new Gen(
              "{\"auths\": {\"registry.example.io\": {\"auth\": \"" + a + "\"}}}", a, null);
        });
    tok(g, "twilio-api-key", "TWILIO_API_KEY", r -> "SK" + r.hex(32));
    tok(g, "twilio-auth-token", "TWILIO_AUTH_TOKEN", r -> r.hex(32));
    tok(g, "sendgrid-api-key", "SENDGRID_API_KEY", r -> "SG." + r.b64url(22) + "." + r.b64url(43));
    tok(g, "mailgun-api-key", "MAILGUN_API_KEY", r -> "key-" + r.hex(32));
    tok(
        g,
        "mailgun-signing-key",
        "MAILGUN_SIGNING_KEY",
        r -> r.hex(32) + "-" + r.hex(8) + "-" + r.hex(8));
    tok(g, "mailchimp-api-key", "MAILCHIMP_API_KEY", r -> r.hex(32) + "-us" + r.between(1, 21));
    tok(g, "brevo-api-key", "BREVO_API_KEY", r -> "xkeysib-" + r.hex(64) + "-" + r.alnum(16));
    tok(g, "datadog-api-key", "DD_API_KEY", r -> r.hex(32));
    tok(g, "datadog-app-key", "DD_APP_KEY", r -> r.hex(40));
    tok(g, "newrelic-user-api-key", "NEW_RELIC_API_KEY", r -> "NRAK-" + r.upperAlnum(27));
    tok(g, "newrelic-license-key", "NEW_RELIC_LICENSE_KEY", r -> r.hex(36) + "NRAL");
    tok(g, "newrelic-insights-key", "NEW_RELIC_INSERT_KEY", r -> "NRII-" + r.b64url(32));
    tok(g, "newrelic-browser-key", "NEW_RELIC_BROWSER_KEY", r -> "NRJS-" + r.hex(19));
    tok(g, "shopify-token", "SHOPIFY_ACCESS_TOKEN", r -> "shpat_" + r.hex(32));
    tok(
        g,
        "atlassian-api-token",
        "JIRA_API_TOKEN",
        r -> "ATATT3xFfGF0" + r.b64url(170) + "=" + r.upperHex(8));
    tok(g, "atlassian-api-token-legacy", "JIRA_API_TOKEN", r -> r.alnum(24));
    tok(g, "okta-api-token", "OKTA_API_TOKEN", r -> "00" + r.b64url(40));
    tok(g, "hubspot-private-app-token", "HUBSPOT_ACCESS_TOKEN", r -> "pat-na1-" + r.uuid());
    tok(
        g,
        "twitter-bearer-token",
        "TWITTER_BEARER_TOKEN",
        r -> "AAAAAAAAAAAAAAAAAAAAA" + r.alnum(20) + "%3D" + r.alnum(50));
    tok(g, "twitter-api-secret", "TWITTER_API_SECRET", r -> r.alnum(50));
    tok(g, "facebook-access-token", "FACEBOOK_ACCESS_TOKEN", r -> "EAAG" + r.alnum(150));
    tok(g, "facebook-app-secret", "FACEBOOK_APP_SECRET", r -> r.hex(32));
    tok(
        g,
        "salesforce-access-token",
        "SF_ACCESS_TOKEN",
        r -> "00D" + r.alnum(12) + "!" + r.of(ALNUM + "._", 96));
    tok(g, "sentry-auth-token", "SENTRY_AUTH_TOKEN", r -> "sntryu_" + r.hex(64));
    tok(g, "postman-api-key", "POSTMAN_API_KEY", r -> "PMAK-" + r.hex(24) + "-" + r.hex(34));
    tok(g, "linear-api-key", "LINEAR_API_KEY", r -> "lin_api_" + r.alnum(40));
    tok(g, "notion-token", "NOTION_TOKEN", r -> "ntn_" + r.digits(11) + r.alnum(35));
    tok(g, "airtable-pat", "AIRTABLE_TOKEN", r -> "pat" + r.alnum(14) + "." + r.hex(64));
    tok(g, "figma-token", "FIGMA_TOKEN", r -> "figd_" + r.b64url(40));
    tok(
        g,
        "mapbox-secret-token",
        "MAPBOX_SECRET_TOKEN",
        r -> "sk.eyJ" + r.b64url(60) + "." + r.b64url(22));
    tok(g, "typeform-token", "TYPEFORM_TOKEN", r -> "tfp_" + r.alnum(59));
    tok(g, "prefect-api-key", "PREFECT_API_KEY", r -> "pnu_" + r.alnum(36));
    tok(
        g,
        "readme-api-key",
        "README_API_KEY",
        r -> "rdme_" + r.of("abcdefghijklmnopqrstuvwxyz0123456789", 70));
    tok(g, "adobe-client-secret", "ADOBE_CLIENT_SECRET", r -> "p8e-" + r.alnum(32));
    tok(g, "algolia-admin-key", "ALGOLIA_ADMIN_KEY", r -> r.hex(32));
    tok(g, "zendesk-api-token", "ZENDESK_API_TOKEN", r -> r.alnum(40));
    tok(g, "pagerduty-api-key", "PAGERDUTY_TOKEN", r -> "u+" + r.b64url(18));
    tok(g, "fastly-api-token", "FASTLY_API_TOKEN", r -> r.b64url(32));
    g.put(
        "private-key",
        r -> {
          String type =
              List.of("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY")
                  .get(r.between(0, 3));
          String k =
              "-----BEGIN "
                  + type
                  + "-----\n"
                  + pemBody(r, r.between(120, 1200), "\n")
                  + "-----END "
                  + type
                  + "-----";
          return new Gen(k, k, null);
        });
    g.put(
        "openssh-private-key",
        r -> {
          String k =
              "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAA"
                  + pemBody(r, 300, "\n")
                  + "-----END OPENSSH PRIVATE KEY-----";
          return new Gen(k, k, null);
        });
    g.put(
        "putty-private-key",
        r -> {
          String priv = pemBody(r, 200, "\n");
          int lines = priv.split("\n").length;
          String k =
              "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-"
                  + r.digits(8)
                  + "\nPublic-Lines: 2\n"
                  + pemBody(r, 60, "\n")
                  + "Private-Lines: "
                  + lines
                  + "\n"
                  + priv
                  + "Private-MAC: "
                  + r.hex(64)
                  + "\n";
          return new Gen(k, priv, null);
        });
    g.put(
        "pgp-private-key",
        r -> {
          String k =
              "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n"
                  + pemBody(r, 2000, "\n")
                  + "="
                  + r.b64(4)
                  + "\n-----END PGP PRIVATE KEY BLOCK-----";
          return new Gen(k, k, null);
        });
    tok(
        g,
        "age-secret-key",
        "AGE_KEY",
        r -> "AGE-SECRET-KEY-1" + r.of("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58));
    tok(g, "jwt", "session", Corpus::jwt);
    uri(
        g,
        "uri-postgres",
        r -> "postgresql://app_" + r.lower(4) + ":%s@db-" + r.lower(5) + ".internal:5432/orders");
    uri(
        g,
        "uri-mysql",
        r -> "mysql://svc" + r.lower(3) + ":%s@mysql." + r.lower(6) + ".svc:3306/shop");
    uri(
        g,
        "uri-mongodb",
        r ->
            "mongodb+srv://reporter:%s@cluster0."
                + r.lower(5)
                + ".mongodb.net/reports?retryWrites=true");
    uri(g, "uri-redis", r -> "redis://default:%s@redis-" + r.digits(5) + ".cache.internal:6379/0");
    uri(g, "uri-amqp", r -> "amqps://worker:%s@mq." + r.lower(6) + ".net:5671/vhost");
    g.put(
        "url-credentials",
        r -> {
          // the places URL credentials leak: git credential stores, package-manager index URLs,
          // clones
          String p = r.password().replace("@", "9").replace("#", "x").replace("%", "z");
          String host = r.lower(6);
          return switch (r.between(0, 5)) {
            case 0 ->
                new Gen(
                    "https://deploy:" + p + "@git." + host + ".com/org/repo.git",
                    p,
                    "DATABASE_URL");
            case 1 ->
                new Gen(
                    "https://" + r.lower(5) + ":" + p + "@gitlab." + host + ".io",
                    p,
                    "credential_helper_store");
            case 2 ->
                new Gen("https://ci:" + p + "@pypi." + host + ".corp/simple/", p, "index-url");
            case 3 ->
                new Gen(
                    "https://npm:" + p + "@npm." + host + ".corp/repository/npm-group/",
                    p,
                    "registry");
            case 4 -> {
              // percent-encoded reserved characters: the secret is reported as written
              String enc = r.alnum(4) + "%40" + r.alnum(3) + "%2F" + r.digits(3) + "%21";
              yield new Gen(
                  "ftp://backup:" + enc + "@ftp." + host + ".net:21/dumps", enc, "BACKUP_URL");
            }
            default ->
                new Gen("git+ssh://svc:" + p + "@code." + host + ".org/app.git", p, "SOURCE");
          };
        });
    g.put(
        "jdbc-password",
        r -> {
          String p = r.password().replace("&", "8");
          return new Gen(
              "jdbc:sqlserver://sql."
                  + r.lower(5)
                  + ".net:1433;databaseName=app;user=svc;password="
                  + p,
              p,
              "JDBC_URL");
        });
    g.put(
        "netrc-password",
        r -> {
          String p = r.password();
          String host = "api." + r.lower(6) + ".com";
          String entry =
              switch (r.between(0, 2)) {
                case 0 ->
                    "machine " + host + " login ci@" + r.lower(5) + ".io password " + p + "\n";
                case 1 -> "machine " + host + "\n  login deploy\n  password " + p + "\n";
                default ->
                    "machine "
                        + host
                        + "\nlogin "
                        + r.lower(6)
                        + "\naccount ops\npassword "
                        + p
                        + "\n\nmachine other.host login x password\n";
              };
          return new Gen(entry, p, null);
        });
    g.put(
        "pgpass-password",
        r -> {
          String p = r.password();
          String line =
              switch (r.between(0, 2)) {
                case 0 -> "db-" + r.lower(5) + ".internal:5432:orders:app_" + r.lower(3) + ":" + p;
                case 1 -> "*:*:*:replicator:" + p;
                default ->
                    "# reporting replica\n10.0.3." + r.between(2, 250) + ":6432:*:report:" + p;
              };
          return new Gen(line + "\n", p, null);
        });
    g.put(
        "password-hash",
        r -> {
          String salt = r.of(CRYPT, r.between(4, 8));
          String h =
              switch (r.between(0, 5)) {
                case 0 -> "$2y$" + r.between(10, 13) + "$" + r.of(CRYPT, 53);
                case 1 -> "$apr1$" + salt + "$" + r.of(CRYPT, 22);
                case 2 -> "$1$" + salt + "$" + r.of(CRYPT, 22);
                case 3 ->
                    "$5$rounds=" + r.between(5000, 99999) + "$" + salt + "$" + r.of(CRYPT, 43);
                case 4 -> "$6$" + salt + "$" + r.of(CRYPT, 86);
                default -> "{SHA}" + b64Of(r.bytes(20));
              };
          String user = r.lower(6);
          String file =
              r.between(0, 1) == 0
                  ? user + ":" + h + "\n" // .htpasswd
                  : "root:x:0:0:root:/root:/bin/bash\n"
                      + user
                      + ":"
                      + h
                      + ":19"
                      + r.digits(3)
                      + ":0:99999:7:::\n"; // shadow
          return new Gen(file, h, null);
        });
    g.put(
        "filezilla-password",
        r -> {
          String p = r.password().replace("<", "x").replace("&", "9");
          boolean b64 = r.between(0, 2) > 0;
          String pass =
              b64
                  ? "<Pass encoding=\"base64\">"
                      + b64Of(p.getBytes(StandardCharsets.UTF_8))
                      + "</Pass>"
                  : "<Pass>" + p + "</Pass>";
          String root = r.between(0, 1) == 0 ? "Servers" : "RecentServers";
          return new Gen(
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileZilla3 version=\"3.66.4\">\n  <"
                  + root
                  + ">\n    <Server>\n"
                  + "      <Host>ftp."
                  + r.lower(6)
                  + ".net</Host>\n      <Port>21</Port>\n      <Protocol>0</Protocol>\n      <Type>0</Type>\n"
                  + "      <User>"
                  + r.lower(5)
                  + "</User>\n      "
                  + pass
                  + "\n      <Logontype>1</Logontype>\n    </Server>\n  </"
                  + root
                  + ">\n</FileZilla3>\n",
              p,
              null);
        });
    g.put(
        "winscp-password",
        r -> {
          String p = "A35C" + r.upperHex(2 * r.between(20, 40));
          return new Gen(
              "[Configuration\\Interface]\nRandomSeedFile=%APPDATA%\\winscp.rnd\n[Sessions\\"
                  + r.lower(5)
                  + "@sftp."
                  + r.lower(6)
                  + ".com]\nHostName=sftp."
                  + r.lower(6)
                  + ".com\nUserName="
                  + r.lower(5)
                  + "\nFSProtocol=2\nPassword="
                  + p
                  + "\nPingType=0\n",
              p,
              null);
        });
    g.put(
        "sftp-config-password",
        r -> {
          String p = r.password().replace("\\", "x");
          String file =
              r.between(0, 1) == 0
                  ? "{\n    \"name\": \"prod\",\n    \"host\": \""
                      + r.lower(6)
                      + ".corp\",\n    \"protocol\": \"sftp\",\n    \"port\": 22,\n"
                      + "    \"username\": \"deploy\",\n    \"password\": \""
                      + p
                      + "\",\n    \"remotePath\": \"/var/www\",\n    \"uploadOnSave\": true\n}\n"
                  : "{\n    // sftp, ftp or ftps\n    \"type\": \"ftp\",\n    \"save_before_upload\": true,\n    \"host\": \"ftp."
                      + r.lower(5)
                      + ".net\",\n    \"user\": \"web\",\n    \"password\": \""
                      + p
                      + "\",\n    \"remote_path\": \"/public_html/\"\n}\n";
          return new Gen(file, p, null);
        });
    g.put(
        "xml-password",
        r -> {
          String p = r.password().replace("<", "x").replace("&", "9");
          String file =
              switch (r.between(0, 5)) {
                case 0 ->
                    "<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n      <username>deploy</username>\n      <password>"
                        + p
                        + "</password>\n    </server>\n  </servers>\n</settings>\n";
                case 1 ->
                    "<hibernate-configuration><session-factory>\n  <property name=\"hibernate.connection.username\" value=\"app\"/>\n"
                        + "  <property name=\"hibernate.connection.password\" value=\""
                        + p
                        + "\"/>\n</session-factory></hibernate-configuration>\n";
                case 2 ->
                    "<dataSource class=\"org.apache.commons.dbcp2.BasicDataSource\">\n  <property name=\"url\" value=\"jdbc:mysql://db/app\"/>\n"
                        + "  <property name=\"password\" value=\""
                        + p
                        + "\"/>\n</dataSource>\n";
                case 3 ->
                    "<hibernate-configuration>\n <session-factory>\n  <property name=\"hibernate.connection.username\">app</property>\n"
                        + "  <property name=\"hibernate.connection.password\">"
                        + p
                        + "</property>\n </session-factory>\n</hibernate-configuration>\n";
                case 4 ->
                    "<configuration>\n  <appSettings>\n    <add key=\"SmtpUser\" value=\"mailer\" />\n    <add key=\""
                        + List.of("SmtpPassword", "DbPwd", "Ldap.Password").get(r.between(0, 2))
                        + "\" value=\""
                        + p
                        + "\" />\n  </appSettings>\n</configuration>\n";
                default ->
                    "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>Hostname</key>\n\t<string>files."
                        + r.lower(6)
                        + ".com</string>\n\t<key>Password</key>\n\t<string>"
                        + p
                        + "</string>\n</dict>\n</plist>\n";
              };
          return new Gen(file, p, null);
        });
    g.put(
        "mail-client-password",
        r -> {
          String p = r.password().replace("'", "9").replace("\"", "9");
          String file =
              switch (r.between(0, 3)) {
                case 0 ->
                    "# ~/.muttrc\nset from = \""
                        + r.lower(5)
                        + "@corp.example\"\nset smtp_url = \"smtps://me@smtp.corp.example:465/\"\nset smtp_pass = \""
                        + p
                        + "\"\nset ssl_force_tls = yes\n";
                case 1 ->
                    "set imap_user = me@corp.example\nset imap_pass="
                        + p
                        + "\nset folder = imaps://imap.corp.example/\n";
                case 2 ->
                    "# ~/.msmtprc\ndefaults\nauth on\ntls on\ntls_trust_file /etc/ssl/certs/ca-certificates.crt\n\naccount work\nhost smtp."
                        + r.lower(6)
                        + ".com\nport 587\nfrom me@corp.example\nuser me@corp.example\npassword "
                        + p
                        + "\n\naccount default : work\n";
                default ->
                    "# ~/.fetchmailrc\nset daemon 300\npoll imap."
                        + r.lower(6)
                        + ".com protocol IMAP\n  user \"me\" there with password \""
                        + p
                        + "\" is me here\n  ssl keep\n";
              };
          return new Gen(file, p, null);
        });
    g.put(
        "sql-user-password",
        r -> {
          String p = r.password().replace("'", "9");
          String user = "app_" + r.lower(4);
          String stmt =
              switch (r.between(0, 4)) {
                case 0 -> "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + p + "';";
                case 1 ->
                    "CREATE ROLE "
                        + user
                        + " WITH LOGIN PASSWORD '"
                        + p
                        + "' VALID UNTIL 'infinity';";
                case 2 -> "ALTER USER " + user + " WITH PASSWORD '" + p + "';";
                case 3 ->
                    "GRANT ALL PRIVILEGES ON shop.* TO '"
                        + user
                        + "'@'localhost' IDENTIFIED BY '"
                        + p
                        + "';";
                default ->
                    "ALTER USER '"
                        + user
                        + "'@'%' IDENTIFIED WITH mysql_native_password BY '"
                        + p
                        + "';";
              };
          return new Gen(
              "-- provisioning\nCREATE DATABASE shop;\n" + stmt + "\nFLUSH PRIVILEGES;\n", p, null);
        });
    g.put(
        "sql-insert-password",
        r -> {
          String p = r.password().replace("'", "9");
          String cols =
              switch (r.between(0, 2)) {
                case 0 -> "(`id`, `email`, `password`, `created_at`)";
                case 1 -> "(id, email, user_pass, created_at)";
                default -> "(\"id\", \"email\", \"password\", \"created_at\")";
              };
          if (r.between(0, 3) == 0) {
            // a hand-written seed file: the statement spread over lines
            return new Gen(
                "INSERT INTO users (\n    id,\n    email,\n    password\n)\nVALUES\n    ("
                    + r.between(1, 99)
                    + ", '"
                    + r.lower(6)
                    + "@corp.example', '"
                    + p
                    + "');\n",
                p,
                null);
          }
          return new Gen(
              "INSERT INTO `users` "
                  + cols
                  + " VALUES ("
                  + r.between(1, 99)
                  + ", '"
                  + r.lower(6)
                  + "@corp.example', '"
                  + p
                  + "', '2024-01-0"
                  + r.between(1, 9)
                  + " 10:00:00');\n",
              p,
              null);
        });
    g.put(
        "sql-password-hash",
        r -> {
          String h =
              switch (r.between(0, 3)) {
                case 0 -> "$P$B" + r.of(CRYPT, 30);
                case 1 -> "$2y$10$" + r.of(CRYPT, 53);
                case 2 ->
                    "pbkdf2_sha256$"
                        + r.between(260000, 870000)
                        + "$"
                        + r.alnum(22)
                        + "$"
                        + b64Of(r.bytes(32));
                default ->
                    "$argon2id$v=19$m=65536,t=4,p=1$"
                        + b64Of(r.bytes(16)).replace("=", "")
                        + "$"
                        + b64Of(r.bytes(32)).replace("=", "");
              };
          return new Gen(
              "LOCK TABLES `wp_users` WRITE;\nINSERT INTO `wp_users` VALUES (1,'admin','"
                  + h
                  + "','admin','admin@corp.example','',"
                  + "'2024-01-01 00:00:00','',0,'admin');\nUNLOCK TABLES;\n",
              h,
              null);
        });
    g.put(
        "sql-copy-password",
        r -> {
          String p = r.password().replace("\\", "x");
          String h = "$2b$12$" + r.of(CRYPT, 53);
          String cols =
              r.between(0, 1) == 0
                  ? "id, email, password, created_at"
                  : "id, email, encrypted_password, created_at";
          String v = r.between(0, 1) == 0 ? p : h;
          return new Gen(
              "--\n-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: app\n--\n\nCOPY public.users ("
                  + cols
                  + ") FROM stdin;\n"
                  + r.between(1, 9)
                  + "\t"
                  + r.lower(5)
                  + "@corp.example\t"
                  + v
                  + "\t2024-01-0"
                  + r.between(1, 9)
                  + " 10:00:00+00\n"
                  + r.between(10, 19)
                  + "\t"
                  + r.lower(6)
                  + "@corp.example\t\\N\t2024-02-01 09:00:00+00\n\\.\n\n",
              v,
              null);
        });
    g.put(
        "sip-secret",
        r -> {
          // md5_cred is the digest HA1, md5(user:realm:password): enough to authenticate, so
          // reported too
          int shape = r.between(0, 4);
          String p = shape == 4 ? r.hex(32) : r.password().replace(";", "x");
          String file =
              switch (shape) {
                case 0 ->
                    "; sip.conf\n[general]\ncontext=default\n\n["
                        + r.digits(4)
                        + "]\ntype=friend\nhost=dynamic\nsecret="
                        + p
                        + "\ncontext=internal\n";
                case 1 ->
                    "; iax.conf\n[trunk-"
                        + r.lower(4)
                        + "]\ntype=peer\nusername=office\nsecret = "
                        + p
                        + " ; shared with the remote PBX\n";
                case 2 ->
                    "; manager.conf\n[general]\nenabled = yes\n\n["
                        + r.lower(5)
                        + "]\nsecret = "
                        + p
                        + "\ndeny=0.0.0.0/0.0.0.0\nread = system,call\n";
                case 3 ->
                    "; pjsip.conf\n["
                        + r.digits(4)
                        + "]\ntype=auth\nauth_type=userpass\nusername="
                        + r.digits(4)
                        + "\npassword="
                        + p
                        + "\n\n["
                        + r.digits(4)
                        + "]\ntype=aor\nmax_contacts=1\n";
                default ->
                    "[trunk-auth]\ntype=auth\nauth_type=md5\nusername=trunk\nrealm=sip.corp.example\nmd5_cred="
                        + p
                        + "\n";
              };
          return new Gen(file, p, null);
        });
    g.put(
        "game-server-password",
        r -> {
          String p = r.password().replace("\"", "x");
          String file =
              switch (r.between(0, 3)) {
                case 0 ->
                    "// server.cfg\nhostname \""
                        + r.lower(6)
                        + " community\"\nrcon_password \""
                        + p
                        + "\"\nsv_lan 0\n";
                case 1 ->
                    "hostname \"Pub\"\nsv_password \"" + p + "\" // join password\nmaxplayers 16\n";
                case 2 ->
                    "./RustDedicated -batchmode +server.port 28015 +rcon.port 28016 +rcon.password \""
                        + p
                        + "\" +rcon.web 1\n";
                default ->
                    "seta sv_hostname \"q3\"\nset rcon_password " + p + "\nseta g_gametype 4\n";
              };
          return new Gen(file, p, null);
        });
    g.put(
        "teamspeak-serverquery-password",
        r -> {
          String p = r.alnum(8) + r.digits(2);
          String file =
              switch (r.between(0, 2)) {
                case 0 ->
                    "------------------------------------------------------------------\n                      I M P O R T A N T\n"
                        + "------------------------------------------------------------------\n               Server Query Admin Account created\n"
                        + "         loginname= \"serveradmin\", password= \""
                        + p
                        + "\"\n";
                case 1 ->
                    "#!/bin/sh\n(echo \"login serveradmin "
                        + p
                        + "\"; echo \"use sid=1\"; echo \"serverlist\") | nc localhost 10011\n";
                default ->
                    "./ts3server license_accepted=1 serveradmin_password="
                        + p
                        + " query_port=10011\n";
              };
          return new Gen(file, p, null);
        });
    g.put(
        "browser-login-export",
        r -> {
          String p = r.password().replace("\"", "x").replace(",", "x");
          String site = "https://" + r.lower(6) + ".example.net/login";
          String file =
              switch (r.between(0, 4)) {
                case 0 ->
                    "name,url,username,password,note\n"
                        + r.lower(6)
                        + ","
                        + site
                        + ",alice,"
                        + p
                        + ",\n";
                case 1 ->
                    "\"url\",\"username\",\"password\",\"httpRealm\",\"formActionOrigin\",\"guid\",\"timeCreated\"\n\""
                        + site
                        + "\",\"alice\",\""
                        + p
                        + "\",\"\",\""
                        + site
                        + "\",\"{"
                        + r.uuid()
                        + "}\",\"1700000000000\"\n";
                case 2 ->
                    "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n,,login,"
                        + r.lower(5)
                        + ",\"line one\nline two, with a comma\",,0,"
                        + site
                        + ",alice@corp.example,"
                        + p
                        + ",\n";
                case 3 ->
                    "url,username,password,totp,extra,name,grouping,fav\n"
                        + site
                        + ",alice,"
                        + p
                        + ",,,Corp,Work,0\n";
                default ->
                    "Title,URL,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n"
                        + r.lower(6)
                        + ","
                        + site
                        + ",alice,"
                        + p
                        + ",,false,false,,\n";
              };
          return new Gen(file, p, null);
        });
    g.put(
        "bitwarden-export-password",
        r -> {
          String p = r.password().replace("\"", "x").replace("\\", "x");
          return new Gen(
              "{\n  \"encrypted\": false,\n  \"folders\": [],\n  \"items\": [\n    {\n      \"id\": \""
                  + r.uuid()
                  + "\",\n      \"type\": 1,\n"
                  + "      \"name\": \""
                  + r.lower(6)
                  + "\",\n      \"login\": {\n        \"fido2Credentials\": [],\n        \"uris\": [\n          {\n"
                  + "            \"match\": null,\n            \"uri\": \"https://"
                  + r.lower(6)
                  + ".example.net\"\n          }\n        ],\n"
                  + "        \"username\": \"alice\",\n        \"password\": \""
                  + p
                  + "\",\n        \"totp\": null\n      }\n    }\n  ]\n}\n",
              p,
              null);
        });
    g.put(
        "config-secret-value",
        r -> {
          String v =
              r.alnum(5)
                  + r.digits(1)
                  + List.of("$", "!", "%", "#", "&", "?").get(r.between(0, 5))
                  + r.alnum(4)
                  + r.digits(1)
                  + "!"
                  + r.alnum(2);
          String file =
              switch (r.between(0, 4)) {
                case 0 ->
                    "oauth:\n  github:\n    client_id: Iv1."
                        + r.hex(16)
                        + "\n    client_secret: \""
                        + v
                        + "\"\n";
                case 1 -> "[mysql]\nuser = shop\naccess_token = " + v + "\n";
                case 2 -> "[smtp]\nhost = \"smtp.corp.example\"\nsmtp_secret = '" + v + "'\n";
                case 3 -> "WEBHOOK_TOKEN=" + v + "\n";
                default -> "[deploy]\napi_token = \"" + v + "\"\n";
              };
          return new Gen(file, v, null);
        });
    g.put(
        "wordpress-auth-key",
        r -> {
          String k =
              List.of(
                      "AUTH_KEY",
                      "SECURE_AUTH_KEY",
                      "LOGGED_IN_KEY",
                      "NONCE_KEY",
                      "AUTH_SALT",
                      "SECURE_AUTH_SALT",
                      "LOGGED_IN_SALT",
                      "NONCE_SALT")
                  .get(r.between(0, 7));
          String salt = r.of(WP_SALT, 64);
          return new Gen(
              "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_HOST', 'localhost' );\ndefine( '"
                  + k
                  + "', '"
                  + salt
                  + "' );\n$table_prefix = 'wp_';\n",
              salt,
              null);
        });
    g.put(
        "php-define-password",
        r -> {
          String p = r.password();
          String k =
              List.of("DB_PASSWORD", "SMTP_PASS", "MAIL_PASSWORD", "API_SECRET", "PAYPAL_API_KEY")
                  .get(r.between(0, 4));
          return new Gen(
              "<?php\ndefine('DB_USER', 'shop');\ndefine(\"" + k + "\", \"" + p + "\");\n",
              p,
              null);
        });
    g.put(
        "django-secret-key",
        r -> {
          String k = (r.between(0, 1) == 0 ? "django-insecure-" : "") + r.of(DJANGO, 50);
          return new Gen(
              "from pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = '"
                  + k
                  + "'\nDEBUG = False\n",
              k,
              null);
        });
    g.put(
        "laravel-app-key",
        r -> {
          String k = "base64:" + b64Of(r.bytes(32));
          return new Gen(
              "APP_NAME=Laravel\nAPP_ENV=production\nAPP_KEY=" + k + "\nAPP_DEBUG=false\n",
              k,
              null);
        });
    g.put(
        "rails-secret-key-base",
        r -> {
          String k = r.hex(128);
          return new Gen("production:\n  secret_key_base: " + k + "\n", k, null);
        });
    g.put(
        "properties-password",
        r -> {
          String p = r.password();
          String key =
              List.of(
                      "spring.datasource.password",
                      "spring.mail.password",
                      "app.ldap.manager.password",
                      "spring.rabbitmq.password")
                  .get(r.between(0, 3));
          return new Gen(
              "spring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.username=app\n"
                  + key
                  + "="
                  + p
                  + "\n",
              p,
              null);
        });
    g.put(
        "shell-export-secret",
        r -> {
          String p = r.password();
          String k =
              List.of(
                      "SMTP_AUTH_SECRET",
                      "DEPLOY_TOKEN",
                      "WEBHOOK_SECRET",
                      "LDAP_BIND_SECRET",
                      "SIGNING_SECRET")
                  .get(r.between(0, 4));
          String q = List.of("", "\"", "'").get(r.between(0, 2));
          return new Gen(
              "# ~/.bashrc\nexport PATH=\"$HOME/bin:$PATH\"\nexport " + k + "=" + q + p + q + "\n",
              p,
              null);
        });
    providers(g);
    g.put("high-entropy-string", Corpus::highEntropy);
    tok(g, "generic-password", "db_password", Rnd::password);
    tok(g, "generic-secret", "client_secret", r -> r.alnum(12) + r.digits(4) + r.alnum(16));
    // issue 14, second pass: after the older generators, so their samples stay the same
    g.put(
        "jetbrains-password",
        r -> {
          String p = r.password();
          String hex = jetBrainsScramble(p);
          String file =
              r.between(0, 1) == 0
                  ? "<project version=\"4\">\n  <component name=\"WebServers\">\n    <option name=\"servers\">\n"
                      + "      <webServer id=\""
                      + r.uuid()
                      + "\" name=\"prod\" url=\"http://"
                      + r.lower(6)
                      + ".com\">\n        <fileTransfer host=\"ftp."
                      + r.lower(6)
                      + ".com\" port=\"21\" rootFolder=\"/www\" accessType=\"FTP\" login=\"web\" password=\""
                      + hex
                      + "\">\n          <advancedOptions><advancedOptions dataProtectionLevel=\"Private\" passiveMode=\"true\" /></advancedOptions>\n"
                      + "        </fileTransfer>\n      </webServer>\n    </option>\n  </component>\n</project>\n"
                  : "<component name=\"DataSourceManagerImpl\" format=\"xml\">\n  <data-source source=\"LOCAL\" name=\"prod\">\n"
                      + "    <jdbc-url>jdbc:postgresql://db:5432/app</jdbc-url>\n    <user-name>app</user-name>\n    <user-password>"
                      + hex
                      + "</user-password>\n  </data-source>\n</component>\n";
          return new Gen(file, p, null);
        });
    g.put(
        "redis-conf-password",
        r -> {
          String p = r.password().replace("\"", "9").replace("'", "9");
          String q = List.of("", "\"").get(r.between(0, 1));
          String key = List.of("requirepass", "masterauth").get(r.between(0, 1));
          return new Gen(
              "bind 127.0.0.1 -::1\nport 6379\n# requirepass foobared\n"
                  + key
                  + " "
                  + q
                  + p
                  + q
                  + "\nmaxmemory 256mb\n",
              p,
              null);
        });
    g.put(
        "env-entry-secret",
        r -> {
          String p = r.password();
          String name =
              List.of("DB_PASSWORD", "SMTP_PASS", "JWT_SECRET", "SLACK_TOKEN", "MAIL_API_KEY")
                  .get(r.between(0, 4));
          String file =
              r.between(0, 1) == 0
                  ? "spec:\n  containers:\n    - name: app\n      env:\n        - name: LOG_LEVEL\n          value: info\n"
                      + "        - name: "
                      + name
                      + "\n          value: \""
                      + p
                      + "\"\n"
                  : "{\"containerDefinitions\": [{\"name\": \"api\", \"environment\": [\n"
                      + "  {\"name\": \"NODE_ENV\", \"value\": \"production\"},\n  {\"name\": \""
                      + name
                      + "\", \"value\": \""
                      + p
                      + "\"}\n]}]}\n";
          return new Gen(file, p, null);
        });
    g.put(
        "ldap-bind-password",
        r -> {
          String p = r.password().replace("\"", "9").replace("'", "9");
          String file =
              switch (r.between(0, 2)) {
                case 0 ->
                    "# /etc/ldap.conf\nbase dc=corp,dc=example\nuri ldaps://ldap.corp.example\nbinddn cn=reader,dc=corp,dc=example\nbindpw "
                        + p
                        + "\n";
                case 1 ->
                    "# slapd.conf\ndatabase mdb\nsuffix \"dc=corp,dc=example\"\nrootdn \"cn=admin,dc=corp,dc=example\"\nrootpw "
                        + p
                        + "\n";
                default ->
                    "[domain/corp]\nid_provider = ldap\nldap_default_bind_dn = cn=sssd,dc=corp\nldap_default_authtok = "
                        + p
                        + "\n";
              };
          return new Gen(file, p, null);
        });
    g.put(
        "gradle-credentials-password",
        r -> {
          String p = r.password().replace("$", "9");
          String q = List.of("'", "\"").get(r.between(0, 1));
          return new Gen(
              "publishing {\n  repositories {\n    maven {\n      url 'https://nexus."
                  + r.lower(5)
                  + ".net/repository/releases/'\n      credentials {\n        username 'deployer'\n        password "
                  + q
                  + p
                  + q
                  + "\n      }\n    }\n  }\n}\n",
              p,
              null);
        });
    g.put(
        "php-db-connect-password",
        r -> {
          String p = r.password().replace("'", "9").replace("\"", "9");
          String db = r.lower(6);
          String call =
              switch (r.between(0, 3)) {
                case 0 ->
                    "$conn = mysqli_connect(\"localhost\", \"root\", \""
                        + p
                        + "\", \""
                        + db
                        + "\");";
                case 1 ->
                    "$link = mysql_connect('localhost', 'web', '" + p + "') or die(mysql_error());";
                case 2 -> "$db = new mysqli('127.0.0.1', 'app', '" + p + "', '" + db + "');";
                default ->
                    "$pdo = new PDO('mysql:host=localhost;dbname="
                        + db
                        + ";charset=utf8mb4', 'app', '"
                        + p
                        + "');";
              };
          return new Gen("<?php\n" + call + "\n", p, null);
        });
    g.put(
        "cli-password-argument",
        r -> {
          String p = r.password().replace("'", "9").replace("\"", "9");
          String db = r.lower(6);
          String line =
              switch (r.between(0, 5)) {
                case 4 -> "docker login -u deploy -p '" + p + "' registry." + db + ".net";
                case 5 ->
                    "sqlplus -s app_"
                        + db
                        + "/"
                        + p.replace("@", "9").replace("-", "x")
                        + "@ORCL @migrate.sql";
                case 0 -> "mysql -u root -p" + p + " -h db.internal " + db + " < schema.sql";
                case 1 ->
                    "mysqldump --user=backup --password='"
                        + p
                        + "' --single-transaction "
                        + db
                        + " > /backup/"
                        + db
                        + ".sql";
                case 2 -> "sshpass -p '" + p + "' rsync -az dist/ deploy@web01:/var/www/";
                default -> "mysqladmin -uroot -p\"" + p + "\" flush-privileges";
              };
          String secret = line.startsWith("sqlplus") ? p.replace("@", "9").replace("-", "x") : p;
          return new Gen("#!/bin/sh\nset -e\n" + line + "\n", secret, null);
        });
    // round 2 of decision 109: network, device and sync-tool configuration
    g.put(
        "wifi-psk",
        r -> {
          String p = r.password().replace("\"", "9");
          String ssid = r.lower(6);
          return switch (r.between(0, 3)) {
            case 0 ->
                new Gen(
                    "ctrl_interface=DIR=/var/run/wpa_supplicant GROUP=netdev\nupdate_config=1\ncountry=DE\n\nnetwork={\n\tssid=\""
                        + ssid
                        + "-5G\"\n\tpsk=\""
                        + p
                        + "\"\n\tkey_mgmt=WPA-PSK\n}\n",
                    p,
                    null);
            case 1 -> {
              String hex = r.hex(64);
              yield new Gen(
                  "network={\n    ssid=\"" + ssid + "\"\n    psk=" + hex + "\n}\n", hex, null);
            }
            case 2 ->
                new Gen(
                    "[connection]\nid="
                        + ssid
                        + "\ntype=wifi\n\n[wifi]\nmode=infrastructure\nssid="
                        + ssid
                        + "\n\n[wifi-security]\nauth-alg=open\nkey-mgmt=wpa-psk\npsk="
                        + p
                        + "\n\n[ipv4]\nmethod=auto\n",
                    p,
                    null);
            default ->
                new Gen(
                    "interface=wlan0\ndriver=nl80211\nssid="
                        + ssid
                        + "\nhw_mode=g\nchannel=7\nwpa=2\nwpa_key_mgmt=WPA-PSK\nwpa_passphrase="
                        + p
                        + "\nrsn_pairwise=CCMP\n",
                    p,
                    null);
          };
        });
    g.put(
        "snmp-credential",
        r -> {
          String p = r.password().replace("\"", "9").replace("#", "x");
          String head =
              "# snmpd.conf\nagentAddress udp:161,udp6:[::1]:161\nsysLocation    Server Room\n"
                  + "sysContact     ops@corp.example\nrocommunity public  localhost\n";
          String user = "mon_" + r.lower(4);
          return switch (r.between(0, 2)) {
            case 0 ->
                new Gen(
                    head
                        + "createUser "
                        + user
                        + " SHA \""
                        + p
                        + "\" AES\nrouser "
                        + user
                        + " priv\n",
                    p,
                    null);
            case 1 -> new Gen(head + "rocommunity " + p + " 10.0.0.0/8\n", p, null);
            default ->
                new Gen(
                    head
                        + "com2sec readonly 192.168.0.0/16 "
                        + p
                        + "\ngroup MyROGroup v2c readonly\n",
                    p,
                    null);
          };
        });
    g.put(
        "openvpn-auth-user-pass",
        r -> {
          String p = r.password().replace("<", "x");
          return new Gen(
              "client\ndev tun\nproto udp\nremote vpn."
                  + r.lower(6)
                  + ".com 1194\nresolv-retry infinite\nnobind\npersist-key\npersist-tun\n"
                  + "remote-cert-tls server\ncipher AES-256-GCM\nverb 3\n<auth-user-pass>\n"
                  + r.lower(5)
                  + "."
                  + r.lower(6)
                  + "\n"
                  + p
                  + "\n</auth-user-pass>\n",
              p,
              null);
        });
    g.put(
        "pgbouncer-userlist-hash",
        r -> {
          String h =
              r.between(0, 1) == 0
                  ? "md5" + r.hex(32)
                  : "SCRAM-SHA-256$4096:"
                      + b64Of(r.bytes(16))
                      + "$"
                      + b64Of(r.bytes(32))
                      + ":"
                      + b64Of(r.bytes(32));
          return new Gen("\"pgbouncer\" \"\"\n\"" + r.lower(6) + "\" \"" + h + "\"\n", h, null);
        });
    g.put(
        "net-use-password",
        r -> {
          String p = r.password();
          String share = "\\\\fs" + r.between(1, 9) + "." + r.lower(5) + ".local\\" + r.lower(6);
          String line =
              switch (r.between(0, 2)) {
                case 0 -> "net use " + share + " /user:CORP\\svc_backup " + p + " /persistent:no";
                case 1 -> "net use Z: " + share + " " + p + " /user:svc_backup";
                default -> "NET USE * \"" + share + "\" \"" + p + "\" /USER:CORP\\deploy";
              };
          return new Gen("@echo off\r\n" + line + "\r\nrobocopy C:\\build Z:\\ /MIR\r\n", p, null);
        });
    g.put(
        "mbsync-password",
        r -> {
          String p = r.password().replace("\"", "9");
          String pass = r.between(0, 1) == 0 ? p : "\"" + p + "\"";
          String host = "imap." + r.lower(6) + ".com";
          String file =
              r.between(0, 1) == 0
                  ? "IMAPAccount work\nHost "
                      + host
                      + "\nUser me@corp.example\nPass "
                      + pass
                      + "\nSSLType IMAPS\nCertificateFile /etc/ssl/certs/ca-certificates.crt\n\n"
                      + "IMAPStore work-remote\nAccount work\n\nMaildirStore work-local\nPath ~/Mail/work/\n"
                      + "Inbox ~/Mail/work/INBOX\n\nChannel work\nFar :work-remote:\nNear :work-local:\nPatterns *\n"
                  : "IMAPStore remote\nHost "
                      + host
                      + "\nUser me\nPass "
                      + pass
                      + "\nUseIMAPS yes\n\nMaildirStore local\nPath ~/Mail/\n";
          return new Gen(file, p, null);
        });
    return g;
  }

  /** Generators of the provider rules added by the gitleaks comparison ({@code ProviderRules}). */
  private static void providers(Map<String, Function<Rnd, Gen>> g) {
    String lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
    tok(
        g,
        "onepassword-secret-key",
        "OP_SECRET_KEY",
        r ->
            "A3-"
                + r.upperAlnum(6)
                + "-"
                + r.upperAlnum(11)
                + "-"
                + r.upperAlnum(5)
                + "-"
                + r.upperAlnum(5)
                + "-"
                + r.upperAlnum(5));
    tok(g, "adafruit-io-key", "ADAFRUIT_IO_KEY", r -> "aio_" + r.alnum(28));
    tok(
        g,
        "authress-access-key",
        "AUTHRESS_KEY",
        r ->
            "sc_"
                + r.of(lowerAlnum, 12)
                + "."
                + r.of(lowerAlnum, 5)
                + ".acc_"
                + r.of(lowerAlnum, 20)
                + "."
                + r.b64url(64));
    tok(
        g,
        "aws-bedrock-short-term-key",
        "AWS_BEARER_TOKEN_BEDROCK",
        r ->
            "bedrock-api-key-"
                + b64Of(
                    ("bedrock.amazonaws.com/"
                            + "?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA"
                            + r.upperAlnum(16)
                            + "%2F20250101%2Fus-east-1%2Fbedrock%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=43200&X-Amz-Security-Token="
                            + r.b64(200)
                            + "&X-Amz-Signature="
                            + r.hex(64)
                            + "&Version=1")
                        .getBytes(StandardCharsets.UTF_8)));
    tok(g, "clickhouse-cloud-api-key", "CLICKHOUSE_KEY_SECRET", r -> "4b1d" + r.alnum(38));
    tok(
        g,
        "contentful-management-token",
        "CONTENTFUL_MANAGEMENT_TOKEN",
        r -> "CFPAT-" + r.b64url(43));
    tok(
        g,
        "defined-networking-api-key",
        "DN_API_KEY",
        r -> "dnkey-" + r.of(lowerAlnum, 26) + "-" + r.of(lowerAlnum, 52));
    tok(g, "duffel-api-token", "DUFFEL_ACCESS_TOKEN", r -> "duffel_live_" + r.b64url(43));
    tok(g, "flutterwave-encryption-key", "FLW_ENCRYPTION_KEY", r -> "FLWSECK_TEST" + r.hex(12));
    tok(
        g,
        "flyio-access-token",
        "FLY_API_TOKEN",
        r -> r.between(0, 1) == 0 ? "fo1_" + r.b64url(43) : "fm2_" + r.b64(300));
    tok(g, "frameio-api-token", "FRAMEIO_TOKEN", r -> "fio-u-" + r.b64url(64));
    tok(g, "gitlab-feature-flag-token", "UNLEASH_INSTANCE_ID", r -> "glffct-" + r.b64url(20));
    tok(g, "gitlab-incoming-mail-token", "incoming_email_token", r -> "glimt-" + r.b64url(25));
    g.put(
        "gitlab-session-cookie",
        r -> {
          String c = r.hex(32);
          return new Gen(
              "curl -b \"_gitlab_session=" + c + "\" https://gitlab.corp.example/api/v4/user\n",
              c,
              null);
        });
    tok(
        g,
        "grafana-api-key-legacy",
        "GRAFANA_API_KEY",
        r ->
            b64Of(
                    ("{\"k\":\""
                            + r.alnum(32)
                            + "\",\"n\":\"deploy\",\"id\":"
                            + r.between(1, 99)
                            + "}")
                        .getBytes(StandardCharsets.UTF_8))
                .replace("=", ""));
    tok(
        g,
        "harness-api-key",
        "HARNESS_API_KEY",
        r -> "pat." + r.b64url(22) + "." + r.alnum(24) + "." + r.alnum(20));
    tok(g, "infracost-api-token", "INFRACOST_API_KEY", r -> "ico-" + r.alnum(32));
    tok(g, "intra42-client-secret", "FT_CLIENT_SECRET", r -> "s-s4t2ud-" + r.hex(64));
    tok(g, "jwt-base64", "encoded_session", r -> b64Of(jwt(r).getBytes(StandardCharsets.US_ASCII)));
    tok(
        g,
        "launchdarkly-access-token",
        "LD_SDK_KEY",
        r -> (r.between(0, 1) == 0 ? "sdk-" : "api-") + r.uuid());
    tok(
        g,
        "maxmind-license-key",
        "MAXMIND_LICENSE_KEY",
        r -> r.alnum(6) + "_" + r.alnum(29) + "_mmk");
    tok(g, "octopus-deploy-api-key", "OCTOPUS_API_KEY", r -> "API-" + r.upperAlnum(26));
    tok(g, "openshift-user-token", "OPENSHIFT_TOKEN", r -> "sha256~" + r.b64url(43));
    tok(g, "scalingo-api-token", "SCALINGO_API_TOKEN", r -> "tk-us-" + r.b64url(48));
    tok(g, "settlemint-token", "SETTLEMINT_ACCESS_TOKEN", r -> "sm_pat_" + r.alnum(16));
    tok(
        g,
        "slack-legacy-token",
        "SLACK_LEGACY_TOKEN",
        r -> "xoxs-" + r.digits(10) + "-" + r.digits(11) + "-" + r.digits(12) + "-" + r.hex(64));
    tok(
        g,
        "sourcegraph-access-token",
        "SRC_ACCESS_TOKEN",
        r -> "sgp_" + r.hex(16) + "_" + r.hex(40));
    tok(g, "yandex-api-key", "YC_API_KEY", r -> "AQVN" + r.b64url(36));
    g.put(
        "authorization-header",
        r -> {
          String t = r.b64url(40);
          String file =
              switch (r.between(0, 3)) {
                case 0 ->
                    "curl -s -H \"Authorization: Bearer "
                        + t
                        + "\" https://api.corp.example/v1/items\n";
                case 1 ->
                    "GET https://api.corp.example/v1/items\nAuthorization: token "
                        + t
                        + "\nAccept: application/json\n";
                case 2 ->
                    "headers = {\"X-Api-Key\": \"" + t + "\", \"Accept\": \"application/json\"}\n";
                default -> {
                  t =
                      b64Of(
                          ("svc-" + r.lower(5) + ":" + r.password())
                              .getBytes(StandardCharsets.UTF_8));
                  yield "fetch(url, { headers: { Authorization: 'Basic " + t + "' } });\n";
                }
              };
          return new Gen(file, t, null);
        });
    g.put(
        "curl-basic-auth",
        r -> {
          String p = r.password().replace("'", "x").replace("\"", "x").replace("$", "x");
          return new Gen(
              r.between(0, 1) == 0
                  ? "curl -fsSL -u deploy:"
                      + p
                      + " https://nexus.corp.example/repository/raw/app.tgz -o app.tgz\n"
                  : "curl --user 'ci-bot:"
                      + p
                      + "' -X POST https://jenkins.corp.example/job/build/build\n",
              p,
              null);
        });
    g.put(
        "nuget-config-password",
        r -> {
          String p = r.password().replace("\"", "x").replace("&", "x").replace("<", "x");
          return new Gen(
              "<configuration>\n  <packageSourceCredentials>\n    <corp>\n      <add key=\"Username\" value=\"ci\" />\n"
                  + "      <add key=\"ClearTextPassword\" value=\""
                  + p
                  + "\" />\n    </corp>\n  </packageSourceCredentials>\n</configuration>\n",
              p,
              null);
        });
    g.put(
        "freemius-secret-key",
        r -> {
          String k = "sk_" + r.of(ALNUM + "<>!?*~", 29).replace("'", "x");
          return new Gen(
              "<?php\n$fs = fs_dynamic_init( array(\n    'id' => '"
                  + r.digits(4)
                  + "',\n    'public_key' => 'pk_"
                  + r.hex(29)
                  + "',\n    'secret_key' => '"
                  + k
                  + "',\n) );\n",
              k,
              null);
        });
    g.put(
        "kubernetes-secret-data",
        r -> {
          String p = r.password();
          String b64 = b64Of(p.getBytes(StandardCharsets.UTF_8));
          String file =
              r.between(0, 1) == 0
                  ? "apiVersion: v1\ndata:\n  password: "
                      + b64
                      + "\n  username: YXBw\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\ntype: Opaque\n"
                  : "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: smtp\ntype: Opaque\nstringData:\n  smtp-pass: \""
                      + p
                      + "\"\n---\nkind: ConfigMap\n";
          return new Gen(file, p, null);
        });
    tok(g, "airtable-api-key-legacy", "AIRTABLE_API_KEY", r -> "key" + r.alnum(14));
    tok(g, "alibaba-secret-key", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", r -> r.alnum(30));
    tok(g, "asana-token", "ASANA_TOKEN", r -> "1/" + r.digits(16) + ":" + r.hex(32));
    tok(g, "beamer-api-token", "BEAMER_API_KEY", r -> "b_" + r.b64url(44));
    tok(g, "bitbucket-client-secret", "BITBUCKET_CLIENT_SECRET", r -> r.alnum(32));
    tok(g, "cisco-meraki-api-key", "MERAKI_DASHBOARD_API_KEY", r -> r.hex(40));
    tok(g, "codecov-token", "CODECOV_TOKEN", Rnd::uuid);
    tok(g, "coinbase-access-token", "COINBASE_API_SECRET", r -> r.b64url(64));
    tok(g, "confluent-api-secret", "CONFLUENT_API_SECRET", r -> r.b64(64));
    tok(g, "contentful-delivery-token", "CONTENTFUL_DELIVERY_TOKEN", r -> r.b64url(43));
    tok(g, "discord-client-secret", "DISCORD_CLIENT_SECRET", r -> r.b64url(32));
    tok(g, "droneci-token", "DRONE_TOKEN", r -> r.alnum(32));
    tok(g, "dropbox-app-secret", "DROPBOX_APP_SECRET", r -> r.of(lowerAlnum, 15));
    tok(g, "dropbox-access-token", "DROPBOX_ACCESS_TOKEN", r -> "sl." + r.b64url(140));
    tok(g, "etsy-api-key", "ETSY_API_KEY", r -> r.of(lowerAlnum, 24));
    tok(
        g,
        "facebook-app-access-token",
        "FACEBOOK_APP_TOKEN",
        r -> r.digits(16) + "|" + r.b64url(32));
    tok(g, "finicity-api-key", "FINICITY_APP_KEY", r -> r.hex(32));
    tok(g, "finnhub-api-key", "FINNHUB_API_KEY", r -> r.of(lowerAlnum, 20));
    tok(g, "flickr-api-key", "FLICKR_API_KEY", r -> r.of(lowerAlnum, 32));
    tok(g, "freshbooks-access-token", "FRESHBOOKS_ACCESS_TOKEN", r -> r.of(lowerAlnum, 64));
    tok(g, "gitter-access-token", "GITTER_TOKEN", r -> r.of(lowerAlnum, 40));
    tok(g, "gocardless-access-token", "GOCARDLESS_ACCESS_TOKEN", r -> "live_" + r.b64url(40));
    tok(
        g,
        "hubspot-api-key-legacy",
        "HUBSPOT_API_KEY",
        r -> r.uuid().toUpperCase(java.util.Locale.ROOT));
    tok(g, "intercom-access-token", "INTERCOM_ACCESS_TOKEN", r -> r.b64url(60));
    tok(g, "jfrog-identity-token", "JFROG_IDENTITY_TOKEN", r -> r.alnum(64));
    tok(g, "kraken-api-key", "KRAKEN_PRIVATE_KEY", r -> b64Of(r.bytes(64)));
    tok(g, "kucoin-api-secret", "KUCOIN_API_SECRET", Rnd::uuid);
    tok(g, "linear-client-secret", "LINEAR_CLIENT_SECRET", r -> r.hex(32));
    tok(g, "linkedin-client-secret", "LINKEDIN_CLIENT_SECRET", r -> r.alnum(16));
    tok(g, "lob-api-key", "LOB_API_KEY", r -> "live_" + r.hex(35));
    tok(g, "looker-client-secret", "LOOKERSDK_CLIENT_SECRET", r -> r.alnum(24));
    tok(g, "mattermost-access-token", "MATTERMOST_TOKEN", r -> r.of(lowerAlnum, 26));
    tok(g, "messagebird-api-key", "MESSAGEBIRD_API_KEY", r -> r.alnum(25));
    tok(g, "netlify-access-token-legacy", "NETLIFY_AUTH_TOKEN", r -> r.b64url(43));
    tok(g, "nytimes-api-key", "NYTIMES_API_KEY", r -> r.alnum(32));
    tok(g, "plaid-secret", "PLAID_SECRET", r -> r.of(lowerAlnum, 30));
    tok(g, "privateai-api-key", "PRIVATE_AI_API_KEY", r -> r.of(lowerAlnum, 32));
    tok(g, "rapidapi-key", "X_RAPIDAPI_KEY", r -> r.b64url(50));
    tok(g, "sendbird-api-token", "SENDBIRD_API_TOKEN", r -> r.hex(40));
    tok(g, "sentry-access-token-legacy", "SENTRY_TOKEN", r -> r.hex(64));
    tok(g, "sidekiq-license", "BUNDLE_ENTERPRISE__CONTRIBSYS__COM", r -> r.hex(8) + ":" + r.hex(8));
    tok(g, "snyk-api-token", "SNYK_TOKEN", Rnd::uuid);
    tok(g, "sonarqube-token-legacy", "SONAR_TOKEN", r -> r.hex(40));
    tok(g, "squarespace-api-key", "SQUARESPACE_API_KEY", Rnd::uuid);
    tok(g, "sumologic-access-key", "SUMO_ACCESS_KEY", r -> r.alnum(64));
    tok(g, "travisci-token", "TRAVIS_API_TOKEN", r -> r.alnum(22));
    tok(g, "twitch-api-token", "TWITCH_CLIENT_SECRET", r -> r.of(lowerAlnum, 30));
    tok(g, "twitter-access-secret", "TWITTER_ACCESS_TOKEN_SECRET", r -> r.alnum(45));
    tok(g, "twitter-access-token", "TWITTER_ACCESS_TOKEN", r -> r.digits(19) + "-" + r.alnum(30));
    tok(g, "twitter-api-key", "TWITTER_API_KEY", r -> r.alnum(25));
    tok(g, "hashicorp-vault-token-legacy", "VAULT_TOKEN", r -> "s." + r.alnum(24));
    tok(g, "yandex-cloud-token", "YC_TOKEN", r -> "t1." + r.b64url(60) + "." + r.b64url(86));
  }

  /**
   * A random key as tools print them: {@code openssl rand -base64 32}, Python's {@code
   * secrets.token_urlsafe(32)}, a 24-48 character alphanumeric key; with {@code anyAlphabet} also
   * {@code openssl rand -hex 32} and a lowercase base36 key.
   */
  static String randomKey(Rnd r, boolean anyAlphabet) {
    return switch (r.between(0, anyAlphabet ? 4 : 2)) {
      case 0 -> b64Of(r.bytes(32));
      case 1 -> Base64.getUrlEncoder().withoutPadding().encodeToString(r.bytes(32));
      case 2 -> r.alnum(r.between(32, 48));
      case 3 -> r.hex(64);
      default -> r.of("abcdefghijklmnopqrstuvwxyz0123456789", 32);
    };
  }

  /**
   * The high-entropy rule's three contexts: a key named like a secret (the file-type contexts place
   * it), any other key, a quoted literal passed as an argument.
   */
  private static Gen highEntropy(Rnd r) {
    switch (r.between(0, 3)) {
      case 0, 1 -> {
        String k = randomKey(r, true);
        String name =
            List.of(
                    "signing_key",
                    "encryption_key",
                    "hmac_key",
                    "master_key",
                    "session_key",
                    "cookie_key",
                    "license_key",
                    "webhook_key")
                .get(r.between(0, 7));
        return new Gen(k, k, name);
      }
      case 2 -> {
        String k = randomKey(r, false);
        String file =
            switch (r.between(0, 2)) {
              case 0 -> "{\"service\": \"billing\", \"upstream\": \"" + k + "\", \"retries\": 3}\n";
              case 1 -> "[relay]\nhost = relay.corp.internal\nchannel = " + k + "\n";
              default -> "connector:\n  kind: sftp\n  handle: " + k + "\n";
            };
        return new Gen(file, k, null);
      }
      default -> {
        String k = randomKey(r, false);
        String file =
            switch (r.between(0, 2)) {
              case 0 -> "client = Client(\"billing-svc\", \"" + k + "\")\n";
              case 1 -> "conn.authenticate(user, '" + k + "');\n";
              default -> "if (header.equals(\"" + k + "\")) {\n  allow();\n}\n";
            };
        return new Gen(file, k, null);
      }
    }
  }

  /** A generated credential file: where it is, its whole text, the secret the rule must report. */
  record PathGen(String path, String text, String secret) {}

  /**
   * Generators of the credential files recognisable only by their path (decision 110), one per rule
   * that reads such a file. Their samples come after all others and draw from their own random
   * stream, so every earlier sample stays byte-identical.
   */
  static Map<String, Function<Rnd, PathGen>> pathGenerators() {
    Map<String, Function<Rnd, PathGen>> g = new LinkedHashMap<>();
    g.put(
        "rails-master-key",
        r -> {
          String k = r.hex(32);
          String path =
              switch (r.between(0, 3)) {
                case 0 -> "config/master.key";
                case 1 -> r.lower(6) + "/config/master.key";
                case 2 ->
                    "config/credentials/"
                        + List.of("production", "staging").get(r.between(0, 1))
                        + ".key";
                default -> r.lower(5) + "\\config\\credentials\\development.key";
              };
          // rails new writes no newline; editors add one
          String text =
              switch (r.between(0, 2)) {
                case 0 -> k;
                case 1 -> k + "\n";
                default -> k + "\r\n";
              };
          return new PathGen(path, text, k);
        });
    g.put(
        "openvpn-auth-user-pass",
        r -> {
          String p = r.password();
          String user =
              switch (r.between(0, 2)) {
                case 0 -> r.lower(6);
                case 1 -> "p" + r.digits(7);
                default -> r.lower(5) + "@" + r.lower(6) + ".example";
              };
          String path =
              switch (r.between(0, 6)) {
                case 0 -> "auth.txt";
                case 1 -> "vpn/" + r.lower(6) + ".auth";
                case 2 -> "etc/openvpn/login.conf";
                case 3 -> "etc/openvpn/client/credentials.txt";
                case 4 -> r.lower(6) + "vpn/pass.txt";
                case 5 -> r.lower(6) + "-auth.txt";
                default -> "auth-user-pass.txt";
              };
          String eol = r.between(0, 3) == 0 ? "\r\n" : "\n";
          return new PathGen(path, user + eol + p + (r.between(0, 1) == 0 ? eol : ""), p);
        });
    g.put(
        "pgpass-password",
        r -> {
          String p = r.password().replace(":", "x");
          if (r.between(0, 3) == 0) {
            p = p.substring(0, 4) + "\\:" + p.substring(4); // an escaped colon, kept as written
          }
          String port = List.of("5434", "25060", "15432", "5999", "26257").get(r.between(0, 4));
          String line =
              switch (r.between(0, 2)) {
                case 0 ->
                    "db-"
                        + r.lower(5)
                        + ".internal:"
                        + port
                        + ":orders:app_"
                        + r.lower(3)
                        + ":"
                        + p;
                case 1 ->
                    "10.0."
                        + r.between(0, 9)
                        + "."
                        + r.between(2, 250)
                        + ":"
                        + port
                        + ":"
                        + r.lower(6)
                        + ":report:"
                        + p;
                default ->
                    r.lower(8) + ".db.ondigitalocean.com:" + port + ":defaultdb:doadmin:" + p;
              };
          String path =
              switch (r.between(0, 2)) {
                case 0 -> ".pgpass";
                case 1 -> "home/" + r.lower(5) + "/.pgpass";
                default -> "Users\\" + r.lower(5) + "\\AppData\\Roaming\\postgresql\\pgpass.conf";
              };
          return new PathGen(path, "# hostname:port:database:username:password\n" + line + "\n", p);
        });
    g.put(
        "pgbouncer-userlist-password",
        r -> {
          String p = r.password().replace("\"", "x");
          if (r.between(0, 3) == 0) {
            p = p.substring(0, 5) + "\"\"" + p.substring(5); // "" is a quote, kept as written
          }
          String path = r.between(0, 1) == 0 ? "userlist.txt" : "etc/pgbouncer/userlist.txt";
          String text =
              "\"stats\" \"\"\n\""
                  + r.lower(6)
                  + "\" \""
                  + p
                  + "\""
                  + (r.between(0, 2) == 0 ? " \"comment\"" : "")
                  + "\n";
          return new PathGen(path, text, p);
        });
    g.put(
        "ansible-vault-password-file",
        r -> {
          String p = r.between(0, 1) == 0 ? r.password() : r.alnum(32);
          String path =
              switch (r.between(0, 4)) {
                case 0 -> ".vault_pass";
                case 1 -> ".vault_pass.txt";
                case 2 -> "ansible/vault-password.txt";
                case 3 -> "deploy/.vault-password";
                default -> ".ansible_vault_pass";
              };
          return new PathGen(path, p + "\n", p);
        });
    return g;
  }

  private static void tok(
      Map<String, Function<Rnd, Gen>> g, String id, String key, Function<Rnd, String> f) {
    g.put(
        id,
        r -> {
          String v = f.apply(r);
          return new Gen(v, v, key);
        });
  }

  private static void uri(
      Map<String, Function<Rnd, Gen>> g, String id, Function<Rnd, String> template) {
    g.put(
        id,
        r -> {
          String p = r.password().replace("@", "9").replace("#", "x").replace("%", "z");
          return new Gen(template.apply(r).replace("%s", p), p, "DATABASE_URL");
        });
  }

  /** File types and how a key/value pair is written in each. */
  private static final List<String[]> CONTEXTS =
      List.of(
          new String[] {".env", "%K%=%V%\n"},
          new String[] {".py", "import os\n\n%k% = \"%V%\"\nclient = make_client(%k%)\n"},
          new String[] {".js", "const config = {\n  %k%: '%V%',\n  retries: 3,\n};\n"},
          new String[] {".json", "{\n  \"name\": \"svc\",\n  \"%K%\": \"%V%\"\n}\n"},
          new String[] {".yaml", "env:\n  - name: %K%\n    value: \"%V%\"\nservice:\n  %k%: %V%\n"},
          new String[] {".sh", "#!/bin/sh\nexport %K%=\"%V%\"\nexec ./run\n"},
          new String[] {".go", "package main\n\nconst %k% = \"%V%\"\n"},
          new String[] {".tf", "resource \"x\" \"y\" {\n  %k% = \"%V%\"\n}\n"},
          new String[] {".properties", "app.name=svc\n%k%=%V%\n"},
          new String[] {".java", "class Cfg {\n  static final String %K% = \"%V%\";\n}\n"});

  /** Positive samples: for every rule, every context, {@code perContext} secrets. */
  static List<Sample> positives(long seed, int perContext) {
    Rnd r = new Rnd(seed);
    List<Sample> out = new ArrayList<>();
    for (var e : generators().entrySet()) {
      for (String[] ctx : CONTEXTS) {
        for (int i = 0; i < perContext; i++) {
          Gen gen = e.getValue().apply(r);
          String text;
          if (gen.key() == null) {
            // whole-file formats (keys, JSON key files) are placed as they are, in a file of the
            // context's type
            text =
                ctx[0].equals(".py")
                    ? "KEY = \"\"\"\n" + gen.embed() + "\n\"\"\"\n"
                    : gen.embed() + "\n";
          } else {
            text =
                ctx[1]
                    .replace("%K%", gen.key().toUpperCase(java.util.Locale.ROOT))
                    .replace("%k%", gen.key().toLowerCase(java.util.Locale.ROOT))
                    .replace("%V%", gen.embed());
          }
          out.add(
              new Sample(
                  e.getKey() + "-" + out.size() + ctx[0],
                  text,
                  List.of(new Label(e.getKey(), gen.secret()))));
        }
      }
    }
    // credential files known by their path: own random stream, after every other sample
    Rnd pr = new Rnd(seed ^ 0x110L);
    for (var e : pathGenerators().entrySet()) {
      for (int i = 0; i < perContext * CONTEXTS.size(); i++) {
        PathGen gen = e.getValue().apply(pr);
        out.add(
            new Sample(
                e.getKey() + "-" + out.size() + "/" + gen.path(),
                gen.text(),
                List.of(new Label(e.getKey(), gen.secret()))));
      }
    }
    return out;
  }

  /**
   * Hard negatives: secret-shaped text that is not a secret (lock files, checksums, UUIDs, commit
   * ids, minified code, base64 images, example placeholders). {@code CorpusTest} requires zero
   * findings in all of them.
   */
  static List<Sample> negatives(long seed, int copies) {
    Rnd r = new Rnd(seed);
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < copies; i++) {
      add(
          out,
          "ids.py",
          "request_id = \""
              + r.uuid()
              + "\"\ntrace_id = '"
              + r.hex(32)
              + "'\nuser_uuid: "
              + r.uuid()
              + "\n");
      add(
          out,
          "git.txt",
          "commit "
              + r.hex(40)
              + "\nMerge: "
              + r.hex(7)
              + " "
              + r.hex(7)
              + "\nrevision = \""
              + r.hex(40)
              + "\"\n");
      add(
          out,
          "hashes.txt",
          "sha256:"
              + r.hex(64)
              + "\nmd5 = "
              + r.hex(32)
              + "\nsha1sum "
              + r.hex(40)
              + "  file.tar.gz\n"
              + "checksum: \""
              + r.hex(64)
              + "\"\n");
      add(out, "blob.b64", b64Of(r.bytes(3000)).replaceAll("(.{76})", "$1\n") + "\n");
      add(
          out,
          "app.min.js",
          "!function(e,t){\"use strict\";var "
              + r.lower(1)
              + "=function(){return "
              + r.alnum(40)
              + "};e.exports={version:\""
              + r.between(1, 9)
              + "."
              + r.between(0, 20)
              + ".0\",key:function(e){return e.toString(36)},"
              + "tokenize:function(t){return t.split(/\\s+/)},hash:\""
              + r.b64(44)
              + "\"}}(this);\n");
      add(
          out,
          "package-lock.json",
          "{\n  \"packages\": {\n    \"node_modules/"
              + r.lower(6)
              + "\": {\n      \"version\": \"1.2."
              + r.between(0, 9)
              + "\",\n      \"resolved\": \"https://registry.npmjs.org/x/-/x-1.2.3.tgz\",\n      \"integrity\": \"sha512-"
              + r.b64(86)
              + "==\"\n    }\n  }\n}\n");
      add(
          out,
          "yarn.lock",
          "\""
              + r.lower(5)
              + "@^2.0.0\":\n  version \"2.0."
              + r.between(0, 9)
              + "\"\n  resolved \"https://registry.yarnpkg.com/x/-/x-2.0.1.tgz#"
              + r.hex(40)
              + "\"\n  integrity sha1-"
              + r.b64(27)
              + "=\n");
      add(out, "go.sum", "github.com/" + r.lower(6) + "/lib v1.4.0 h1:" + r.b64(43) + "=\n");
      add(
          out,
          "Cargo.lock",
          "[[package]]\nname = \""
              + r.lower(6)
              + "\"\nversion = \"0.3.1\"\nchecksum = \""
              + r.hex(64)
              + "\"\n");
      add(
          out,
          "docs.md",
          "Use `AKIAIOSFODNN7EXAMPLE` and `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` as in the AWS docs.\n"
              + "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nstripe: sk_test_4eC39HqLyjWDarjtT1zdp7dc\n");
      add(
          out,
          "placeholders.env",
          "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nAPI_KEY=<your-api-key>\nSECRET=${SECRET}\n"
              + "password=changeme\nDB_PASSWORD=\nSTRIPE_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\nTOKEN=your_token_here\n"
              + "OPENAI_API_KEY=sk-...\nSLACK_BOT_TOKEN=xoxb-your-token\npassword: \"********\"\n");
      add(
          out,
          "refs.py",
          "password = os.environ[\"DB_PASSWORD\"]\ntoken = get_token()\napi_key = settings.API_KEY\n"
              + "secret = config.secret\npwd = os.getcwd()\nself.password = password\nclient_secret = None\n");
      add(
          out,
          "refs.yaml",
          "password: {{ .Values.db.password }}\ntoken: ${{ secrets.DEPLOY_TOKEN }}\napi_key: !vault |\n"
              + "secret: $SECRET_VALUE\naccess_key: ((aws_access_key))\n");
      add(
          out,
          "forms.js",
          "const passwordField = document.getElementById('password');\nconst tokenType = 'Bearer';\n"
              + "if (password.length < 8) { error('password too short'); }\nconst secretName = 'prod/db/credentials';\n");
      // a GitHub-shaped token whose checksum is wrong is not a GitHub token
      String bad = githubStyle(r, "ghp_");
      add(
          out,
          "wrongsum.txt",
          "value: ghp_"
              + bad.substring(4, 34)
              + (bad.endsWith("A") ? "B" : "A")
              + bad.substring(35)
              + "\n");
      add(
          out,
          "pub.pem",
          "-----BEGIN PUBLIC KEY-----\n"
              + pemBody(r, 294, "\n")
              + "-----END PUBLIC KEY-----\n"
              + "-----BEGIN CERTIFICATE-----\n"
              + pemBody(r, 800, "\n")
              + "-----END CERTIFICATE-----\n");
      add(
          out,
          "authorized_keys",
          "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ"
              + r.b64(300)
              + " user@host\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"
              + r.b64(43)
              + " ci@runner\n");
      add(
          out,
          "example-key.txt",
          "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n"
              + "-----BEGIN PRIVATE KEY-----\n<your private key here>\n-----END PRIVATE KEY-----\n");
      add(
          out,
          "urls.txt",
          "https://github.com/org/repo.git\nhttps://user@example.com/path\npostgres://localhost:5432/db\n"
              + "postgresql://postgres:postgres@localhost:5432/test\nredis://localhost:6379\nmongodb://user:password@localhost/db\n"
              + "amqp://guest:guest@localhost:5672/\nmysql://root:${MYSQL_ROOT_PASSWORD}@db/app\n");
      add(
          out,
          "url-placeholders.txt",
          "https://user:password@example.com/\nhttps://deploy:${DEPLOY_PASSWORD}@git.corp/x.git\n"
              + "ftp://admin:<password>@ftp.corp/\nsmb://svc:xxxx@files/share\nhttps://ci:changeme@nexus.corp/\n"
              + "url = 'postgres://%(user)s:%(password)s@%(host)s/db'\nDATABASE_URL=mysql://app:{{ .Values.password }}@db/app\n"
              + "https://token:@github.com/org/repo\nhttps://"
              + r.lower(6)
              + "@bitbucket.org/team/repo.git\n"
              + "redis://:{{.Values.redisPassword}}@redis:6379\nhttps://user:%PASSWORD%@host/\namqp://guest:guest@localhost:5672\n"
              + "https://api.github.com/repos/org/repo/git/refs/heads/main\nhttp://[::1]:8080/health\n");
      add(
          out,
          "tool-files.txt",
          "machine example.com login user password <password>\nmachine ci.corp login bot password changeme\n"
              + "machine api.corp login bot password $NETRC_PASSWORD\nThe machine learning model stores no password here.\n"
              + "*:*:*:postgres:${PGPASSWORD}\nlocalhost:5432:*:postgres:postgres\n"
              + "root:x:0:0:root:/root:/bin/bash\ndaemon:*:19"
              + r.digits(3)
              + ":0:99999:7:::\nnobody:!:19000::::::\n"
              + "user:$apr1$xxxxxxxx$xxxxxxxxxxxxxxxxxxxxxx\ntime 12:30:45:00 ok\nsha: $6$ is SHA-512 crypt\n");
      add(
          out,
          "frameworks.txt",
          "define( 'AUTH_KEY', 'put your unique phrase here' );\ndefine('DB_PASSWORD', '');\n"
              + "define('DB_PASSWORD', getenv('DB_PASSWORD'));\ndefine('DB_PASSWORD', 'password');\ndefine('DB_PASSWORD_FIELD', 'pwd');\n"
              + "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\nSECRET_KEY = 'changeme-changeme-changeme'\nSECRET_KEY = env('SECRET_KEY')\n"
              + "APP_KEY=\nAPP_KEY=base64:\nsecret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>\n"
              + "spring.datasource.password=${DB_PASSWORD}\nspring.datasource.password=ENC("
              + r.b64(24)
              + ")\nspring.datasource.password=\n"
              + "export DB_PASSWORD_FILE=/run/secrets/db\nexport API_TOKEN=$(cat /run/secrets/token)\nexport GITHUB_TOKEN=${GITHUB_TOKEN}\n"
              + "export SECRET=\"$SECRET\"\nexport TOKEN_URL=https://auth.corp.internal/token\nexport const SECRET_HEADER = 'X-Secret';\n");
      add(
          out,
          "schema.sql",
          "CREATE ROLE readonly NOLOGIN;\nCREATE ROLE app WITH LOGIN PASSWORD NULL;\nALTER ROLE app PASSWORD NULL;\n"
              + "CREATE USER 'app'@'%' IDENTIFIED BY '${MYSQL_PASSWORD}';\nCREATE USER app WITH PASSWORD :'app_password';\n"
              + "ALTER USER app WITH PASSWORD '<password>';\nCREATE USER 'x'@'%' IDENTIFIED BY 'changeme';\nCREATE USER u PASSWORD 'md5';\n"
              + "ALTER SYSTEM SET password_encryption = 'scram-sha-256';\nCREATE USER 'svc'@'%' IDENTIFIED BY '%s';\n"
              + "GRANT SELECT ON shop.* TO 'report'@'%';\nSET password_encryption = 'md5';\n"
              + "-- the password is stored hashed; see docs\n");
      add(
          out,
          "pg_hba.conf",
          "# TYPE DATABASE USER ADDRESS METHOD\nhost all all 127.0.0.1/32 md5\nhost all all ::1/128 scram-sha-256\n"
              + "local all postgres peer\n");
      add(
          out,
          "seed.sql",
          "INSERT INTO users (id, email, password) VALUES (1, 'a@corp.example', NULL);\n"
              + "INSERT INTO users (id, email, password) VALUES (2, 'b@corp.example', '');\n"
              + "INSERT INTO users (id, email, password) VALUES (?, ?, ?);\nINSERT INTO users (id, email, password) VALUES ($1, $2, $3);\n"
              + "INSERT INTO users (id, email, password) VALUES (3, 'c@corp.example', crypt('x', gen_salt('bf')));\n"
              + "INSERT INTO users (id, name, password_reset_token) VALUES (4, 'd', '"
              + r.hex(32)
              + "');\n"
              + "INSERT INTO users (id, email, password) VALUES (5, 'e@corp.example', '<hashed>');\n"
              + "INSERT INTO products (id, name, sku) VALUES (1, 'Widget', '"
              + r.upperAlnum(10)
              + "');\n"
              + "cursor.execute(\"INSERT INTO users (email, password) VALUES (%s, %s)\", (email, pw))\n"
              + "'password' => '$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi',\n"
              + "INSERT INTO users (id, email, password) VALUES (6, 'f@corp.example', '$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi');\n");
      // public keys and certificates are not secrets, in any of the shapes they are committed in
      String pubBody = pemBody(r, 270, "\n");
      add(
          out,
          "public-keys.pem",
          "-----BEGIN RSA PUBLIC KEY-----\n"
              + pubBody
              + "-----END RSA PUBLIC KEY-----\n"
              + "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n"
              + pemBody(r, 600, "\n")
              + "="
              + r.b64(4)
              + "\n-----END PGP PUBLIC KEY BLOCK-----\n"
              + "-----BEGIN CERTIFICATE REQUEST-----\n"
              + pemBody(r, 400, "\n")
              + "-----END CERTIFICATE REQUEST-----\n"
              + "-----BEGIN X509 CRL-----\n"
              + pemBody(r, 200, "\n")
              + "-----END X509 CRL-----\n"
              + "-----BEGIN DH PARAMETERS-----\n"
              + pemBody(r, 260, "\n")
              + "-----END DH PARAMETERS-----\n"
              + "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n");
      add(
          out,
          "public-keys.json",
          "{\"certificate\": \"-----BEGIN CERTIFICATE-----\\n"
              + pemBody(r, 600, "\\n")
              + "-----END CERTIFICATE-----\\n\", \"public_key\": \"-----BEGIN PUBLIC KEY-----\\n"
              + pemBody(r, 294, "\\n")
              + "-----END PUBLIC KEY-----\\n\", \"ssh_public_key\": \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"
              + r.b64(43)
              + " deploy@ci\",\n"
              + " \"keys\": [{\"kty\": \"RSA\", \"kid\": \""
              + r.alnum(16)
              + "\", \"n\": \""
              + r.b64url(342)
              + "\", \"e\": \"AQAB\", \"x5c\": [\""
              + b64Of(r.bytes(700))
              + "\"]}]}\n");
      add(
          out,
          "public-keys.tf",
          "resource \"aws_key_pair\" \"deploy\" {\n  public_key = \"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ"
              + r.b64(300)
              + " deploy@laptop\"\n}\nssh_authorized_keys:\n  - ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAI"
              + r.b64(130)
              + " ops@bastion\n"
              + "PUBLIC_KEY=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"
              + r.b64(300)
              + "\npublicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"
              + r.b64(86)
              + "'\n"
              + "client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"
              + r.b64(800)
              + "\n");
      add(
          out,
          "known_hosts",
          "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"
              + r.b64(43)
              + "\n|1|"
              + r.b64(27)
              + "=|"
              + r.b64(27)
              + "= ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAI"
              + r.b64(130)
              + "\n");
      add(
          out,
          "sitemanager.xml",
          "<FileZilla3>\n  <Servers>\n    <Server>\n      <Host>ftp.corp.example</Host>\n      <User>web</User>\n"
              + "      <Pass encoding=\"crypt\" pubkey=\""
              + r.b64(80)
              + "\">"
              + r.b64(64)
              + "</Pass>\n      <Pass></Pass>\n"
              + "      <Pass encoding=\"base64\" />\n      <Pass encoding=\"base64\">Y2hhbmdlbWU=</Pass>\n      <Pass>&lt;password&gt;</Pass>\n"
              + "      <Logontype>2</Logontype>\n    </Server>\n  </Servers>\n</FileZilla3>\n");
      add(
          out,
          "WinSCP.ini",
          "[Sessions\\web@ftp.corp.example]\nHostName=ftp.corp.example\nUserName=web\nPasswordPlain=\n"
              + "Password=\n[Configuration\\Interface]\nMasterPassword=1\n");
      add(
          out,
          "sftp.json",
          "{\n  \"name\": \"staging\",\n  \"host\": \"staging.corp\",\n  \"protocol\": \"sftp\",\n  \"username\": \"deploy\",\n"
              + "  \"privateKeyPath\": \"~/.ssh/id_ed25519\",\n  \"password\": \"${env:SFTP_PASSWORD}\",\n  \"passphrase\": true\n}\n"
              + "{\"protocol\": \"ftp\", \"password\": \"<your password>\"}\n{\"type\": \"sftp\", \"password\": \"\"}\n");
      add(
          out,
          "settings.xml",
          "<servers><server><id>central</id><username>${env.MAVEN_USER}</username>\n"
              + "<password>{"
              + r.b64(44)
              + "}</password></server>\n<server><password>${env.MAVEN_PASSWORD}</password></server>\n"
              + "<server><password>changeme</password></server></servers>\n<property name=\"password\" value=\"${db.password}\"/>\n"
              + "<property name=\"hibernate.connection.password\" value=\"\"/>\n<input type=\"password\" value=\"\"/>\n");
      add(
          out,
          "dataSources.local.xml",
          "<project version=\"4\">\n  <component name=\"dataSourceStorageLocal\">\n    <data-source name=\"prod\" uuid=\""
              + r.uuid()
              + "\">\n      <database-info product=\"PostgreSQL\" version=\"16.2\"/>\n      <secret-storage>master_key</secret-storage>\n"
              + "      <user-name>app</user-name>\n      <schema-mapping/>\n    </data-source>\n  </component>\n</project>\n");
      add(
          out,
          "data-sources.json",
          "{\"connections\": {\"postgres-jdbc-"
              + r.hex(11)
              + "\": {\"provider\": \"postgresql\", "
              + "\"configuration\": {\"host\": \"localhost\", \"database\": \"app\", \"auth-model\": \"native\"}}}}\n");
      add(
          out,
          "muttrc",
          "set imap_pass=`pass show mail/imap`\nset smtp_pass = \"$SMTP_PASSWORD\"\nset smtp_pass=\"\"\n"
              + "source \"gpg -dq ~/.mutt/passwords.gpg |\"\n# set imap_pass = <password>\n");
      add(
          out,
          "webServers.xml",
          "<webServer id=\""
              + r.uuid()
              + "\" name=\"dev\" url=\"http://localhost\">\n  <fileTransfer host=\"localhost\" port=\"22\" accessType=\"SFTP\" login=\"dev\" />\n"
              + "  <fileTransfer host=\"h\" accessType=\"SFTP\" keyPair=\"true\" password=\"\" />\n</webServer>\n"
              + "<user-password>"
              + jetBrainsScramble("changeme")
              + "</user-password>\n<user-password></user-password>\n");
      add(
          out,
          "redis.conf",
          "# requirepass foobared\nrequirepass \"\"\nrequirepass ${REDIS_PASSWORD}\n# masterauth <master-password>\n"
              + "masterauth changeme\nrename-command CONFIG \"\"\n");
      add(
          out,
          "deployment.yaml",
          "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n"
              + "  - name: DB_PASSWORD_FILE\n    value: /run/secrets/db-password\n  - name: TOKEN_URL\n    value: https://auth.corp/token\n"
              + "  - name: API_KEY\n    value: \"$(API_KEY)\"\n  - name: JWT_SECRET\n    value: \"{{ .Values.jwtSecret }}\"\n"
              + "  - name: SMTP_PASSWORD\n    value: \"\"\n");
      add(
          out,
          "task-definition.json",
          "{\"environment\": [{\"name\": \"DB_PASSWORD\", \"value\": \"${DB_PASSWORD}\"}, {\"name\": \"SECRET_ARN\", \"value\": \"arn:aws:secretsmanager:eu-west-1:"
              + r.digits(12)
              + ":secret:db\"}],\n \"secrets\": [{\"name\": \"API_TOKEN\", \"valueFrom\": \"arn:aws:ssm:eu-west-1:1:parameter/t\"}]}\n");
      add(
          out,
          "connect.php",
          "<?php\n$conn = mysqli_connect($host, $user, $pass, $db);\n$pdo = new PDO($dsn, DB_USER, DB_PASS, $options);\n"
              + "$m = new mysqli('localhost', 'root', '', 'test');\n$x = mysqli_connect(DB_HOST, DB_USER, getenv('DB_PASS'));\n"
              + "$y = new PDO('sqlite:/tmp/app.db');\n");
      add(
          out,
          "db.sh",
          "mysql -u root -p shop < dump.sql\nmysql -u root -p\"$MYSQL_PWD\" shop\nmysqldump -P 3306 -h db shop > x.sql\n"
              + "mysql --password=\"${DB_PASS}\" -e 'select 1'\nsshpass -p \"$SSHPASS\" ssh host\nsshpass -e ssh host\n"
              + "mysql -u app -p%DB_PASS% app\npip install mysql-connector-python -p 3\n");
      add(
          out,
          "hibernate.cfg.xml",
          "<property name=\"hibernate.connection.password\">${db.password}</property>\n"
              + "<property name=\"hibernate.connection.password\"></property>\n<add key=\"PasswordLength\" value=\"12\"/>\n"
              + "<add key=\"SmtpPassword\" value=\"\"/>\n<key>Password</key>\n<string></string>\n"
              + "<key>password</key><string>$(PASSWORD)</string>\n");
      add(
          out,
          "values.env",
          "VAULT_PATH=secret/data/app\nTOKEN_NAME=github_token_2\nAWS_SECRET=arn:aws:secretsmanager:us-east-1:"
              + r.digits(12)
              + ":secret:db-AbCd\nADMIN_PASSWORD=Password123!\n$db_pass = getenv('DB_PASS');\nDB_PASS=\n");
      add(
          out,
          "ldap.conf",
          "base dc=corp,dc=example\n#bindpw secret\nbindpw ${LDAP_BIND_PW}\nrootpw {SSHA}\nldap_default_authtok_type = password\n"
              + "The bindpw option sets the bind password.\n");
      add(
          out,
          "build.gradle",
          "credentials {\n  username project.findProperty('repoUser')\n  password project.findProperty('repoPassword')\n"
              + "  password \"$repoPassword\"\n  password System.getenv('REPO_PASSWORD')\n  password ''\n}\n"
              + "// set the password 'somewhere' safe\n");
      add(
          out,
          "ci.sh",
          "echo \"$CI_REGISTRY_PASSWORD\" | docker login -u \"$CI_REGISTRY_USER\" --password-stdin $CI_REGISTRY\n"
              + "docker login -u ci -p $DOCKER_PASS registry.corp\nsqlplus /nolog @setup.sql\nsqlplus -s / as sysdba\n"
              + "sqlplus app/${ORACLE_PW}@ORCL\n");
      add(
          out,
          "oracle.sql",
          "CREATE USER ops IDENTIFIED EXTERNALLY;\nALTER USER app IDENTIFIED BY VALUES 'S:"
              + r.upperHex(60)
              + "';\nCREATE USER hr IDENTIFIED BY &hr_password DEFAULT TABLESPACE users;\n");
      add(
          out,
          "pass-words.py",
          "def f():\n    pass\nbypass = true\ncompass: 270\nconfig = {\"pass\": null, \"passes\": 3}\npass_through: enabled\n"
              + "<input name=\"pass\" value=\"\"/>\n");
      add(
          out,
          "msmtprc",
          "defaults\nauth on\ntls on\naccount gmail\nhost smtp.gmail.com\nuser me@gmail.com\n"
              + "passwordeval \"gpg --quiet --decrypt ~/.msmtp-gmail.gpg\"\n");
      add(
          out,
          "fetchmailrc",
          "poll imap.corp.example protocol IMAP user \"me\" there with password \"changeme\"\n"
              + "poll pop.corp.example protocol POP3 user \"me\" is me here\n");
      add(
          out,
          "SHA256SUMS",
          r.hex(64)
              + "  warden-"
              + r.between(1, 9)
              + ".tar.gz\n"
              + r.hex(64)
              + " *warden.zip\n"
              + "SHA512 (warden.tgz) = "
              + r.hex(128)
              + "\n");
      add(
          out,
          "composer.lock",
          "{\n    \"content-hash\": \""
              + r.hex(32)
              + "\",\n    \"packages\": [{\"name\": \"monolog/monolog\","
              + " \"source\": {\"reference\": \""
              + r.hex(40)
              + "\"}, \"dist\": {\"shasum\": \""
              + r.hex(40)
              + "\"}}]\n}\n");
      add(
          out,
          "poetry.lock",
          "[[package]]\nname = \""
              + r.lower(6)
              + "\"\nfiles = [\n    {file = \"x-1.0.tar.gz\", hash = \"sha256:"
              + r.hex(64)
              + "\"},\n]\n\n[metadata]\ncontent-hash = \""
              + r.hex(64)
              + "\"\n");
      add(
          out,
          "Gemfile.lock",
          "GIT\n  remote: https://github.com/rails/rails.git\n  revision: "
              + r.hex(40)
              + "\n  specs:\n    rails (7.1.3)\n");
      add(
          out,
          "pnpm-lock.yaml",
          "packages:\n  /"
              + r.lower(6)
              + "@1.0.0:\n    resolution: {integrity: sha512-"
              + r.b64(86)
              + "==}\n");
      add(
          out,
          "image.css",
          ".logo{background:url(data:image/png;base64," + b64Of(r.bytes(600)) + ")}\n");
      add(
          out,
          "uuids.csv",
          "id,tenant,created\n"
              + r.uuid()
              + ","
              + r.uuid()
              + ",2024-01-0"
              + r.between(1, 9)
              + "\n");
      add(
          out,
          "git-log.txt",
          "commit "
              + r.hex(40)
              + "\nAuthor: Dev <dev@corp.example>\n\n    Fix token refresh ("
              + r.hex(12)
              + ")\n");
      add(
          out,
          "example.env",
          "# copy to .env and fill in\nDB_PASSWORD=<db-password>\nSECRET_KEY=changeme\nAPP_KEY=\n"
              + "DATABASE_URL=postgres://user:password@localhost:5432/app\nexport API_TOKEN=xxxxxxxxxxxxxxxx\n");
      add(
          out,
          "code.java",
          "String token = request.getHeader(\"X-Token\");\nprivate static final String SECRET_KEY_ALGORITHM = \"HmacSHA256\";\n"
              + "apiKey = properties.getProperty(\"api.key\");\nString password = new String(passwordChars);\n");
      add(
          out,
          "versions.gradle",
          "ext { kotlinVersion = '1.9.22'; tokenizerVersion = '4.1.0'; secretsPluginVersion = '2.0.1' }\n"
              + "implementation 'com.example:token-service:3.2.1'\n");
      add(out, "anon.js", "const supabaseAnonKey = '" + anonJwt(r) + "';\n");
      add(
          out,
          "camel.txt",
          "VeryLongIdentifierNameWithoutDigits AnotherLongCamelCaseIdentifierName_forTesting\n"
              + "SKIPPED_TESTS_COUNT key-value-store-configuration EAA\n");
      // more public material in the shapes it is committed in: none of it is a secret
      add(
          out,
          "public-material.tf",
          "resource \"tls_cert_request\" \"x\" {\n  public_key_pem = <<EOT\n-----BEGIN PUBLIC KEY-----\n"
              + pemBody(r, 294, "\n")
              + "-----END PUBLIC KEY-----\nEOT\n}\n");
      add(
          out,
          "tls-secret.yaml",
          "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |\n    -----BEGIN CERTIFICATE-----\n"
              + pemBody(r, 600, "\n").replaceAll("(?m)^", "    ")
              + "    -----END CERTIFICATE-----\n");
      add(
          out,
          "ssh-ca.txt",
          "@cert-authority *.corp.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"
              + r.b64(43)
              + "\n"
              + "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t"
              + r.b64(400)
              + " user@host\n"
              + "recipient: age1"
              + r.of("qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58)
              + "\n");
      add(
          out,
          "wg0.conf",
          "[Peer]\nPublicKey = "
              + b64Of(r.bytes(32))
              + "\nAllowedIPs = 10.8.0.2/32\nEndpoint = vpn.corp.example:51820\n");
      add(
          out,
          "dkim.txt",
          "default._domainkey IN TXT \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ"
              + r.b64(178)
              + "\"\n");
      // the providers of the gitleaks comparison, written as templates and documentation write them
      add(
          out,
          "provider-placeholders.env",
          "ADAFRUIT_IO_KEY=aio_xxxxxxxxxxxxxxxxxxxxxxxxxxxx\nDROPBOX_ACCESS_TOKEN=<token>\n"
              + "SNYK_TOKEN=${SNYK_TOKEN}\nTWITTER_API_KEY=your_twitter_api_key\nKRAKEN_PRIVATE_KEY=\nPLAID_SECRET=changeme\n"
              + "CONFLUENT_API_SECRET=${CONFLUENT_SECRET}\nOCTOPUS_API_KEY=API-XXXXXXXXXXXXXXXXXXXXXXXXXX\nVAULT_TOKEN=s.xxxxxxxxxxxxxxxxxxxxxxxx\n"
              + "curl -H \"Authorization: Bearer $GITHUB_TOKEN\" https://api.github.com/user\ncurl -u \"$USER:$PASS\" https://x.corp.example\n"
              + "curl -H \"Authorization: token <your-token>\" https://api.github.com\n"
              + "<add key=\"ClearTextPassword\" value=\"%NUGET_PASSWORD%\" />\n");
      add(
          out,
          "helm-secret.yaml",
          "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\ntype: kubernetes.io/tls\ndata:\n"
              + "  tls.crt: {{ .Values.tls.crt | b64enc }}\n  tls.key: {{ .Values.tls.key | b64enc }}\n  password: {{ .Values.password | b64enc | quote }}\n"
              + "  namespace: ZGVmYXVsdA==\n");
      // VoIP, game server, saved-login and COPY shapes that hold no password
      add(
          out,
          "sip.conf",
          "[6001]\ntype=friend\nsecret=${SIP_SECRET}\n[6002]\nsecret=\n; secret=changeme\n[6003]\nsecret=<password>\n"
              + "remotesecret = xxxxxxxx\n[trunk]\ntype=auth\nauth_type=userpass\npassword=\nusername=trunk\n");
      add(
          out,
          "server.cfg",
          "rcon_password \"\"\nsv_password \"\"\n// set rcon_password in server_secrets.cfg\nexec server_secrets.cfg\n"
              + "The rcon_password should be long.\n");
      add(
          out,
          "ts3.md",
          "Run `login serveradmin <password>` with the password printed at the first start.\n"
              + "./ts3server serveradmin_password=${TS3_PASSWORD}\n");
      add(out, "logins-template.csv", "name,url,username,password,note\n");
      add(
          out,
          "users.csv",
          "id,email,password_hash,created\n1,a@corp.example,$2b$12$"
              + r.of(CRYPT, 53)
              + ",2024-01-01\n");
      add(
          out,
          "reset-tokens.csv",
          "url,username,password\nhttps://corp.example/reset,alice,********\n");
      add(
          out,
          "bitwarden-encrypted.json",
          "{\"encrypted\": true, \"items\": [{\"type\": 1, \"login\": {\"username\": \"2."
              + r.b64(24)
              + "|"
              + r.b64(44)
              + "|"
              + r.b64(44)
              + "\", \"password\": \"2."
              + r.b64(24)
              + "|"
              + r.b64(44)
              + "|"
              + r.b64(44)
              + "\"}}]}\n"
              + "{\"login\": \"octocat\", \"id\": 1, \"password\": null}\n");
      add(
          out,
          "copy.sql",
          "COPY public.users (id, email, password) FROM stdin;\n1\ta@corp.example\t\\N\n2\tb@corp.example\t\n\\.\n"
              + "COPY public.products (id, name, sku) FROM stdin;\n1\tWidget\t"
              + r.upperAlnum(10)
              + "\n\\.\n");
      add(
          out,
          "config-refs.yaml",
          "client_secret: \"${GITHUB_CLIENT_SECRET}\"\npass: !vault |\ntoken: \"{{ .Values.token }}\"\n"
              + "secret_key: \"%(secret)s\"\npassword: *default_password\nsecret: &s ENC("
              + r.b64(24)
              + ")\n"
              + "api_token = os.getenv(\"API_TOKEN\", \"\")\ntoken: req.headers['x-token'],\npass: (a, b) => a + b\n");
      // High-entropy shapes that are not secrets: each must give the high-entropy rule nothing.
      add(
          out,
          "sri.html",
          "<script src=\"https://cdn.example.net/lib.min.js\" integrity=\"sha384-"
              + r.b64(64)
              + "\" crossorigin=\"anonymous\"></script>\n<link rel=\"stylesheet\" href=\"/a.css\" integrity=\"sha512-"
              + r.b64(86)
              + "==\">\n"
              + "<script type=\"importmap\">{\"integrity\": {\"/app.js\": \"sha256-"
              + b64Of(r.bytes(32))
              + "\"}}</script>\n");
      add(
          out,
          "yarn-berry.lock",
          "\""
              + r.lower(6)
              + "@npm:^1.2.0\":\n  version: 1.2."
              + r.between(0, 9)
              + "\n  resolution: \"x@npm:1.2.3\"\n"
              + "  checksum: 10c0/"
              + r.hex(128)
              + "\n  languageName: node\n  linkType: hard\n");
      add(
          out,
          "go.sum",
          "golang.org/x/"
              + r.lower(5)
              + " v0.21.0 h1:"
              + b64Of(r.bytes(32))
              + "\ngolang.org/x/"
              + r.lower(5)
              + " v0.21.0/go.mod h1:"
              + b64Of(r.bytes(32))
              + "\n");
      add(
          out,
          "Cargo.lock",
          "[[package]]\nname = \""
              + r.lower(6)
              + "\"\nversion = \"0.4.2\"\nsource = \"git+https://github.com/o/r?rev=main#"
              + r.hex(40)
              + "\"\nchecksum = \""
              + r.hex(64)
              + "\"\ndependencies = [\n \"serde\",\n]\n");
      add(
          out,
          "package-lock.json",
          "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/"
              + r.lower(7)
              + "\": {\"version\": \"4.1.0\", "
              + "\"resolved\": \"https://registry.npmjs.org/x/-/x-4.1.0.tgz\", \"integrity\": \"sha512-"
              + r.b64(86)
              + "==\", "
              + "\"license\": \"MIT\"}}}\n");
      add(
          out,
          "checksums.txt",
          "sha256:"
              + r.hex(64)
              + "  warden_linux_amd64.tar.gz\nMD5 (warden.dmg) = "
              + r.hex(32)
              + "\n"
              + "warden.zip.sha256: "
              + r.hex(64)
              + "\nb2sum: "
              + r.hex(128)
              + "\n");
      add(
          out,
          "ids.yaml",
          "request_id: "
              + r.uuid()
              + "\ntenant: "
              + r.uuid()
              + "\n\"correlationId\": \""
              + r.uuid()
              + "\"\n"
              + "deviceGuid = \""
              + r.uuid().toUpperCase(java.util.Locale.ROOT)
              + "\"\nobjectId: "
              + r.hex(24)
              + "\nnanoid: "
              + r.b64url(21)
              + "\n");
      add(
          out,
          "commits.txt",
          "revision: "
              + r.hex(40)
              + "\n\"sha\": \""
              + r.hex(40)
              + "\"\nrev = \""
              + r.hex(40)
              + "\";\n"
              + "\"head\": \""
              + r.hex(40)
              + "\"\n"
              + r.hex(40)
              + " refs/heads/main\n"
              + r.hex(7)
              + " Fix the build\n");
      add(out, "bundle.min.js", minifiedBundle(r));
      add(out, "app.js.map", sourceMap(r));
      add(
          out,
          "images.html",
          "<img alt=\"logo\" src=\"data:image/png;base64,"
              + b64Of(pngBytes(r, 300))
              + "\">\n"
              + "{\"icon\": \"data:image/svg+xml;base64,"
              + b64Of(
                  ("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 8 8\"><path d=\"M"
                          + r.between(0, 8)
                          + " 0h8v8z\"/></svg>")
                      .getBytes(StandardCharsets.UTF_8))
              + "\",\n \"preview\": \""
              + b64Of(pngBytes(r, 120))
              + "\"}\n"
              + ".bg{background-image:url(\"data:image/jpeg;base64,"
              + b64Of(jpegBytes(r, 90))
              + "\")}\n");
      add(
          out,
          "k8s-public.yaml",
          "apiVersion: v1\nkind: ConfigMap\ndata:\n  ca.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM"
              + r.b64(200)
              + "\n"
              + "webhooks:\n- clientConfig:\n    caBundle: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"
              + r.b64(180)
              + "\n"
              + "verify_key = \"MCowBQYDK2VwAyEA"
              + b64Of(r.bytes(32)).substring(0, 43)
              + "=\"\nsigning_pub: AAAAC3NzaC1lZDI1NTE5AAAAI"
              + r.b64(43)
              + "\n"
              + "jwks: {\"keys\": [{\"kty\": \"EC\", \"crv\": \"P-256\", \"x\": \""
              + r.b64url(43)
              + "\", \"y\": \""
              + r.b64url(43)
              + "\", \"kid\": \""
              + r.b64url(43)
              + "\"}]}\n");
      add(
          out,
          "text-as-base64.json",
          "{\"NextToken\": \""
              + b64Of(
                  ("{\"Marker\": null, \"boto_truncate_amount\": " + r.between(1, 9) + "}")
                      .getBytes(StandardCharsets.UTF_8))
              + "\", \"setting\": \""
              + b64Of("min-replicas-to-write".getBytes(StandardCharsets.UTF_8))
              + "\", \"quote\": \""
              + b64Of("These aren't the droids you're looking for".getBytes(StandardCharsets.UTF_8))
              + "\"}\n");
      add(
          out,
          "identifiers.java",
          "ps(\"SecretKeyFactory\", \"PBEWithHmacSHA256AndAES_128\",\n    \"com.sun.crypto.provider.PBEKeyFactory$PBEWithHmacSHA256AndAES_128\");\n"
              + "masterAlg = \"SunTls12MasterSecret\";\nString alg = \"SHA512withDSAinP1363Format\";\n"
              + "    key: PKCS12PrivateKeyTypes | None,\n\"Sid\": \"KMSDataKeyForS3AndEC2Permissions\"\n"
              + "handler = \"userAccountHandlerV2\"\nthis.beanName = \"getUserAccountHandlerFactory2\";\n"
              + "\"DeferMaintenanceIdentifier\": \"dfm-"
              + r.alnum(20)
              + "\"\naws glacier list-parts --upload-id \""
              + r.b64url(92)
              + "\"\n"
              + "'signature': '"
              + r.b64url(43)
              + "',\n * SEED = "
              + r.hex(40)
              + "\nstatic final String P = \""
              + r.upperHex(64)
              + "\";\n");
      add(
          out,
          "i18n.json",
          "{\"password_label\": \"Password\", \"token_expired\": \"Your session token has expired\", "
              + "\"secret_question\": \"What is your pet's name?\"}\n");
    }
    for (int i = 0; i < copies; i++) {
      configFileNegatives(r, out);
    }
    for (int i = 0; i < copies; i++) {
      pathNegatives(r, out);
    }
    return out;
  }

  /**
   * The non-secret shapes of the files round 2 of decision 109 reads (appended after the others so
   * their samples stay the same): defaults, prompts, references and stand-ins.
   */
  private static void configFileNegatives(Rnd r, List<Sample> out) {
    String ssid = r.lower(6);
    add(
        out,
        "wpa_supplicant.conf",
        "ctrl_interface=/run/wpa_supplicant\nnetwork={\n\tssid=\""
            + ssid
            + "\"\n\tkey_mgmt=NONE\n}\nnetwork={\n\tssid=\"home\"\n\tpsk=\"your_wifi_password\"\n}\n"
            + "network={\n\tssid=\"lab\"\n\tpsk=${WIFI_PSK}\n}\n");
    add(
        out,
        "office.nmconnection",
        "[connection]\nid="
            + ssid
            + "\ntype=wifi\n\n[wifi-security]\nkey-mgmt=wpa-psk\npsk-flags=1\n\n[ipv4]\nmethod=auto\n");
    add(
        out,
        "snmpd.conf",
        "agentAddress udp:127.0.0.1:161\nrocommunity public default -V systemonly\n"
            + "rocommunity6 public default -V systemonly\n#rocommunity secret 10.0.0.0/16\n"
            + "rwcommunity private 127.0.0.1\ncom2sec notConfigUser default public\n"
            + "#createUser authPrivUser SHA-512 myauthphrase AES myprivphrase\n"
            + "createUser "
            + r.lower(5)
            + " SHA \"${SNMP_AUTH_PASS}\" AES \"${SNMP_PRIV_PASS}\"\n");
    add(
        out,
        "client.ovpn",
        "client\ndev tun\nremote vpn."
            + r.lower(6)
            + ".com 1194\nauth-user-pass\nauth-user-pass /etc/openvpn/credentials.txt\n"
            + "<auth-user-pass>\nusername\npassword\n</auth-user-pass>\n");
    add(
        out,
        "pgbouncer.ini",
        "[databases]\n"
            + r.lower(5)
            + " = host=127.0.0.1 port=5432\n\n[pgbouncer]\nauth_type = md5\n"
            + "auth_file = /etc/pgbouncer/userlist.txt\nauth_query = SELECT usename, passwd FROM pg_shadow WHERE usename=$1\n"
            + "\"stats\" \"\"\n");
    add(
        out,
        "map-drives.cmd",
        "@echo off\r\nnet use Z: \\\\fs1.corp.local\\"
            + r.lower(6)
            + " /persistent:yes\r\nnet use \\\\fs1.corp.local\\build /user:CORP\\svc *\r\n"
            + "net use \\\\fs1.corp.local\\ipc$ /user:%DOMAIN%\\%USERNAME% %SVC_PASSWORD%\r\n"
            + "net use Z: /delete /y\r\ndotnet user-secrets list\r\n");
    add(
        out,
        ".mbsyncrc",
        "IMAPAccount work\nHost imap."
            + r.lower(6)
            + ".com\nUser me@corp.example\nPassCmd \"pass show mail/work\"\nSSLType IMAPS\n\n"
            + "IMAPStore work-remote\nAccount work\n\nIMAPAccount gmail\nHost imap.gmail.com\n"
            + "PassCmd \"gpg -q --for-your-eyes-only -d ~/.mailpass.gpg\"\n");
  }

  /**
   * Credential files known by their path (decision 110) that hold no secret — stand-ins, empty
   * entries, scripts, prose — and the same shapes in files of other names, which are not read for
   * them at all.
   */
  private static void pathNegatives(Rnd r, List<Sample> out) {
    addFile(out, "config/master.key", "00000000000000000000000000000000\n");
    addFile(out, "config/credentials/production.key", "${RAILS_MASTER_KEY}\n");
    addFile(out, "config/master.key.sample", r.hex(32) + "\n");
    addFile(out, "build/artifact.md5", r.hex(32) + "\n");
    addFile(out, "auth.txt", "username\npassword\n");
    addFile(out, "vpn/client.auth", "your_username\nyour_password\n");
    addFile(out, "openvpn/auth.txt", "${VPN_USER}\n${VPN_PASSWORD}\n");
    addFile(
        out,
        "docs/auth.txt",
        "Put the user name on the first line\nand the password on the second.\n");
    addFile(out, "openvpn/" + r.lower(5) + "-auth.txt", r.lower(6) + "\n");
    addFile(
        out,
        "etc/openvpn/login.conf",
        "default:\\\n\t:path=/sbin /bin /usr/sbin /usr/bin:\\\n\t:umask=022:\n");
    addFile(
        out,
        "src/" + r.lower(6) + "/auth.go",
        "package auth\n\nfunc Check() bool {\n\treturn true\n}\n");
    addFile(out, "notes/credentials.txt", "alice\nbob\n");
    addFile(
        out,
        ".pgpass",
        "# hostname:port:database:username:password\n*:*:*:*:${PGPASSWORD}\n"
            + "localhost:5434:*:postgres:postgres\ndb.internal:15432:app:app:changeme\n"
            + "db.internal:25060:app:app:<password>\n");
    addFile(
        out,
        "AppData\\Roaming\\postgresql\\pgpass.conf",
        "localhost:5999:*:" + r.lower(5) + ":xxxxxxxx\n");
    addFile(
        out,
        "services.map",
        "svc-" + r.lower(4) + ":8080:api:web:healthcheck_" + r.lower(5) + "\n");
    addFile(
        out,
        "etc/pgbouncer/userlist.txt",
        "\"stats\" \"\"\n\"app\" \"${APP_PASSWORD}\"\n\"admin\" \"changeme\"\n;\"old\" \"x\"\n");
    addFile(
        out,
        "strings.c",
        "static const char *pairs[] = {\"en_US\" \"UTF-8\", \"de_DE\" \"ISO-8859-1\"};\n"
            + "puts(\""
            + r.lower(6)
            + "\" \"Connection refused: check the host\");\n");
    addFile(out, ".vault_pass", "#!/bin/sh\npass show ansible/vault\n");
    addFile(out, ".vault_pass.txt", "changeme\n");
    addFile(out, "vault_password.txt", "$ANSIBLE_VAULT_PASSWORD\n");
    addFile(
        out,
        "ansible.cfg",
        "[defaults]\ninventory = hosts\nvault_password_file = ~/.vault_pass.txt\n");
  }

  /** A negative sample whose name ends with {@code path} as a whole file name. */
  private static void addFile(List<Sample> out, String path, String text) {
    out.add(new Sample("neg-" + out.size() + "/" + path, text, List.of()));
  }

  /** One long line, as bundlers write it: quoted random-looking strings under short names. */
  private static String minifiedBundle(Rnd r) {
    StringBuilder sb = new StringBuilder("!function(){\"use strict\";var e={");
    for (int i = 0; i < 40; i++) {
      sb.append(r.between(100, 999))
          .append(":function(e,t,n){n.d(t,{a:function(){return \"")
          .append(r.b64(40))
          .append("\"},b:\"")
          .append(r.alnum(32))
          .append("\",h:\"")
          .append(r.hex(20))
          .append("\"})},");
    }
    sb.append("};n.u=function(e){return\"static/js/\"+e+\".\"+{");
    for (int i = 0; i < 20; i++) {
      sb.append('"').append(r.between(100, 999)).append("\":\"").append(r.hex(8)).append("\",");
    }
    return sb.append("}[e]+\".chunk.js\"}}();\n").toString();
  }

  /** A source map: one line of VLQ mappings, names and embedded sources. */
  private static String sourceMap(Rnd r) {
    StringBuilder mappings = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      mappings
          .append(
              r.of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                  r.between(4, 10)))
          .append(i % 12 == 11 ? ";" : ",");
    }
    return "{\"version\":3,\"file\":\"app.js\",\"sources\":[\"webpack:///src/index.ts\"],\"names\":[\"e\",\"t\"],\"mappings\":\""
        + mappings
        + "\",\"sourcesContent\":[\"export const id = '"
        + r.b64url(40)
        + "';\\n\"]}\n"
        + "//# sourceMappingURL=data:application/json;charset=utf-8;base64,"
        + b64Of(r.bytes(900))
        + "\n";
  }

  private static byte[] pngBytes(Rnd r, int n) {
    byte[] b = r.bytes(n);
    byte[] magic = {
      (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'
    };
    System.arraycopy(magic, 0, b, 0, magic.length);
    return b;
  }

  private static byte[] jpegBytes(Rnd r, int n) {
    byte[] b = r.bytes(n);
    b[0] = (byte) 0xff;
    b[1] = (byte) 0xd8;
    b[2] = (byte) 0xff;
    b[3] = (byte) 0xe0;
    return b;
  }

  private static String anonJwt(Rnd r) {
    Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
    return e.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + e.encodeToString(
            ("{\"iss\":\"supabase\",\"ref\":\""
                    + r.lower(20)
                    + "\",\"role\":\"anon\",\"iat\":1700000000}")
                .getBytes(StandardCharsets.UTF_8))
        + "."
        + e.encodeToString(r.bytes(32));
  }

  /** JetBrains' reversible password scrambling: each character XOR 0xdfaa, as 4 hex digits. */
  static String jetBrainsScramble(String p) {
    StringBuilder sb = new StringBuilder();
    for (char c : p.toCharArray()) {
      sb.append(String.format(java.util.Locale.ROOT, "%04x", c ^ 0xdfaa));
    }
    return sb.toString();
  }

  private static void add(List<Sample> out, String name, String text) {
    out.add(new Sample("neg-" + out.size() + "-" + name, text, List.of()));
  }
}
