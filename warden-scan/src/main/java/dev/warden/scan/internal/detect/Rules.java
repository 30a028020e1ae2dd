package dev.warden.scan.internal.detect;

import static dev.warden.scan.Severity.CRITICAL;
import static dev.warden.scan.Severity.HIGH;
import static dev.warden.scan.Severity.LOW;
import static dev.warden.scan.Severity.MEDIUM;

import dev.warden.scan.Confidence;
import dev.warden.scan.Severity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The built-in rule catalogue. Each provider rule is written from the provider's documented token
 * format (prefix, alphabet, length, checksum); context rules are for formats without a prefix and
 * need the provider's name in the key. Regular expressions only run where the prefilter found a
 * keyword, so a rule's keywords must be substrings of every secret it can match (or of the key name
 * before it).
 */
public final class Rules {
  private Rules() {}

  /** Left boundary: the token does not continue a longer word. */
  static final String B = "(?<![A-Za-z0-9_])";

  /** Right boundary for alphanumeric bodies. */
  static final String E = "(?![A-Za-z0-9_])";

  /** Right boundary for bodies that may contain '-' (base64url). */
  static final String EU = "(?![A-Za-z0-9_-])";

  /** Assignment between a key name and its value: {@code = : := => ,} with optional quotes. */
  private static final String ASSIGN = "[\"']?\\s*(?::=|=>|=|:|,)\\s*[\"'`]?";

  static final String UUID =
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

  static Rule.Builder token(
      String id, String description, Severity severity, String regex, String... keywords) {
    return Rule.builder(id, description)
        .severity(severity)
        .kind(Rule.Kind.TOKEN)
        .exactKeywords(keywords)
        .regex(regex)
        .window(0, 400);
  }

  /**
   * A provider format without a prefix: the value must follow a key naming the provider, such as
   * {@code DATADOG_API_KEY=...}.
   */
  static Rule.Builder context(
      String id,
      String description,
      Severity severity,
      String keyRegex,
      String valueRegex,
      String... keywords) {
    return Rule.builder(id, description)
        .severity(severity)
        .kind(Rule.Kind.CONTEXT)
        .confidence(Confidence.MEDIUM)
        .keywords(keywords)
        .regex(
            "(?i:"
                + keyRegex
                + ")[A-Za-z0-9_.\\-]{0,30}"
                + ASSIGN
                + "(?<s>"
                + valueRegex
                + ")(?![A-Za-z0-9_+/=-])")
        .window(0, 300)
        .randomness(0.7)
        .assignment();
  }

  /** All built-in rules. */
  public static List<Rule> all() {
    // spotless:off (a declarative table: one rule a line or two reads better than the formatter's layout)
    List<Rule> r = new ArrayList<>();
    // ---- Cloud: AWS
    r.add(token("aws-access-key-id", "AWS access key ID", HIGH,
        B + "(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}" + E, "AKIA", "ASIA", "ABIA", "ACCA", "A3T")
        .randomness(0.6).build());
    r.add(context("aws-secret-access-key", "AWS secret access key", CRITICAL,
        "aws_?secret(?:_?access)?_?key|secret_?access_?key|secret-access-key|aws_?secret|aws-secret-key",
        "[A-Za-z0-9/+]{40}", "aws_secret", "awssecret", "secret_access_key", "secretaccesskey",
        "secret-access-key", "aws-secret").randomness(0.75).build());
    r.add(token("aws-session-token", "AWS temporary session token", MEDIUM,
        B + "(?:FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=]{100,1400}", "FwoGZXIvYXdz", "IQoJb3JpZ2lu")
        .window(0, 1500).placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0).build());
    r.add(token("aws-bedrock-api-key", "Amazon Bedrock long-term API key", HIGH,
        B + "ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/=]{40,300}", "ABSKQmVkcm9ja0FQSUtleS").build());
    r.add(token("aws-mws-key", "Amazon MWS auth token", HIGH,
        B + "amzn\\.mws\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}" + E, "amzn.mws.").build());
    // ---- Cloud: Google
    r.add(token("gcp-api-key", "Google API key", HIGH, B + "AIza[0-9A-Za-z_-]{35}" + EU, "AIza").build());
    r.add(Rule.builder("gcp-service-account", "Google Cloud service account private key (JSON key file)")
        .severity(CRITICAL).kind(Rule.Kind.TOKEN).keywords("service_account").multiline().window(3000, 6000)
        .regex("\"private_key\"\\s*:\\s*\"(?<s>-----BEGIN (?:RSA )?PRIVATE KEY-----[A-Za-z0-9+/=\\\\\\s]{100,8000}?-----END (?:RSA )?PRIVATE KEY-----(?:\\\\n)?)\"")
        .placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0).build());
    r.add(token("gcp-oauth-client-secret", "Google OAuth client secret", HIGH,
        B + "GOCSPX-[0-9A-Za-z_-]{28}" + EU, "GOCSPX-").build());
    r.add(token("google-oauth-access-token", "Google OAuth access token", MEDIUM,
        B + "ya29\\.[0-9A-Za-z_-]{30,400}" + EU, "ya29.").build());
    r.add(token("firebase-fcm-server-key", "Firebase Cloud Messaging legacy server key", HIGH,
        B + "AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{120,160}" + EU, ":APA91b").window(12, 300).build());
    // ---- Cloud: Azure
    r.add(Rule.builder("azure-storage-account-key", "Azure storage account key in a connection string")
        .severity(CRITICAL).kind(Rule.Kind.TOKEN).keywords("accountkey")
        .regex("(?i:AccountKey)\\s*=\\s*(?<s>[A-Za-z0-9+/]{86}==)").window(0, 120).randomness(0.7).build());
    r.add(context("azure-storage-key", "Azure storage key next to an Azure key name", CRITICAL,
        "azure[A-Za-z0-9_.-]{0,30}(?:key|secret)", "[A-Za-z0-9+/]{86}==", "azure").randomness(0.7).build());
    r.add(Rule.builder("azure-sas-token", "Azure shared access signature (SAS) token")
        .severity(HIGH).kind(Rule.Kind.TOKEN).keywords("sig=")
        .regex("[?&;]?sv=\\d{4}-\\d{2}-\\d{2}&(?:[A-Za-z]{2,6}=[^&\\s\"'<>]{0,200}&){0,14}sig=(?<s>[A-Za-z0-9%+/]{43,64}(?:%3D|=)?)")
        .window(1200, 80).randomness(0.6).build());
    r.add(Rule.builder("azure-service-bus-key", "Azure Service Bus / Event Hubs shared access key")
        .severity(HIGH).kind(Rule.Kind.TOKEN).keywords("sharedaccesskey=")
        .regex("(?i:SharedAccessKey)=(?<s>[A-Za-z0-9+/]{43}=)").window(0, 80).build());
    r.add(token("azure-ad-client-secret", "Microsoft Entra ID (Azure AD) client secret", HIGH,
        "(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])", "Q~").window(4, 40).build());
    r.add(token("azure-devops-pat", "Azure DevOps personal access token", HIGH,
        B + "[A-Za-z0-9]{52}JQQJ99[A-Za-z0-9]{18}AZDO[A-Za-z0-9]{4}" + E, "JQQJ99").window(52, 40).build());
    r.add(token("azure-logic-app-sig", "Azure Logic Apps / Teams workflow trigger URL with signature", HIGH,
        "https://[A-Za-z0-9.-]+\\.logic\\.azure\\.com(?::443)?/workflows/[0-9a-f]{32}/triggers/[^\\s\"'<>]{0,300}?[?&]sig=(?<s>[A-Za-z0-9_%-]{40,64})",
        "logic.azure.com").window(120, 600).build());
    // ---- Other clouds and infrastructure
    r.add(token("digitalocean-token", "DigitalOcean personal access, OAuth or refresh token", HIGH,
        B + "do[opr]_v1_[a-f0-9]{64}" + E, "dop_v1_", "doo_v1_", "dor_v1_").build());
    r.add(token("alibaba-access-key-id", "Alibaba Cloud AccessKey ID", MEDIUM,
        B + "LTAI[A-Za-z0-9]{12,20}" + E, "LTAI").build());
    r.add(token("heroku-api-key", "Heroku API key", HIGH, B + "HRKU-[A-Za-z0-9_-]{50,70}" + EU, "HRKU-").build());
    r.add(context("heroku-api-key-legacy", "Heroku API key (legacy UUID format)", HIGH,
        "heroku[A-Za-z0-9_.-]{0,20}(?:key|token|secret)", UUID, "heroku").randomness(0.6).build());
    r.add(token("cloudflare-origin-ca-key", "Cloudflare Origin CA key", HIGH,
        B + "v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}" + E, "v1.0-").build());
    r.add(context("cloudflare-api-token", "Cloudflare API token or global API key", HIGH,
        "cloudflare[A-Za-z0-9_.-]{0,20}(?:key|token|secret)|cf_api_(?:key|token)",
        "[A-Za-z0-9_-]{40}|[0-9a-f]{37}", "cloudflare", "cf_api_").build());
    r.add(token("hashicorp-vault-token", "HashiCorp Vault service, batch or recovery token", HIGH,
        B + "hv[sbr]\\.[A-Za-z0-9_-]{90,400}" + EU, "hvs.", "hvb.", "hvr.").build());
    r.add(token("terraform-cloud-token", "Terraform Cloud / Enterprise API token", HIGH,
        B + "[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}" + EU, ".atlasv1.").window(14, 80).build());
    r.add(token("pulumi-access-token", "Pulumi access token", HIGH, B + "pul-[a-f0-9]{40}" + E, "pul-").build());
    r.add(token("doppler-token", "Doppler service, personal or CLI token", HIGH,
        B + "dp\\.(?:pt|st|ct|scim|audit|sa)\\.[A-Za-z0-9]{40,44}" + E, "dp.pt.", "dp.st.", "dp.ct.", "dp.scim.", "dp.audit.", "dp.sa.").build());
    r.add(token("onepassword-service-account-token", "1Password service account token", CRITICAL,
        B + "ops_eyJ[A-Za-z0-9+/=_-]{250,}", "ops_eyJ").window(0, 2000).build());
    r.add(token("databricks-token", "Databricks personal access token", HIGH,
        B + "dapi[a-f0-9]{32}(?:-\\d)?" + E, "dapi").build());
    r.add(token("planetscale-token", "PlanetScale service token, password or OAuth token", HIGH,
        B + "pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}" + EU, "pscale_tkn_", "pscale_pw_", "pscale_oauth_").build());
    r.add(token("supabase-pat", "Supabase personal access token", HIGH, B + "sbp_[a-f0-9]{40}" + E, "sbp_").build());
    r.add(token("netlify-pat", "Netlify personal access token", HIGH, B + "nfp_[A-Za-z0-9]{36}" + E, "nfp_").build());
    r.add(token("render-api-key", "Render API key", HIGH, B + "rnd_[A-Za-z0-9]{32}" + E, "rnd_").build());
    r.add(token("grafana-cloud-token", "Grafana Cloud API token", HIGH,
        B + "glc_[A-Za-z0-9+/]{32,400}={0,2}", "glc_").build());
    r.add(token("grafana-service-account-token", "Grafana service account token", HIGH,
        B + "glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}" + E, "glsa_").build());
    r.add(token("tailscale-key", "Tailscale API, auth or OAuth client key", HIGH,
        B + "tskey-(?:api|auth|client|scim|webhook)-[A-Za-z0-9]{6,20}-[A-Za-z0-9]{20,40}" + E, "tskey-").build());
    r.add(token("dynatrace-token", "Dynatrace API token", HIGH,
        B + "dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}" + E, "dt0c01.").build());
    // ---- VCS and CI
    r.add(token("github-pat", "GitHub personal access token (classic)", CRITICAL,
        B + "ghp_[A-Za-z0-9]{36}" + E, "ghp_").checksum(Checksums::prefixedCrc32).randomness(0).build());
    r.add(token("github-fine-grained-pat", "GitHub fine-grained personal access token", CRITICAL,
        B + "github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}" + E, "github_pat_").build());
    r.add(token("github-oauth-token", "GitHub OAuth access token", HIGH,
        B + "gho_[A-Za-z0-9]{36}" + E, "gho_").checksum(Checksums::prefixedCrc32).randomness(0).build());
    r.add(token("github-app-token", "GitHub App user-to-server or installation token", HIGH,
        B + "gh[us]_[A-Za-z0-9]{36}" + E, "ghu_", "ghs_").checksum(Checksums::prefixedCrc32).randomness(0).build());
    r.add(token("github-refresh-token", "GitHub App refresh token", HIGH,
        B + "ghr_[A-Za-z0-9]{36,76}" + E, "ghr_").build());
    r.add(token("gitlab-pat", "GitLab personal, project or group access token", CRITICAL,
        B + "glpat-(?:[A-Za-z0-9_-]{20}(?![A-Za-z0-9_.-])|[A-Za-z0-9_-]{27,300}\\.[0-9a-z]{2}\\.[0-9a-z]{7,9}" + E + ")", "glpat-").build());
    r.add(token("gitlab-runner-token", "GitLab runner authentication token", HIGH,
        B + "glrt-(?:t\\d_)?[A-Za-z0-9_-]{20,300}(?:\\.[0-9a-z]{2}\\.[0-9a-z]{7,9})?" + EU, "glrt-").build());
    r.add(token("gitlab-runner-registration-token", "GitLab runner registration token", HIGH,
        B + "GR1348941[A-Za-z0-9_-]{20}" + EU, "GR1348941").build());
    r.add(token("gitlab-deploy-token", "GitLab deploy token", HIGH, B + "gldt-[A-Za-z0-9_-]{20,300}" + EU, "gldt-").build());
    r.add(token("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token", HIGH,
        B + "glptt-[A-Za-z0-9_-]{20,64}" + EU, "glptt-").build());
    r.add(token("gitlab-oauth-app-secret", "GitLab OAuth application secret", HIGH,
        B + "gloas-[A-Za-z0-9_-]{64}" + EU, "gloas-").build());
    r.add(token("gitlab-agent-token", "GitLab agent for Kubernetes token", HIGH,
        B + "glagent-[A-Za-z0-9_-]{50,300}" + EU, "glagent-").build());
    r.add(token("gitlab-feed-token", "GitLab feed token", MEDIUM, B + "glft-[A-Za-z0-9_-]{20,64}" + EU, "glft-").build());
    r.add(token("gitlab-scim-token", "GitLab SCIM OAuth token", HIGH, B + "glsoat-[A-Za-z0-9_-]{20,64}" + EU, "glsoat-").build());
    r.add(token("gitlab-ci-build-token", "GitLab CI/CD job token", MEDIUM, B + "glcbt-[A-Za-z0-9_-]{20,300}" + EU, "glcbt-").build());
    r.add(token("bitbucket-app-password", "Bitbucket app password", HIGH, B + "ATBB[A-Za-z0-9_=.-]{32}" + EU, "ATBB").build());
    r.add(token("bitbucket-access-token", "Bitbucket repository, project or workspace access token", HIGH,
        B + "ATCTT3xFfGN0[A-Za-z0-9_=-]{150,250}" + EU, "ATCTT3xFfGN0").build());
    r.add(token("circleci-token", "CircleCI personal or project API token", HIGH,
        B + "CCIP(?:AT|RJ)_[A-Za-z0-9]{22}_[a-f0-9]{40}" + E, "CCIPAT_", "CCIPRJ_").build());
    r.add(token("buildkite-token", "Buildkite API access token", HIGH, B + "bkua_[a-f0-9]{40}" + E, "bkua_").build());
    r.add(token("jfrog-api-key", "JFrog Artifactory API key", HIGH, B + "AKCp[A-Za-z0-9]{69}" + E, "AKCp").build());
    r.add(token("jfrog-reference-token", "JFrog reference (identity) token", HIGH,
        B + "cmVmdGtuOjAxOj[A-Za-z0-9]{50,64}" + E, "cmVmdGtuOjAxOj").build());
    r.add(token("sonarqube-token", "SonarQube user, project or global analysis token", HIGH,
        B + "sq[pua]_[a-f0-9]{40}" + E, "sqp_", "squ_", "sqa_").build());
    // ---- Chat
    r.add(token("slack-bot-token", "Slack bot token", HIGH,
        B + "xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24}" + E, "xoxb-").build());
    r.add(token("slack-user-token", "Slack user token", HIGH,
        B + "xox[pe]-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{28,34}" + E, "xoxp-", "xoxe-").build());
    r.add(token("slack-app-token", "Slack app-level token", HIGH,
        B + "xapp-\\d-[A-Z0-9]{9,12}-\\d{10,14}-[a-f0-9]{64}" + E, "xapp-").build());
    r.add(token("slack-config-token", "Slack configuration access or refresh token", HIGH,
        B + "xoxe(?:\\.xox[bp])?-\\d-[A-Z0-9]{140,170}" + E, "xoxe.xoxb-", "xoxe.xoxp-", "xoxe-").build());
    r.add(token("slack-webhook", "Slack incoming webhook or workflow URL", HIGH,
        "https://hooks\\.slack\\.com/(?:services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{24}|(?:workflows|triggers)/T[A-Z0-9]{6,12}/A[A-Z0-9]{6,12}/\\d{6,24}/[A-Za-z0-9]{24,40})" + E,
        "hooks.slack.com").window(8, 200).build());
    r.add(context("discord-bot-token", "Discord bot token", HIGH, "discord[A-Za-z0-9_.-]{0,20}(?:token|secret|key)|bot_token",
        "[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}", "discord", "bot_token").confidence(Confidence.HIGH).build());
    r.add(token("discord-webhook", "Discord webhook URL", HIGH,
        "https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/\\d{17,20}/[A-Za-z0-9_-]{60,68}" + EU,
        "/api/webhooks/").window(40, 120).build());
    r.add(token("telegram-bot-token", "Telegram bot token", HIGH,
        "(?<![0-9A-Za-z_])[0-9]{8,10}:AA[0-9A-Za-z_-]{33}" + EU, ":AA").window(12, 40).build());
    r.add(token("teams-webhook", "Microsoft Teams incoming webhook URL", HIGH,
        "https://[A-Za-z0-9-]+\\.webhook\\.office\\.com/webhookb2/[0-9a-fA-F-]{36}@[0-9a-fA-F-]{36}/IncomingWebhook/[0-9a-fA-F]{32}/[0-9a-fA-F-]{36}(?:/[A-Za-z0-9_-]{20,60})?",
        "webhook.office.com").window(40, 300).build());
    r.add(token("google-chat-webhook", "Google Chat incoming webhook URL", HIGH,
        "https://chat\\.googleapis\\.com/v1/spaces/[A-Za-z0-9_-]{8,20}/messages\\?key=[A-Za-z0-9_-]{39}&token=[A-Za-z0-9_%=-]{40,}",
        "chat.googleapis.com").window(10, 300).build());
    // ---- Payments
    r.add(token("stripe-secret-key", "Stripe live secret key", CRITICAL,
        B + "sk_live_[0-9A-Za-z]{24,247}" + E, "sk_live_").build());
    r.add(token("stripe-restricted-key", "Stripe live restricted key", HIGH,
        B + "rk_live_[0-9A-Za-z]{24,247}" + E, "rk_live_").build());
    r.add(token("stripe-test-key", "Stripe test-mode secret or restricted key", LOW,
        B + "[sr]k_test_[0-9A-Za-z]{24,247}" + E, "sk_test_", "rk_test_").build());
    r.add(token("stripe-webhook-secret", "Stripe webhook signing secret", HIGH,
        B + "whsec_[A-Za-z0-9+/]{32,64}={0,2}", "whsec_").build());
    r.add(token("square-access-token", "Square access token", HIGH,
        B + "(?:EAAA[A-Za-z0-9_-]{60}|sq0atp-[0-9A-Za-z_-]{22})" + EU, "EAAA", "sq0atp-").build());
    r.add(token("square-oauth-secret", "Square OAuth application secret", HIGH,
        B + "sq0csp-[0-9A-Za-z_-]{43}" + EU, "sq0csp-").build());
    r.add(token("braintree-access-token", "PayPal Braintree access token", CRITICAL,
        B + "access_token\\$(?:production|sandbox)\\$[0-9a-z]{16}\\$[0-9a-f]{32}" + E, "access_token$").build());
    r.add(token("braintree-tokenization-key", "PayPal Braintree tokenization key", MEDIUM,
        B + "(?:production|sandbox)_[0-9a-z]{8}_[0-9a-z]{16}" + E, "production_", "sandbox_").randomness(0.6).build());
    r.add(token("razorpay-key", "Razorpay live API key ID", MEDIUM, B + "rzp_live_[A-Za-z0-9]{14}" + E, "rzp_live_").build());
    r.add(token("plaid-access-token", "Plaid access token", HIGH,
        B + "access-(?:sandbox|development|production)-" + UUID + E, "access-sandbox-", "access-development-", "access-production-").build());
    r.add(token("shippo-token", "Shippo API token", HIGH, B + "shippo_(?:live|test)_[a-f0-9]{40}" + E, "shippo_").build());
    r.add(token("easypost-api-key", "EasyPost API key", HIGH, B + "EZ[AT]K[A-Za-z0-9]{54}" + E, "EZAK", "EZTK").build());
    r.add(token("flutterwave-secret-key", "Flutterwave secret key", HIGH,
        B + "FLWSECK(?:_TEST)?-[a-h0-9]{32}-X" + E, "FLWSECK").build());
    // ---- AI
    r.add(token("openai-api-key", "OpenAI API key", CRITICAL,
        B + "sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200}" + EU, "T3BlbkFJ")
        .window(220, 220).build());
    r.add(token("anthropic-api-key", "Anthropic API key", CRITICAL,
        B + "sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA" + EU, "sk-ant-").build());
    r.add(token("huggingface-token", "Hugging Face access token", HIGH,
        B + "(?:hf_|api_org_)[A-Za-z]{34}" + E, "hf_", "api_org_").build());
    r.add(token("groq-api-key", "Groq API key", HIGH, B + "gsk_[A-Za-z0-9]{52}" + E, "gsk_").build());
    r.add(token("replicate-api-token", "Replicate API token", HIGH, B + "r8_[A-Za-z0-9]{37}" + E, "r8_").build());
    r.add(token("perplexity-api-key", "Perplexity API key", HIGH, B + "pplx-[A-Za-z0-9]{48}" + E, "pplx-").build());
    r.add(token("xai-api-key", "xAI (Grok) API key", HIGH, B + "xai-[A-Za-z0-9]{80}" + E, "xai-").build());
    r.add(token("openrouter-api-key", "OpenRouter API key", HIGH, B + "sk-or-v1-[a-f0-9]{64}" + E, "sk-or-v1-").build());
    r.add(token("langsmith-api-key", "LangSmith API key", HIGH,
        B + "lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}" + E, "lsv2_").build());
    r.add(context("cohere-api-key", "Cohere API key", HIGH, "cohere[A-Za-z0-9_.-]{0,20}(?:key|token)|co_api_key",
        "[A-Za-z0-9]{40}", "cohere", "co_api_key").build());
    r.add(context("mistral-api-key", "Mistral AI API key", HIGH, "mistral[A-Za-z0-9_.-]{0,20}(?:key|token)",
        "[A-Za-z0-9]{32}", "mistral").build());
    r.add(context("deepseek-api-key", "DeepSeek API key", HIGH, "deepseek[A-Za-z0-9_.-]{0,20}(?:key|token)",
        "sk-[a-f0-9]{32}", "deepseek").build());
    r.add(context("wandb-api-key", "Weights & Biases API key", HIGH, "wandb[A-Za-z0-9_.-]{0,20}(?:key|token)",
        "[0-9a-f]{40}", "wandb").build());
    // ---- Package registries
    r.add(token("npm-access-token", "npm access token", CRITICAL, B + "npm_[A-Za-z0-9]{36}" + E, "npm_").build());
    r.add(token("pypi-upload-token", "PyPI API token", CRITICAL,
        B + "pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,300}" + EU, "pypi-Ag")
        .placeholders(Rule.PlaceholderCheck.MARKERS).build());
    r.add(token("rubygems-api-key", "RubyGems API key", HIGH, B + "rubygems_[a-f0-9]{48}" + E, "rubygems_").build());
    r.add(token("nuget-api-key", "NuGet API key", HIGH, B + "oy2[a-z0-9]{43}" + E, "oy2").build());
    r.add(token("dockerhub-token", "Docker Hub personal or organisation access token", HIGH,
        B + "dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,32}" + EU, "dckr_pat_", "dckr_oat_").build());
    r.add(token("crates-io-token", "crates.io API token", HIGH, B + "cio[A-Za-z0-9]{32}" + E, "cio").randomness(0.75).build());
    r.add(token("clojars-token", "Clojars deploy token", HIGH, B + "CLOJARS_[a-z0-9]{60}" + E, "CLOJARS_").build());
    r.add(Rule.builder("npmrc-auth-token", "Registry auth token in an .npmrc").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("_authtoken", "_auth=", "_password=")
        .regex("(?:_authToken|_auth|_password)\\s*=\\s*[\"']?(?<s>[A-Za-z0-9+/=._-]{20,512})").window(20, 600).randomness(0.6).build());
    r.add(Rule.builder("docker-config-auth", "Registry credentials in a Docker config.json").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("\"auth\"")
        .regex("\"auth\"\\s*:\\s*\"(?<s>[A-Za-z0-9+/]{16,1024}={0,2})\"")
        .validate(Rules::basicAuthPair).window(0, 1200).randomness(0).build());
    // ---- SaaS
    r.add(token("twilio-api-key", "Twilio API key SID", MEDIUM, B + "SK[0-9a-fA-F]{32}" + E, "SK").randomness(0.7).build());
    r.add(context("twilio-auth-token", "Twilio auth token", HIGH, "twilio[A-Za-z0-9_.-]{0,20}(?:auth|token|secret)",
        "[0-9a-f]{32}", "twilio").build());
    r.add(token("sendgrid-api-key", "SendGrid API key", HIGH,
        B + "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}" + EU, "SG.").build());
    r.add(token("mailgun-api-key", "Mailgun private API key", HIGH, B + "key-[0-9a-f]{32}" + E, "key-").build());
    r.add(context("mailgun-signing-key", "Mailgun API or webhook signing key", HIGH, "mailgun[A-Za-z0-9_.-]{0,20}(?:key|secret|token)",
        "[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}", "mailgun").build());
    r.add(token("mailchimp-api-key", "Mailchimp API key", HIGH, B + "[0-9a-f]{32}-us[0-9]{1,2}" + E, "-us").window(32, 8).build());
    r.add(token("brevo-api-key", "Brevo (Sendinblue) API key", HIGH, B + "xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}" + E, "xkeysib-").build());
    r.add(context("datadog-api-key", "Datadog API key", HIGH, "(?:datadog|dd)[_.-]?api[_.-]?key",
        "[0-9a-f]{32}", "datadog", "dd_api", "dd-api", "ddapi").build());
    r.add(context("datadog-app-key", "Datadog application key", HIGH, "(?:datadog|dd)[_.-]?(?:app|application)[_.-]?key",
        "[0-9a-f]{40}", "datadog", "dd_app", "dd-app", "ddapp", "dd_application").build());
    r.add(token("newrelic-user-api-key", "New Relic user API key", HIGH, B + "NRAK-[A-Z0-9]{27}" + E, "NRAK-").build());
    r.add(token("newrelic-license-key", "New Relic ingest license key", HIGH, B + "[a-f0-9]{36}NRAL" + E, "NRAL").window(36, 4).build());
    r.add(token("newrelic-insights-key", "New Relic Insights insert or query key", HIGH, B + "NRI[IQ]-[A-Za-z0-9_-]{32}" + EU, "NRII-", "NRIQ-").build());
    r.add(token("newrelic-browser-key", "New Relic browser API token", MEDIUM, B + "NRJS-[a-f0-9]{19}" + E, "NRJS-").build());
    r.add(token("shopify-token", "Shopify access token, app password or shared secret", HIGH,
        B + "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}" + E, "shpat_", "shpca_", "shppa_", "shpss_").build());
    r.add(token("atlassian-api-token", "Atlassian (Jira, Confluence) API token", HIGH,
        B + "ATATT3[A-Za-z0-9_=-]{180,200}" + EU, "ATATT3").build());
    r.add(context("atlassian-api-token-legacy", "Atlassian API token (legacy 24-character format)", HIGH,
        "(?:jira|confluence|atlassian)[A-Za-z0-9_.-]{0,20}(?:token|key|secret)", "[A-Za-z0-9]{24}", "jira", "confluence", "atlassian").build());
    r.add(Rule.builder("okta-api-token", "Okta API token").severity(CRITICAL).kind(Rule.Kind.CONTEXT)
        .confidence(Confidence.MEDIUM).keywords("okta", "ssws")
        .regex("(?:(?i:okta)[A-Za-z0-9_.-]{0,30}(?i:token|key|secret)[A-Za-z0-9_.-]{0,10}" + ASSIGN + "|SSWS\\s+)(?<s>00[A-Za-z0-9_-]{40})" + EU)
        .window(0, 200).randomness(0.7).build());
    r.add(token("hubspot-private-app-token", "HubSpot private app access token", HIGH,
        B + "pat-(?:na|eu|ap)\\d-" + UUID + E, "pat-na", "pat-eu", "pat-ap").build());
    r.add(token("twitter-bearer-token", "Twitter/X API bearer token", HIGH,
        B + "AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{60,140}" + E, "AAAAAAAAAAAAAAAAAAAAA")
        .placeholders(Rule.PlaceholderCheck.MARKERS).build());
    r.add(context("twitter-api-secret", "Twitter/X API key secret", HIGH, "twitter[A-Za-z0-9_.-]{0,20}(?:secret)",
        "[A-Za-z0-9]{50}", "twitter").build());
    r.add(token("facebook-access-token", "Facebook/Meta access token", HIGH,
        B + "EAA[A-Za-z0-9]{1}[A-Za-z0-9]{90,250}" + E, "EAA").randomness(0.7).build());
    r.add(context("facebook-app-secret", "Facebook/Meta app secret", HIGH, "(?:facebook|fb)[_.-]?(?:app)?[_.-]?secret",
        "[0-9a-f]{32}", "facebook", "fb_", "fb-", "fbapp").build());
    r.add(token("salesforce-access-token", "Salesforce access token", HIGH,
        B + "00D[A-Za-z0-9]{12,15}![A-Za-z0-9_.]{90,110}" + E, "00D").window(0, 140).build());
    r.add(token("sentry-auth-token", "Sentry organisation or user auth token", HIGH,
        B + "(?:sntrys_eyJ[A-Za-z0-9+/=_]{60,400}|sntryu_[a-f0-9]{64})" + E, "sntrys_", "sntryu_").build());
    r.add(token("postman-api-key", "Postman API key", HIGH, B + "PMAK-[a-f0-9]{24}-[a-f0-9]{34}" + E, "PMAK-").build());
    r.add(token("linear-api-key", "Linear API key", HIGH, B + "lin_api_[A-Za-z0-9]{40}" + E, "lin_api_").build());
    r.add(token("notion-token", "Notion integration token", HIGH,
        B + "(?:secret_[A-Za-z0-9]{43}|ntn_[0-9]{11}[A-Za-z0-9]{35})" + E, "secret_", "ntn_").randomness(0.75).build());
    r.add(token("airtable-pat", "Airtable personal access token", HIGH, B + "pat[A-Za-z0-9]{14}\\.[a-f0-9]{64}" + E, "pat").build());
    r.add(token("figma-token", "Figma personal access token", HIGH, B + "figd_[A-Za-z0-9_-]{40}" + EU, "figd_").build());
    r.add(token("mapbox-secret-token", "Mapbox secret access token", HIGH,
        B + "sk\\.eyJ[A-Za-z0-9_-]{50,}\\.[A-Za-z0-9_-]{20,}" + EU, "sk.eyJ").build());
    r.add(token("typeform-token", "Typeform personal access token", HIGH, B + "tfp_[A-Za-z0-9_.=-]{59}" + EU, "tfp_").build());
    r.add(token("prefect-api-key", "Prefect API key", HIGH, B + "pnu_[A-Za-z0-9]{36}" + E, "pnu_").build());
    r.add(token("readme-api-key", "ReadMe API key", HIGH, B + "rdme_[a-z0-9]{70}" + E, "rdme_").build());
    r.add(token("adobe-client-secret", "Adobe client secret", HIGH, B + "p8e-[A-Za-z0-9]{32}" + E, "p8e-").build());
    r.add(context("algolia-admin-key", "Algolia admin API key", HIGH, "algolia[A-Za-z0-9_.-]{0,20}(?:key|secret)",
        "[0-9a-f]{32}", "algolia").build());
    r.add(context("zendesk-api-token", "Zendesk API token", HIGH, "zendesk[A-Za-z0-9_.-]{0,20}(?:token|key|secret)",
        "[A-Za-z0-9]{40}", "zendesk").build());
    r.add(context("pagerduty-api-key", "PagerDuty API key", HIGH, "pagerduty[A-Za-z0-9_.-]{0,20}(?:token|key|secret)",
        "u\\+[A-Za-z0-9_+-]{18}|[A-Za-z0-9_+-]{20}", "pagerduty").build());
    r.add(context("fastly-api-token", "Fastly API token", HIGH, "fastly[A-Za-z0-9_.-]{0,20}(?:token|key|secret)",
        "[A-Za-z0-9_-]{32}", "fastly").build());
    // ---- Key material
    r.add(Rule.builder("private-key", "PEM private key (PKCS#1, PKCS#8, EC, DSA, encrypted)").severity(CRITICAL)
        .kind(Rule.Kind.KEY).keywords("private key-----").multiline().window(40, 12_000)
        .regex("-----BEGIN (?<t>(?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----[\\s\\S]{64,12000}?-----END \\k<t>-----")
        .validate(Rules::keyBody).placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0).build());
    r.add(Rule.builder("openssh-private-key", "OpenSSH private key").severity(CRITICAL)
        .kind(Rule.Kind.KEY).keywords("openssh private key-----").multiline().window(20, 12_000)
        .regex("-----BEGIN OPENSSH PRIVATE KEY-----[\\s\\S]{64,12000}?-----END OPENSSH PRIVATE KEY-----")
        .validate(Rules::keyBody).placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0).build());
    r.add(Rule.builder("putty-private-key", "PuTTY private key file (.ppk)").severity(CRITICAL)
        .kind(Rule.Kind.KEY).keywords("putty-user-key-file-").multiline().window(0, 12_000)
        .regex("PuTTY-User-Key-File-[23]: [\\s\\S]{10,8000}?Private-Lines: \\d+\\r?\\n(?<s>(?:[A-Za-z0-9+/=]+\\r?\\n){1,200})Private-MAC: [0-9a-fA-F]{40,64}")
        .placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0).build());
    r.add(Rule.builder("pgp-private-key", "PGP/GPG private key block").severity(CRITICAL)
        .kind(Rule.Kind.KEY).keywords("pgp private key block-----").multiline().window(20, 40_000)
        .regex("-----BEGIN PGP PRIVATE KEY BLOCK-----[\\s\\S]{64,40000}?-----END PGP PRIVATE KEY BLOCK-----")
        .validate(Rules::keyBody).placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0).build());
    r.add(token("age-secret-key", "age encryption secret key", CRITICAL,
        B + "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}" + E, "AGE-SECRET-KEY-1").randomness(0).build());
    // ---- Generic
    r.add(Rule.builder("jwt", "JSON Web Token").severity(MEDIUM).kind(Rule.Kind.GENERIC)
        .confidence(Confidence.MEDIUM).exactKeywords("eyJ").window(0, 4000)
        .regex(B + "eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{20,}" + EU)
        .validate(Rules::jwtShape).randomness(0).build());
    String userPass = "://[^:@/\\s\"'`<>]{1,64}:(?<s>[^@/\\s\"'`<>]{3,128})@[A-Za-z0-9\\[_-]";
    r.add(uri("uri-postgres", "PostgreSQL connection URI with a password", "postgres(?:ql)?(?:\\+[a-z0-9]+)?", userPass, "postgres"));
    r.add(uri("uri-mysql", "MySQL/MariaDB connection URI with a password", "(?:mysql|mariadb)(?:\\+[a-z0-9]+)?", userPass, "mysql", "mariadb"));
    r.add(uri("uri-mongodb", "MongoDB connection URI with a password", "mongodb(?:\\+srv)?", userPass, "mongodb"));
    r.add(uri("uri-redis", "Redis connection URI with a password", "rediss?", "://[^:@/\\s\"'`<>]{0,64}:(?<s>[^@/\\s\"'`<>]{3,128})@[A-Za-z0-9\\[_-]", "redis"));
    r.add(uri("uri-amqp", "AMQP (RabbitMQ) connection URI with a password", "amqps?", userPass, "amqp"));
    r.add(Rule.builder("jdbc-password", "Password in a JDBC URL").severity(HIGH).kind(Rule.Kind.CONTEXT)
        .confidence(Confidence.MEDIUM).keywords("jdbc:").window(0, 600)
        .regex("jdbc:[a-z0-9:]+[^\\s\"'`]*?[?&;](?i:password|pwd)=(?<s>[^&;\\s\"'`]{3,128})")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(uri("url-credentials", "Credentials embedded in a URL",
        "(?:(?:git|svn)\\+)?(?:https?|ftps?|sftp|ssh|git|svn|smb|rsync|telnet|socks[45]h?|smtps?|imaps?|pop3s?|ldaps?|wss?|mqtts?|"
            + "sqlserver|mssql|nats|kafka|couchdb|neo4j(?:\\+s)?|bolt|clickhouse|oracle|cassandra|memcached|influxdb|elasticsearch|sip)",
        userPass, "://"));
    // ---- Per-tool credential files
    r.add(Rule.builder("netrc-password", "Password in a .netrc / _netrc machine entry").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("machine").multiline().window(0, 600)
        .regex(B + "(?i:machine)[ \\t]+[^\\s#]{1,253}(?:\\s+(?i:login|account)\\s+[^\\s#]{1,128}){0,2}\\s+(?i:password)[ \\t]+(?<s>[^\\s]{3,256})(?!\\S)")
        .validate(v -> !v.startsWith("$")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // .pgpass lines (host:port:database:user:password) have no keyword of their own: the default
    // ports and the "*" wildcard field are the cheapest common anchors anywhere; in a file named
    // .pgpass or pgpass.conf every line is read, whatever its port (decision 110).
    String pgpassLine = "(?m)^[ \\t]*(?:[A-Za-z0-9._-]{1,253}|\\*):(?:\\d{2,5}|\\*):(?:[^:\\s#]{1,63}|\\*):(?:[^:\\s]{1,63}|\\*):(?<s>[^\\s]{3,256})[ \\t]*$";
    r.add(Rule.builder("pgpass-password", "Password in a PostgreSQL .pgpass line").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords(":5432:", ":5433:", ":6432:", ":*:").window(260, 400)
        .regex(pgpassLine).inFile(CredentialFile.PGPASS, pgpassLine)
        .validate(v -> !v.startsWith("$") && !v.replace("\\:", "").contains(":")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // A crypt(3)-family or htpasswd hash after a user name at the start of a line (.htpasswd,
    // /etc/shadow): the hash proves the format, and an offline-crackable hash is a credential.
    r.add(Rule.builder("password-hash", "Password hash in an htpasswd or shadow-style file (bcrypt, MD5-crypt, apr1, SHA-crypt, {SHA})")
        .severity(MEDIUM).kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH)
        .exactKeywords(":$2y$", ":$2a$", ":$2b$", ":$1$", ":$apr1$", ":$5$", ":$6$", ":{SHA}", "-CRYPT}$", ":{SSHA")
        .window(80, 200)
        .regex("(?m)^[ \\t]*[A-Za-z0-9._@+-]{1,64}:(?:\\{(?:SHA512|SHA256|MD5|BLF|DES)-CRYPT\\})?(?<s>\\{SSHA(?:256|512)?\\}[A-Za-z0-9+/]{24,120}={0,2}|\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}"
            + "|\\$(?:1|apr1)\\$[./A-Za-z0-9]{1,8}\\$[./A-Za-z0-9]{22}"
            + "|\\$5\\$(?:rounds=\\d{1,9}\\$)?[./A-Za-z0-9]{1,16}\\$[./A-Za-z0-9]{43}"
            + "|\\$6\\$(?:rounds=\\d{1,9}\\$)?[./A-Za-z0-9]{1,16}\\$[./A-Za-z0-9]{86}"
            + "|\\{SHA\\}[A-Za-z0-9+/]{27}=)(?=[:\\s]|$)")
        .placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0).build());
    // ---- FTP/SFTP clients, IDE deployment and database tool configs, mail client rc files
    r.add(Rule.builder("filezilla-password", "Password in a FileZilla sitemanager.xml / recentservers.xml (plain or base64)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH).exactKeywords("<Pass").window(0, 400)
        .regex("<Pass(?<b64>[ \\t]+encoding=\"base64\")?[ \\t]*>(?<s>[^<\\r\\n]{1,512})</Pass>")
        .decode(Rules::fileZillaPassword).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // WinSCP.ini stores session passwords obfuscated (hex, reversible with the host and user name).
    r.add(Rule.builder("winscp-password", "Obfuscated (reversible) session password in a WinSCP.ini").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH).exactKeywords("Password=").multiline().window(2000, 600)
        .regex("(?m)^\\[Sessions\\\\[^\\]\\r\\n]{1,200}\\]\\r?\\n(?:(?!\\[)[^\\r\\n]*\\r?\\n){0,60}?Password=(?<s>[0-9A-F]{16,1024})[ \\t]*\\r?$")
        .placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0).build());
    r.add(Rule.builder("sftp-config-password", "Password in an SFTP/FTP deployment config (VS Code sftp.json, Sublime sftp-config.json)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).exactKeywords("\"password\"").multiline().window(1000, 300)
        .regex("\"(?:protocol|type)\"\\s*:\\s*\"(?:sftp|ftps?)\"[^{}]{0,1000}?\"password\"\\s*:\\s*\"(?<s>(?:[^\"\\\\\\r\\n]|\\\\.){3,256})\"")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(Rule.builder("xml-password", "Password in XML configuration (Maven settings.xml <password>, <property name=\"…password\" value=…>, data sources)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM)
        .keywords("password>", "passwd>", "pwd>", "password\" value=\"", "pwd\" value=\"", "password\">", "password</key>").multiline().window(200, 300)
        .regex("(?:<(?!user-password>)(?<t>(?:[A-Za-z][A-Za-z0-9_.-]{0,40}?)?(?i:password|passwd|pwd))>(?=[^<\\r\\n]{3,256}</\\k<t>>)"
            + "|<(?:property|add|entry|param|parameter|setting)\\s+(?:name|key)=\"[A-Za-z0-9_.:-]{0,60}?(?i:password|passwd|pwd)\"\\s+value=\""
            + "|<property\\s+name=\"(?:[A-Za-z0-9_-]+\\.)*(?i:password)\"\\s*>"
            + "|<key>(?i:password)</key>[ \\t]*\\r?\\n?[ \\t]*<string>)"
            + "(?<s>[^<\"{$\\s][^<\"\\r\\n]{2,255})(?:</|\")")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // JetBrains IDEs (before 2016.3, and webServers.xml still) scramble passwords reversibly: each
    // character as 4 hex digits, XOR 0xdfaa. Decoded, the placeholder and entropy checks see the password.
    r.add(Rule.builder("jetbrains-password", "Scrambled (reversible) password in a JetBrains IDE config (webServers.xml fileTransfer, dataSources.xml user-password)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH).exactKeywords("<fileTransfer", "<user-password>").window(0, 1000)
        .regex("(?:<fileTransfer\\s[^>\\r\\n]{0,800}?\\bpassword=\"|<user-password>)(?<s>(?:[0-9a-f]{4}){2,128})(?=\"|</user-password>)")
        .decode(Rules::jetBrainsPassword).placeholders(Rule.PlaceholderCheck.URL_PASSWORD).randomness(0.5).build());
    r.add(Rule.builder("redis-conf-password", "Password in a redis.conf / sentinel.conf (requirepass, masterauth)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("requirepass", "masterauth").window(0, 300)
        .lineStart(Rule.LineStart.KEYWORD)
        .regex("(?i:requirepass|masterauth)[ \\t]+(?<q>[\"']?)(?<s>[^\\s\"']{3,256})\\k<q>[ \\t]*(?:#[^\\r\\n]*)?(?=\\r?\\n|$)")
        .validate(v -> !v.startsWith("$")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // Environment lists name the variable on one key and give its value on the next: Kubernetes and
    // compose "- name: DB_PASSWORD / value: …", ECS task definitions {"name": "…", "value": "…"}.
    r.add(Rule.builder("env-entry-secret", "Secret in a name/value environment entry (Kubernetes env, ECS task definition, app settings)").severity(MEDIUM)
        .kind(Rule.Kind.FALLBACK).confidence(Confidence.MEDIUM)
        // anchored at the "name" key (cheap to refuse), not at the secret word: "token" is everywhere in code
        .keywords("name:", "name\":", "name':").multiline().window(0, 300)
        .regex("(?<![A-Za-z0-9_])name[\"']?[ \\t]*:[ \\t]*[\"']?[A-Za-z0-9_.-]{0,40}"
            + "(?i:passw(?:or)?d|pwd|_pass|secret|token|api_?key|private_?key)[A-Za-z0-9_.-]{0,20}[\"']?"
            + "[ \\t]*,?[ \\t]*(?:\\r?\\n[ \\t]*)?[\"']?value[\"']?[ \\t]*:[ \\t]*(?<q>[\"']?)(?<s>[^\\s\"'`]{4,256})\\k<q>[ \\t]*(?=[,}]|\\r?\\n|$)")
        .rejectIfMatch("(?i)(?:_FILE|_PATH|_URL|_URI|_NAME|_ID|_TYPE|_HEADER|_ENDPOINT|_TTL|_LENGTH|_EXPIRY|_REF|_KEY_ID|_HOST|_PORT|_USER|_USERNAME)[\"']?[ \\t]*,?[ \\t]*(?:\\r?\\n[ \\t]*)?[\"']?value")
        .validate(v -> Rules.notCode(v) && !v.endsWith(",")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(Rule.builder("ldap-bind-password", "LDAP bind password in ldap.conf / nslcd.conf / pam_ldap (bindpw), slapd.conf (rootpw), sssd (ldap_default_authtok)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("bindpw", "rootpw", "ldap_default_authtok").window(0, 300)
        .lineStart(Rule.LineStart.KEYWORD)
        .regex("(?i:bindpw|rootpw|ldap_default_authtok)(?:[ \\t]*=[ \\t]*|[ \\t]+)(?<q>[\"']?)(?<s>[^\\s\"']{3,256})\\k<q>[ \\t]*(?=\\r?\\n|$)")
        .validate(v -> !v.startsWith("$")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // Gradle / Groovy DSL credentials blocks give the password as a method call: password 'x'.
    r.add(Rule.builder("gradle-credentials-password", "Password in a Gradle/Groovy credentials block (password 'x')").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).exactKeywords("password '", "password \"").window(0, 300)
        .lineStart(Rule.LineStart.KEYWORD)
        .regex("password[ \\t]+(?<q>['\"])(?<s>[^'\"\\r\\n$]{3,256})\\k<q>[ \\t]*(?://[^\\r\\n]*)?(?=\\r?\\n|$)")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(Rule.builder("mail-client-password", "Password in a mail client rc file (.muttrc smtp_pass/imap_pass, .msmtprc, .fetchmailrc)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM)
        .exactKeywords("smtp_pass", "imap_pass", "pop_pass", "auth on", "auth plain", "auth login", "password \"", "password '",
            "pass \"", "pass '")
        .multiline().window(600, 2000)
        .regex("(?:\\bset[ \\t]+(?:smtp|imap|pop)_pass[ \\t]*=[ \\t]*"
            + "|(?m:^)[ \\t]*auth[ \\t]+(?:on|plain|login)[ \\t]*\\r?\\n(?:[^\\r\\n]*\\r?\\n){0,40}?[ \\t]*password[ \\t]+"
            // fetchmail takes "pass" for "password" (poll host user "me" pass "x" is me here)
            + "|\\bpoll[ \\t]+[^\\s;]+(?:(?!\\bpoll\\b)[^;]){0,300}?\\bpass(?:word)?[ \\t]+)"
            + "(?<q>[\"']?)(?<s>[^\\s\"'`]{3,256})\\k<q>(?!\\S)")
        .validate(v -> !v.startsWith("$")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // ---- SQL dumps: users created or inserted with their passwords or password hashes
    r.add(Rule.builder("sql-user-password", "Password in a SQL CREATE/ALTER USER or ROLE, GRANT ... IDENTIFIED BY or SET PASSWORD").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH)
        .keywords("identified by", "identified with", "password '", "set password").window(300, 300)
        .regex("(?i:\\b(?:(?:create|alter)\\s+(?:user|role)|grant)\\b[^;\\r\\n]{1,300}?(?:identified\\s+(?:with\\s+\\w+\\s+)?by(?:\\s+password)?|\\bpassword)"
            + "|\\bset\\s+password\\s+(?:for\\s+[^=;\\r\\n]{1,200})?=\\s*(?:password\\s*\\(\\s*)?)\\s*"
            // quoted, or Oracle's unquoted identifier (CREATE USER hr IDENTIFIED BY Tiger9)
            + "(?:'(?<s>(?:[^'\\\\\\r\\n]|''|\\\\.){3,256})'"
            + "|(?<=(?i:by)[ \\t]{1,8})(?<u>[A-Za-z][A-Za-z0-9_#$]{2,29})(?=[ \\t]*(?:;|\\r?\\n|$)|[ \\t]+(?i:default|account|quota|password|temporary|profile)\\b))")
        .locate(Rules::quotedOrUnquoted)
        .validate(v -> sqlPassword(v) && !v.matches("(?i)values|externally|globally|password|random|no")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(Rule.builder("sql-insert-password", "Password in the password column of a SQL INSERT (users tables in dumps and seeds)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("insert into").multiline().window(0, 4000)
        .regex("(?i:insert\\s+(?:ignore\\s+)?into)\\s+(?:[`\"\\[]?\\w+[`\"\\]]?\\.)?[`\"\\[]?\\w+[`\"\\]]?\\s*\\((?<c>[^()';]{1,600})\\)\\s*(?i:values)\\s*(?=\\()")
        .locate(SqlInsert::passwordValues).validate(Rules::sqlPassword)
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // mysqldump writes rows without a column list: a quoted web-framework hash in a row is itself the anchor.
    r.add(Rule.builder("sql-password-hash", "Password hash in a quoted SQL value (phpass, bcrypt, argon2, Django pbkdf2)").severity(MEDIUM)
        .kind(Rule.Kind.TOKEN).confidence(Confidence.HIGH)
        .exactKeywords("'$P$", "'$H$", "'$2y$", "'$2a$", "'$2b$", "'$argon2", "'pbkdf2_sha256$").window(0, 300)
        .regex("(?<=[(,][ \\t]{0,2})'(?<s>\\$[PH]\\$[./A-Za-z0-9]{31}|\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}"
            + "|\\$argon2(?:id|i|d)\\$v=\\d+\\$m=\\d+,t=\\d+,p=\\d+\\$[A-Za-z0-9+/]{11,64}\\$[A-Za-z0-9+/]{16,128}"
            + "|pbkdf2_sha256\\$\\d{4,7}\\$[A-Za-z0-9]{6,64}\\$[A-Za-z0-9+/]{43}=)'(?=[ \\t]*[,)])")
        .validate(v -> !WELL_KNOWN_HASHES.contains(v)).placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0).build());
    // pg_dump writes table data as COPY blocks: tab-separated rows up to a "\." line.
    r.add(Rule.builder("sql-copy-password", "Password in the password column of a PostgreSQL COPY ... FROM stdin block (pg_dump)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("from stdin").multiline().window(700, 65_536)
        .regex("(?i:copy)[ \\t]+(?:\"?\\w+\"?\\.)?\"?\\w+\"?[ \\t]*\\((?<c>[^()';\\r\\n]{1,600})\\)[ \\t]+(?i:from[ \\t]+stdin);?[ \\t]*\\r?\\n")
        .locate(SqlCopy::passwordValues).validate(Rules::sqlPassword)
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // ---- VoIP and game servers
    r.add(Rule.builder("sip-secret", "Secret of a SIP/IAX peer, PJSIP auth section or Asterisk manager user (sip.conf, iax.conf, pjsip.conf, manager.conf)")
        .severity(HIGH).kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM)
        .exactKeywords("secret", "md5secret", "remotesecret", "md5_cred", "type=auth", "type = auth").multiline().window(0, 2000)
        .lineStart(Rule.LineStart.KEYWORD)
        .regex("(?:(?:secret|md5secret|remotesecret|md5_cred)[ \\t]*=>?[ \\t]*"
            + "|type[ \\t]*=[ \\t]*auth[ \\t]*\\r?\\n(?:(?![ \\t]*\\[)[^\\r\\n]*\\r?\\n){0,30}?[ \\t]*password[ \\t]*=>?[ \\t]*)"
            + "(?<s>[^\\s;]{3,128})(?=[ \\t]*(?:;[^\\r\\n]*)?(?:\\r?\\n|$))")
        .validate(Rules::notCode).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(Rule.builder("game-server-password", "RCON or join password of a game server (server.cfg rcon_password/sv_password, +rcon.password launch options)")
        .severity(HIGH).kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM)
        .keywords("rcon_password", "sv_password", "g_password", "rcon.password").window(0, 200)
        .regex("(?i:rcon_password|sv_password|g_password|rcon\\.password)[ \\t]+(?<q>\"?)(?<s>[^\\s\"]{3,128})\\k<q>"
            + "(?=[ \\t]*(?:(?://|#)[^\\r\\n]*)?(?:\\r?\\n|$)|[ \\t]+[+-])")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(Rule.builder("teamspeak-serverquery-password", "TeamSpeak ServerQuery admin password (login serveradmin, serveradmin_password=, first-start banner)")
        .severity(HIGH).kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM)
        .keywords("login serveradmin", "client_login_password=", "serveradmin_password=", "loginname= \"serveradmin\"").window(0, 200)
        .regex("(?:(?i:login)[ \\t]+serveradmin[ \\t]+|client_login_password=|serveradmin_password=|loginname= \"serveradmin\", password= \")"
            + "(?<s>[^\\s\"]{3,128})")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // ---- Saved-login exports of browsers and password managers
    r.add(Rule.builder("browser-login-export", "Password in a saved-login CSV export (Chrome, Edge, Firefox, Safari, Bitwarden, LastPass, 1Password, KeePass, Dashlane)")
        .severity(CRITICAL).kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH)
        .keywords("username,password", "\"username\",\"password\"", "login_username,login_password", "\"login name\",\"password\"",
            "title,password")
        .multiline().window(400, 65_536)
        .regex("(?m)^(?<c>[^\\r\\n]{0,400}(?i:password)[^\\r\\n]{0,400})\\r?\\n")
        .locate(CsvLogins::passwordValues).decode((match, v) -> v.replace("\"\"", "\""))
        .placeholders(Rule.PlaceholderCheck.FULL).randomness(0).build());
    r.add(Rule.builder("bitwarden-export-password", "Password in an unencrypted Bitwarden (or Vaultwarden) JSON export")
        .severity(CRITICAL).kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH).exactKeywords("\"login\"").multiline().window(0, 4000)
        .regex("\"login\"\\s*:\\s*\\{(?:[^{}]|\\{(?:[^{}]|\\{[^{}]*\\})*\\})*?\"password\"\\s*:\\s*\"(?<s>(?:[^\"\\\\\\r\\n]|\\\\.){1,256})\"")
        .validate(v -> !BITWARDEN_CIPHER.matcher(v).matches())
        .placeholders(Rule.PlaceholderCheck.FULL).randomness(0).build());
    // ---- Language and framework secrets by assignment
    r.add(Rule.builder("wordpress-auth-key", "WordPress authentication key or salt (wp-config.php)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH).keywords("define").window(0, 400)
        .regex(B + "define\\s*\\(\\s*(?<q1>['\"])(?:SECURE_)?(?:AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT)\\k<q1>\\s*,\\s*(?<q>['\"])(?<s>[^'\"\\r\\n]{32,128})\\k<q>\\s*\\)")
        .placeholders(Rule.PlaceholderCheck.WORDS).randomness(0.7).build());
    r.add(Rule.builder("php-define-password", "Password or secret in a PHP define() (DB_PASSWORD, SMTP_PASS, API secrets)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("define").window(0, 400)
        .regex(B + "define\\s*\\(\\s*(?<q1>['\"])(?i:[A-Z0-9_]{0,40}(?:PASSWORD|PASSWD|_PASS|_PWD|SECRET|TOKEN|API_KEY)[A-Z0-9_]{0,20})\\k<q1>\\s*,\\s*(?<q>['\"])(?<s>[^'\"\\r\\n]{4,200})\\k<q>\\s*\\)")
        .rejectIfMatch("(?i)(?:SECURE_)?(?:AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT)['\"]|(?:NAME|FILE|PATH|URL|FIELD|LENGTH|TABLE|COOKIE|HEADER)['\"]")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // Positional database credentials in PHP: mysqli_connect(host, user, password, db), new PDO(dsn, user, password).
    r.add(Rule.builder("php-db-connect-password", "Password literal passed to mysqli_connect / mysql_connect / new mysqli / new PDO").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM)
        .keywords("mysqli_connect", "mysql_connect", "mysql_pconnect", "new mysqli", "new pdo").window(0, 600)
        .regex("(?i:mysqli_connect|mysql_p?connect|new[ \\t]+mysqli|new[ \\t]+PDO)[ \\t]*\\([ \\t]*"
            + "(?:(?:'[^'\\r\\n]{0,300}'|\"[^\"\\r\\n]{0,300}\"|\\$[A-Za-z_][A-Za-z0-9_]*|[A-Z_]{1,40})[ \\t]*,[ \\t]*){2}"
            + "(?<q>['\"])(?<s>[^'\"\\r\\n]{3,128})\\k<q>")
        .validate(v -> !v.startsWith("$")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // Passwords on a command line: mysql -pSECRET (no space: "-p" alone prompts), --password=, sshpass -p.
    r.add(Rule.builder("cli-password-argument", "Password on a command line (mysql/mysqldump -p…, --password=…, sshpass -p …)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM)
        .keywords("mysql", "mariadb", "sshpass", "docker login", "sqlplus").window(0, 300)
        .regex("(?:docker[ \\t]+login[ \\t](?:[^\\r\\n|;&<>]{0,200}?[ \\t])??(?:-p|--password)(?:[ \\t]+|=)"
            + "|(?:mysql|mariadb)(?:dump|admin|import|check|-dump|-admin)?(?:\\.exe)?[ \\t](?:[^\\r\\n|;&<>]{0,200}?[ \\t])??-p"
            + "|(?:mysql|mariadb)(?:dump|admin|import|check|-dump|-admin)?(?:\\.exe)?[ \\t](?:[^\\r\\n|;&<>]{0,200}?[ \\t])??--password="
            + "|sshpass[ \\t]+-p[ \\t]*)"
            + "(?<q>['\"]?)(?<s>[^\\s'\"`$-][^\\s'\"`]{2,127})\\k<q>(?=\\s|$)"
            // sqlplus user/password@service: the password ends at the last '@' before the service
            + "|sqlplus(?:\\.exe)?[ \\t]+(?:-[sSlL][ \\t]+)*[A-Za-z0-9_$#]{1,30}/(?<u>[^\\s'\"`/$][^\\s'\"`/]{2,127})@[A-Za-z0-9_.:/-]+(?=\\s|$)")
        .locate(Rules::quotedOrUnquoted)
        .validate(v -> !v.startsWith("%") && !v.startsWith("{")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // ---- Network, device and sync-tool configuration (decision 109, round 2)
    // wpa_supplicant.conf psk="passphrase" (8-63 characters) or an unquoted 64-hex key; NetworkManager
    // .nmconnection and hostapd.conf write the passphrase unquoted. "psk=" first on its line, so
    // hostapd's wpa_psk_file= or an env WIFI_PSK= does not wake it.
    r.add(Rule.builder("wifi-psk", "Wi-Fi pre-shared key (wpa_supplicant.conf psk=, NetworkManager .nmconnection psk=, hostapd wpa_passphrase=)")
        .severity(HIGH).kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("psk=", "wpa_passphrase=").window(0, 200)
        .lineStart(Rule.LineStart.KEYWORD)
        .regex("(?i:psk|wpa_passphrase)=(?:\"(?<s>[^\"\\r\\n]{8,63})\"|(?<u>[^\\s\"#][^\\s\"]{7,63}))[ \\t]*(?=\\r?\\n|$)")
        .locate(Rules::quotedOrUnquoted).validate(v -> !v.startsWith("$")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // snmpd.conf: createUser NAME SHA authpass [AES [privpass]] (both are secrets), and v1/v2c
    // communities other than the defaults public/private (rocommunity, rwcommunity, com2sec).
    r.add(Rule.builder("snmp-credential", "SNMPv3 user passphrases (createUser) or a non-default v1/v2c community (rocommunity, rwcommunity, com2sec) in snmpd.conf")
        .severity(HIGH).kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).exactKeywords("createUser", "rocommunity", "rwcommunity", "com2sec")
        .window(0, 400).lineStart(Rule.LineStart.KEYWORD)
        .regex("createUser[ \\t]+(?:-e[ \\t]+\\S+[ \\t]+)?[^\\s\"]+[ \\t]+(?:MD5|SHA(?:-?(?:224|256|384|512))?)[ \\t]+(?:\"(?<s>[^\"\\r\\n]{8,128})\"|(?<u>[^\\s\"#]{8,128}))"
            + "(?:[ \\t]+(?:DES|AES(?:-?(?:128|192|256))?)(?:[ \\t]+(?:\"(?<ps>[^\"\\r\\n]{8,128})\"|(?<pu>[^\\s\"#]{8,128})))?)?[ \\t]*(?=\\r?\\n|$)"
            + "|(?:r[ow]community6?[ \\t]+|com2sec6?[ \\t]+(?:-Cn[ \\t]+\\S+[ \\t]+)?\\S+[ \\t]+\\S+[ \\t]+)(?<c>[^\\s\"#-][^\\s\"]{3,63})(?=[ \\t]|\\r?\\n|$)")
        .locate(groups("s", "u", "ps", "pu", "c")).validate(Rules::snmpSecret).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // OpenVPN profiles may carry the auth-user-pass file inline: user name line, password line. The
    // separate auth-user-pass file is those two bare lines alone, read only in files whose name
    // says so (CredentialFile.OPENVPN_AUTH, decision 110).
    r.add(Rule.builder("openvpn-auth-user-pass", "Password in an OpenVPN auth-user-pass file (auth.txt, *.auth…) or an inline <auth-user-pass> block of an .ovpn profile").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).exactKeywords("<auth-user-pass>").multiline().window(0, 600)
        .regex("<auth-user-pass>[ \\t]*\\r?\\n[ \\t]*[^\\s<][^\\r\\n]{0,255}\\r?\\n[ \\t]*(?<s>[^\\s<][^\\r\\n]{2,255}?)[ \\t]*\\r?\\n[ \\t]*</auth-user-pass>")
        .wholeFile(CredentialFile.OPENVPN_AUTH, "\\A[ \\t]*[^\\s=:#;\"'<>]{1,128}[ \\t]*\\r?\\n[ \\t]*(?<s>[^\\s#;][^\\s]{2,255})[ \\t\\r\\n]*\\z")
        // a patch that changes only the password adds line 2 alone
        .wholeFileFromLine(2, "\\A[ \\t]*(?<s>[^\\s#;][^\\s]{2,255})[ \\t\\r\\n]*\\z")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // PgBouncer userlist.txt: "user" "md5<hex>" or "user" "SCRAM-SHA-256$…". A clear-text line is
    // two quoted strings, as C writes adjacent literals: not recognisable without the file name.
    r.add(Rule.builder("pgbouncer-userlist-hash", "Password hash (md5, SCRAM-SHA-256) in a PgBouncer userlist.txt line").severity(MEDIUM)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH).exactKeywords("\"md5", "\"SCRAM-SHA-256$").window(80, 300)
        .regex("(?m)^[ \\t]*\"[^\"\\r\\n]{1,64}\"[ \\t]+\"(?<s>md5[0-9a-f]{32}"
            + "|SCRAM-SHA-256\\$\\d{1,7}:[A-Za-z0-9+/]{16,64}={0,2}\\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=)\"[ \\t]*(?=\\r?\\n|$)")
        .placeholders(Rule.PlaceholderCheck.MARKERS).randomness(0).build());
    // Its clear-text lines ("user" "password"; "" escapes a quote; PgBouncer ignores the rest of
    // the line) are two adjacent quoted strings, as C and Python write literals: read only in a
    // file named userlist.txt (decision 110). Hashes are the rule above's; a value of words and
    // spaces is a display name (other tools' user lists), not a password.
    r.add(Rule.builder("pgbouncer-userlist-password", "Clear-text password in a PgBouncer userlist.txt line (\"user\" \"password\")").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM)
        .inFile(CredentialFile.PGBOUNCER_USERLIST, "(?m)^[ \\t]*\"(?:[^\"\\r\\n]|\"\"){1,64}\"[ \\t]+\"(?<s>(?:[^\"\\r\\n]|\"\"){3,256})\"(?:[ \\t][^\\r\\n]*)?$")
        .validate(v -> !v.matches("md5[0-9a-f]{32}") && !v.startsWith("SCRAM-SHA-256$") && !v.startsWith("$")
            && !v.matches("[A-Za-z.'-]+(?: [A-Za-z.'-]+)+")) // "jdoe" "John Doe": a user list of names
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // Windows: net use \\host\share /user:NAME PASSWORD, or net use Z: \\host\share PASSWORD /user:NAME
    // ("*" prompts; %VAR% and $var are references).
    String netPass = "(?:\"(?<%1$s>[^\"\\r\\n]{3,127})\"|(?<%2$s>[^\\s\"/*%%$][^\\s\"]{2,127}))(?=\\s|$)";
    r.add(Rule.builder("net-use-password", "Password on a Windows net use command line (net use \\\\host\\share /user:NAME PASSWORD)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords("net use").window(0, 400)
        .regex(B + "(?i:net)[ \\t]+(?i:use)[ \\t]+(?:(?:[A-Za-z]:|\\*)[ \\t]+)?(?:\"\\\\\\\\[^\"\\r\\n]+\"|\\\\\\\\[^\\s\"]+)"
            + "(?:(?:[ \\t]+/(?!(?i:u|user):)[^\\s]+)*[ \\t]+/(?i:u|user):(?:\"[^\"\\r\\n]+\"|[^\\s\"]+)[ \\t]+"
            + String.format(java.util.Locale.ROOT, netPass, "s", "u")
            + "|[ \\t]+" + String.format(java.util.Locale.ROOT, netPass, "s2", "u2")
            + "(?:[ \\t]+/[^\\s]+)*?[ \\t]+/(?i:u|user):)")
        .locate(groups("s", "u", "s2", "u2")).validate(v -> !v.matches("![A-Za-z0-9_]+!")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // mbsync/isync .mbsyncrc: Pass in an IMAPAccount or IMAPStore section (PassCmd runs a command: no secret).
    r.add(Rule.builder("mbsync-password", "Password in an mbsync/isync .mbsyncrc IMAPAccount or IMAPStore section (Pass)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).exactKeywords("IMAPAccount", "IMAPStore").multiline().window(0, 2000)
        .lineStart(Rule.LineStart.KEYWORD)
        .regex("IMAP(?:Account|Store)[ \\t]+[^\\s]{1,200}[ \\t]*\\r?\\n"
            + "(?:(?![ \\t]*(?:IMAPAccount|IMAPStore|MaildirStore|Channel|Group)[ \\t])[^\\r\\n]*\\r?\\n){0,30}?"
            + "[ \\t]*Pass[ \\t]+(?:\"(?<s>(?:[^\"\\\\\\r\\n]|\\\\.){3,256})\"|(?<u>[^\\s\"]{3,256}))[ \\t]*(?=\\r?\\n|$)")
        .locate(Rules::quotedOrUnquoted).validate(v -> !v.startsWith("$")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // Ansible's --vault-password-file: the password alone on one line, in a file named for it
    // (.vault_pass, vault-password.txt…); a script of that name has more lines (decision 110).
    r.add(Rule.builder("ansible-vault-password-file", "Ansible vault password file (.vault_pass, vault_password.txt…): decrypts every vault in the repository").severity(CRITICAL)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM)
        .wholeFile(CredentialFile.ANSIBLE_VAULT_PASSWORD, "\\A[ \\t\\r\\n]*(?<s>[^\\s#][^\\s]{5,255})[ \\t\\r\\n]*\\z")
        .validate(v -> !v.startsWith("$")).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(Rule.builder("django-secret-key", "Django SECRET_KEY in settings").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).exactKeywords("SECRET_KEY").window(0, 300)
        .regex(B + "SECRET_KEY(?:['\"]\\])?\\s*=\\s*[rbu]?(?<q>['\"])(?<s>[^'\"\\r\\n]{20,128})\\k<q>")
        .placeholders(Rule.PlaceholderCheck.WORDS).randomness(0.6).build());
    r.add(Rule.builder("laravel-app-key", "Laravel APP_KEY (encrypts sessions and cookies)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH).exactKeywords("APP_KEY").window(0, 200).assignment()
        .regex(B + "APP_KEY['\"]?\\s*(?:=|,)\\s*['\"]?(?<s>base64:[A-Za-z0-9+/]{43}=)").randomness(0.6).build());
    r.add(Rule.builder("rails-secret-key-base", "Rails secret_key_base (signs and encrypts cookies)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH).keywords("secret_key_base").window(0, 400).assignment()
        .regex(B + "(?i:secret_key_base)['\"]?\\s*(?::|=>|=)\\s*['\"]?(?<s>[0-9a-f]{64,256})(?![0-9A-Za-z])").randomness(0.7).build());
    // config/master.key and config/credentials/<env>.key: 32 lowercase hex alone in the file, known
    // only by the path (decision 110); it decrypts the committed credentials.yml.enc.
    r.add(Rule.builder("rails-master-key", "Rails master key (config/master.key, config/credentials/<env>.key): decrypts the committed credentials").severity(CRITICAL)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.HIGH)
        .wholeFile(CredentialFile.RAILS_KEY, "\\A[ \\t\\r\\n]*(?<s>[0-9a-f]{32})[ \\t\\r\\n]*\\z").randomness(0.7).build());
    r.add(Rule.builder("properties-password", "Password in a Java .properties key (spring.datasource.password=...)").severity(HIGH)
        .kind(Rule.Kind.CONTEXT).confidence(Confidence.MEDIUM).keywords(".password", ".passwd", ".pwd").window(160, 200)
        .regex("(?m)^[ \\t]*[A-Za-z][A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+)*\\.(?i:password|passwd|pwd)[ \\t]*[=:][ \\t]*(?<s>[^\\s\"'#!][^\\s]{3,127})[ \\t]*$")
        .validate(Rules::propertiesPassword).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    r.add(Rule.builder("shell-export-secret", "Secret in a shell export (export X_PASSWORD=, _SECRET=, _TOKEN=)").severity(MEDIUM)
        .kind(Rule.Kind.FALLBACK).confidence(Confidence.MEDIUM).keywords("export").window(0, 400)
        .regex(B + "export[ \\t]+[A-Za-z_][A-Za-z0-9_]{0,40}?(?i:PASSWORD|PASSWD|_PASS|_PWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY)[A-Za-z0-9_]{0,20}"
            + "=(?<q>['\"]?)(?<s>[^\\s'\"`$]{6,256})\\k<q>(?=[\\s;]|$)")
        .rejectIfMatch("(?i)(?:FILE|PATH|DIR|URL|URI|NAME|_ID|TYPE|HEADER|ENDPOINT|EXPIRY|EXPIRES|TTL|LENGTH|ARN|HOST|PORT|USER|COMMAND|CMD)=")
        .placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.6).build());
    // YAML/INI/TOML/.env values with punctuation under a secret's key: generic-secret takes only
    // base64-like values and generic-password no bare "pass" key; this fills those gaps.
    r.add(Rule.builder("config-secret-value", "Password or secret with punctuation as a whole YAML/INI/TOML/.env value (client_secret: \"q7$v…\", pass = …)")
        .severity(MEDIUM).kind(Rule.Kind.FALLBACK).confidence(Confidence.LOW).keywords("secret", "pass", "token").window(0, 300).assignment()
        .lineStart(Rule.LineStart.KEY_NAME)
        .regex("(?i:secret(?:[_.-]?key)?|pass(?:word|wd|phrase)?|token)"
            + "[\"']?[ \\t]*[:=][ \\t]*(?<q>[\"']?)(?<s>[!-~&&[^\"'`\\\\]]{6,128})\\k<q>[ \\t]*(?:[#;][^\\r\\n]*)?(?=\\r?\\n|$)")
        .validate(Rules::punctuatedSecret).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.5).build());
    // No keyword and no expression: sweeps every token-shaped run (decision 106).
    r.add(Rule.builder("high-entropy-string", "High-entropy string assigned to a key or quoted, in no known provider format")
        .severity(LOW).kind(Rule.Kind.ENTROPY).confidence(Confidence.LOW).sweep(HighEntropy.sweeper()).build());
    String genericValue = "(?<s>[^\\x00-\\x20\\x7f-\\xff\"'`,;(){}\\[\\]<>\\\\]{%d,%d})";
    r.add(Rule.builder("generic-password", "Hardcoded password in code or configuration").severity(MEDIUM)
        .kind(Rule.Kind.GENERIC).confidence(Confidence.LOW).keywords("passw", "pwd", "passphrase", "pass").window(0, 300).assignment()
        // "pass" only as a whole key or its last word (db_pass, $pass, "pass":), never bypass or compass;
        // after the value also the end of an XML attribute in a tag, or of a quoted "KEY=value" string
        .regex("(?i:(?:passw(?:or)?d|pwd|passphrase)[A-Za-z0-9_.-]{0,20}|(?<![A-Za-z0-9])pass(?:[_-]?\\d{1,2})?)[\"']?\\s*(?::=|=>|=|:|\\?=)\\s*(?<q>[\"'`]?)"
            + String.format(java.util.Locale.ROOT, genericValue, 6, 100)
            + "\\k<q>(?:(?<=[\"'])(?=/?>)|(?<![\"'`])(?=[\"']\\s*[,\\])])|(?![^\\s,;)}\\]]))")
        .rejectIfMatch("(?i)(?:hash|digest|salt|encryption|policy|length|min|max|field|label|prompt|regex|pattern|format|file|path|url|type|enabled|required|expir|reset|confirm|placeholder|input|validation|strength|rule|_id\\b)[A-Za-z0-9_.-]*[\"']?\\s*(?::=|=>|=|:|\\?=)")
        .validate(Rules::passwordShape).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.6).build());
    r.add(Rule.builder("generic-secret", "Hardcoded secret, token or API key in code or configuration").severity(MEDIUM)
        .kind(Rule.Kind.GENERIC).confidence(Confidence.LOW)
        .keywords("secret", "token", "api_key", "apikey", "api-key", "access_key", "accesskey", "auth_key", "credential", "private_key")
        .window(0, 400).assignment()
        .regex("(?i:(?:secret|token|api[_.-]?key|apikey|access[_.-]?key|accesskey|auth[_.-]?key|credentials?|private[_.-]?key)[A-Za-z0-9_.-]{0,20})[\"']?\\s*(?::=|=>|=|:|\\?=)\\s*(?<q>[\"'`]?)"
            + "(?<s>[A-Za-z0-9+/=_.~-]{16,256})\\k<q>(?![^\\s,;)}\\]])")
        .rejectIfMatch("(?i)(?:hash|sha\\d*|md5|digest|checksum|integrity|commit|nonce|csrf|xsrf|name|type|url|uri|path|file|length|ttl|expir|timeout|header|prefix|regex|pattern|format|field|endpoint|version|count|limit|_id|id\\b|ref|arn|label|kind|policy|manager|provider|store|class|cache|mode|storage|size)[A-Za-z0-9_.-]*[\"']?\\s*(?::=|=>|=|:|\\?=)")
        .validate(Rules::secretShape).placeholders(Rule.PlaceholderCheck.GENERIC).randomness(0.75).build());
    ProviderRules.addTo(r);
    return List.copyOf(r);
    // spotless:on
  }

  /**
   * FileZilla's {@code <Pass encoding="base64">}: the stored value decoded (the password itself);
   * null when it is not base64 of printable text. Plain {@code <Pass>} is the password as written.
   */
  static @Nullable String fileZillaPassword(String match, String value) {
    if (!match.contains("encoding=\"base64\"")) {
      return value;
    }
    try {
      String decoded =
          new String(Base64.getDecoder().decode(value.strip()), StandardCharsets.UTF_8);
      return decoded.length() >= 3
              && decoded.chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd)
          ? decoded
          : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * A JetBrains scrambled password: every 4 hex digits are one character XOR 0xdfaa. Null when a
   * character does not decode to printable text.
   */
  static @Nullable String jetBrainsPassword(String match, String value) {
    StringBuilder sb = new StringBuilder(value.length() / 4);
    for (int i = 0; i + 4 <= value.length(); i += 4) {
      char c = (char) (Integer.parseInt(value, i, i + 4, 16) ^ 0xdfaa);
      if (c < 0x20 || c == 0x7f || Character.isISOControl(c) || Character.isSurrogate(c)) {
        return null;
      }
      sb.append(c);
    }
    return sb.length() >= 3 ? sb.toString() : null;
  }

  /** The span of group {@code s} when it matched, else of group {@code u}. */
  static List<int[]> quotedOrUnquoted(CharSequence text, java.util.regex.MatchResult m, int limit) {
    return m.start("s") >= 0
        ? List.of(new int[] {m.start("s"), m.end("s")})
        : List.of(new int[] {m.start("u"), m.end("u")});
  }

  /** The spans of those of the named groups that took part in the match, in that order. */
  static Rule.Locator groups(String... names) {
    return (text, m, limit) -> {
      List<int[]> out = new ArrayList<>(names.length);
      for (String n : names) {
        if (m.start(n) >= 0) {
          out.add(new int[] {m.start(n), m.end(n)});
        }
      }
      return out;
    };
  }

  /** An SNMP passphrase or community: not a default community name, not a variable reference. */
  static boolean snmpSecret(String v) {
    return !v.equalsIgnoreCase("public")
        && !v.equalsIgnoreCase("private")
        && !v.startsWith("$")
        && !v.startsWith("%")
        && !v.startsWith("{");
  }

  /** Hashes published in framework scaffolding (Laravel's UserFactory hash of "password"). */
  private static final java.util.Set<String> WELL_KNOWN_HASHES =
      java.util.Set.of("$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi");

  /**
   * A SQL password literal: not a psql/printf template, and not an authentication method name
   * ({@code md5}, {@code scram-sha-256}: they name how a password is checked and hold no secret).
   */
  static boolean sqlPassword(String v) {
    String t = v.strip().toLowerCase(java.util.Locale.ROOT);
    return !t.isEmpty()
        && !t.startsWith(":")
        && !t.startsWith("%")
        && !t.equals("md5")
        && !t.equals("scram-sha-256")
        && !t.equals("password")
        && !WELL_KNOWN_HASHES.contains(v);
  }

  private static Rule uri(
      String id, String description, String scheme, String tail, String... keywords) {
    boolean viaSeparator = keywords.length == 1 && keywords[0].equals("://");
    Rule.Builder b =
        Rule.builder(id, description)
            .severity(HIGH)
            .kind(Rule.Kind.GENERIC)
            .confidence(Confidence.MEDIUM)
            .keywords(keywords);
    // scheme keywords (postgres, redis...) start the match; "://" needs the scheme walked back over
    b = viaSeparator ? b.window(24, 400).schemeBefore() : b.window(0, 400);
    return b.regex("(?i:" + scheme + ")" + tail)
        .validate(Rules::urlPassword)
        .placeholders(Rule.PlaceholderCheck.URL_PASSWORD)
        .randomness(0.5)
        .build();
  }

  /**
   * The password part of {@code user:password@host}: not a template ({@code $VAR}, {@code {x}},
   * {@code %(x)s}, {@code %VAR%}); percent-encoded bytes ({@code %40}) are a real password.
   */
  static boolean urlPassword(String v) {
    if (v.startsWith("$") || v.startsWith("{")) {
      return false;
    }
    for (int i = v.indexOf('%'); i >= 0; i = v.indexOf('%', i + 1)) {
      if (i + 2 >= v.length() || !isHex(v.charAt(i + 1)) || !isHex(v.charAt(i + 2))) {
        return false;
      }
    }
    return true;
  }

  /**
   * A {@code .properties} password value: not Jasypt {@code ENC(...)} or Spring Cloud Config {@code
   * {cipher}...}, and not a code statement that happens to start a line with a dotted name ({@code
   * this.password = newPass;}, {@code self.pwd = read()}).
   */
  static boolean propertiesPassword(String v) {
    return !v.startsWith("ENC(")
        && !v.startsWith("{cipher}")
        && !v.endsWith(";")
        && !v.endsWith(")");
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** The body of a key block must be real base64, not an ellipsis or a template. */
  static boolean keyBody(String block) {
    String body = block.replace("\\n", "\n").replace("\\r", "\n");
    int start = body.indexOf('\n');
    int end = body.lastIndexOf("-----END");
    if (start < 0 || end <= start) {
      return false;
    }
    int b64 = 0;
    for (String line : body.substring(start, end).split("\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.contains(": ")) {
        continue; // blank lines and RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED"
      }
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        boolean isB64 = Character.isLetterOrDigit(c) && c < 128 || c == '+' || c == '/' || c == '=';
        if (!isB64) {
          return false;
        }
      }
      b64 += t.length();
    }
    return b64 >= 64;
  }

  /** A JWT's header decodes to a JSON object naming its algorithm; its payload to an object. */
  static boolean jwtShape(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      return false;
    }
    try {
      String header =
          new String(Base64.getUrlDecoder().decode(strip(parts[0])), StandardCharsets.UTF_8);
      String payload =
          new String(Base64.getUrlDecoder().decode(strip(parts[1])), StandardCharsets.UTF_8);
      if (!header.startsWith("{") || !header.contains("\"alg\"") || !payload.startsWith("{")) {
        return false;
      }
      // Supabase/Firebase-style public "anon" keys are meant for browsers.
      return !payload.replace(" ", "").contains("\"role\":\"anon\"");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String strip(String b64) {
    int end = b64.length();
    while (end > 0 && b64.charAt(end - 1) == '=') {
      end--;
    }
    return b64.substring(0, end);
  }

  /** Docker's {@code auth} is base64 of {@code user:password}. */
  static boolean basicAuthPair(String b64) {
    try {
      String decoded = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon > 0
          && colon < decoded.length() - 3
          && decoded.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A password mixes letters with digits or symbols; a bare word or number is not reported. */
  static boolean passwordShape(String v) {
    boolean letter = false;
    boolean other = false;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (Character.isLetter(c)) {
        letter = true;
      } else {
        other = true;
      }
    }
    return letter
        && other
        && !v.matches(
            "[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|\\$2[aby]?\\$.*|\\$argon2.*|\\d+(?:\\.\\d+)*[A-Za-z]?")
        && !BITWARDEN_CIPHER.matcher(v).matches();
  }

  /**
   * A Bitwarden encrypted value, "2.iv|data|mac": what an encrypted export holds instead of a
   * password.
   */
  private static final java.util.regex.Pattern BITWARDEN_CIPHER =
      java.util.regex.Pattern.compile(
          "\\d\\.[A-Za-z0-9+/=]+\\|[A-Za-z0-9+/=]+(?:\\|[A-Za-z0-9+/=]+)?");

  /**
   * A config value that only {@code config-secret-value} can take: it has punctuation outside the
   * base64 alphabet, a letter and a digit, and is not code ({@code f(x)}, {@code a => b}, a
   * trailing comma), a template, a YAML tag or anchor, a URL or an encrypted value.
   */
  static boolean punctuatedSecret(String v) {
    boolean punct = false;
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      letter |= Character.isLetter(c);
      digit |= Character.isDigit(c);
      punct |=
          !(Character.isLetterOrDigit(c)
              || c == '+'
              || c == '/'
              || c == '='
              || c == '_'
              || c == '.'
              || c == '~'
              || c == '-');
    }
    char first = v.charAt(0);
    return punct
        && letter
        && digit
        && "$&*![{<@%|>".indexOf(first) < 0
        && !v.endsWith(",")
        && !v.endsWith(";")
        && notCode(v)
        && !v.contains("=>")
        && !v.contains("->")
        && !v.contains("://")
        && !v.startsWith("ENC(")
        && !v.startsWith("{cipher}")
        && !v.startsWith("vault:");
  }

  /**
   * Not an expression: no call or index ({@code keypair[:32]}, {@code resp[-1].name}, {@code f(x)})
   * where a configuration value was expected (Python and JavaScript assignments also start lines
   * with {@code secret =}).
   */
  static boolean notCode(String v) {
    return !(v.contains("(") && v.contains(")")) && !(v.contains("[") && v.contains("]"));
  }

  /** A generic secret is long, mixes letters and digits and is not a dotted name or a version. */
  static boolean secretShape(String v) {
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      letter |= Character.isLetter(c);
      digit |= Character.isDigit(c);
    }
    if (!letter || !digit) {
      return false;
    }
    // dotted identifiers (com.example.Foo2), file names and version strings are not secrets
    return !v.matches(
            "(?:[A-Za-z][A-Za-z0-9_-]*\\.){2,}[A-Za-z0-9_-]+|[A-Za-z0-9_-]+\\.(?:json|ya?ml|txt|pem|key|crt|properties|xml|env|conf)|v?\\d+(?:\\.\\d+)+.*")
        && !HighEntropy.isEncodedText(
            v); // base64 of JSON or prose: a pagination token, not a credential
  }
}
