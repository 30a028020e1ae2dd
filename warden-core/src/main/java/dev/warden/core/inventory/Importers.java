package dev.warden.core.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.error.ValidationException;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Inventory imports: Kubernetes dumps, GitHub Actions workflows, .env files, CI/CD variables, CSV
 * and JSON, and cloud IAM exports (AWS, GCP, Azure, Vault), one {@link Importer} per {@link
 * Format}. They keep names and metadata and drop every value: an .env value or a Kubernetes
 * secret's data never leaves its importer, except as an HMAC fingerprint when a {@link
 * Fingerprinter} is given (so the same secret found twice can be recognised, NHI9).
 *
 * <p>Bad rows are collected with their line number; the caller decides whether a partial import is
 * acceptable. Duplicates by (source, kind, name) inside one input are merged (later fields win) and
 * reported.
 */
public final class Importers {
  /** Formats accepted by {@link #parse}. */
  public enum Format {
    K8S,
    GITHUB_WORKFLOW,
    ENV,
    CSV,
    JSON,
    CI_VARIABLES,
    /** {@code aws iam get-credential-report}: access keys and signing certificates */
    AWS_CREDENTIAL_REPORT,
    /** {@code aws iam get-account-authorization-details}: users and roles, with trust */
    AWS_AUTHORIZATION_DETAILS,
    /** {@code gcloud iam service-accounts keys list --format=json} */
    GCP_SERVICE_ACCOUNT_KEYS,
    /** {@code az ad sp|app credential list}, {@code az ad sp|app list} */
    AZURE_CREDENTIALS,
    /** {@code vault kv metadata get -format=json}, with the path added */
    VAULT_KV_METADATA;

    /**
     * @throws ValidationException naming the accepted formats
     */
    public static Format parse(String s) {
      if (s != null) {
        for (Format f : values()) {
          if (f.wire().equalsIgnoreCase(s)) {
            return f;
          }
        }
      }
      throw new ValidationException("format", "'" + s + "' is not one of " + names());
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Every wire name, comma-separated, in declaration order. */
    public static String names() {
      return String.join(", ", java.util.Arrays.stream(values()).map(Format::wire).toList());
    }
  }

  /** Defaults applied to items that do not say: where they came from and who owns them. */
  public record Defaults(
      String source, String owner, String team, String environment, String location) {}

  /** A row that could not be imported. */
  public record LineError(int line, String message) {}

  /** What parsing found. */
  public record Parsed(
      List<ImportedNhi> items, List<LineError> errors, List<String> duplicates, int skipped) {}

  private static final Map<Format, Importer> BY_FORMAT = new EnumMap<>(Format.class);

  static {
    for (Format f : Format.values()) {
      BY_FORMAT.put(f, create(f));
    }
  }

  private Importers() {}

  /**
   * The registry: exhaustive over {@link Format}, so a new format does not compile without its
   * importer.
   */
  private static Importer create(Format f) {
    return switch (f) {
      case K8S -> new K8sImporter();
      case GITHUB_WORKFLOW -> new GithubWorkflowImporter();
      case ENV -> new EnvImporter();
      case CSV -> new CsvImporter();
      case JSON -> new JsonImporter();
      case CI_VARIABLES -> new CiVariablesImporter();
      case AWS_CREDENTIAL_REPORT -> new AwsCredentialReportImporter();
      case AWS_AUTHORIZATION_DETAILS -> new AwsAuthorizationDetailsImporter();
      case GCP_SERVICE_ACCOUNT_KEYS -> new GcpServiceAccountKeysImporter();
      case AZURE_CREDENTIALS -> new AzureCredentialsImporter();
      case VAULT_KV_METADATA -> new VaultKvMetadataImporter();
    };
  }

  /** The importer of {@code format}. */
  static Importer of(Format format) {
    return BY_FORMAT.get(java.util.Objects.requireNonNull(format, "format"));
  }

  /**
   * The importer of a format by its wire name (any case). @throws ValidationException naming the
   * accepted formats
   */
  static Importer named(String format) {
    return of(Format.parse(format));
  }

  /**
   * Parses one input.
   *
   * @param workflowTree for {@link Format#GITHUB_WORKFLOW}, the workflow YAML already read as a
   *     tree (core has no YAML parser); ignored otherwise
   * @param fingerprinter fingerprints .env values; null to drop them entirely
   * @throws ValidationException when the input as a whole is unusable (not JSON at all, no header)
   */
  public static Parsed parse(
      Format format, String text, JsonNode workflowTree, Defaults d, Fingerprinter fingerprinter) {
    return of(format).parse(new Importer.Input(text, workflowTree, d, fingerprinter));
  }

  /** Later non-null fields win; attributes are merged. */
  public static ImportedNhi merge(ImportedNhi a, ImportedNhi b) {
    Map<String, String> attrs = new TreeMap<>(a.attributes());
    attrs.putAll(b.attributes());
    return new ImportedNhi(
        a.source(),
        a.kind(),
        a.name(),
        or(b.owner(), a.owner()),
        or(b.team(), a.team()),
        or(b.environment(), a.environment()),
        or(b.location(), a.location()),
        or(b.fingerprint(), a.fingerprint()),
        or(b.createdAt(), a.createdAt()),
        or(b.expiresAt(), a.expiresAt()),
        or(b.lastRotatedAt(), a.lastRotatedAt()),
        or(b.lastUsedAt(), a.lastUsedAt()),
        attrs);
  }

  private static <T> T or(T a, T b) {
    return ImportFields.or(a, b);
  }
}
