package dev.warden.core.inventory;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.error.ValidationException;
import java.util.List;

/**
 * Fuzz targets for the inventory import parsers and the workstation ranges of posture requests.
 * Each may return a value or throw {@link ValidationException}; anything else is a bug. Runs its
 * seeds with every build; {@code JAZZER_FUZZ=1 ./mvnw test -pl warden-core
 * -Dtest=ImportersFuzzTest} fuzzes for real.
 */
class ImportersFuzzTest {
  private static final Fingerprinter FP = new Fingerprinter(new byte[32]);
  private static final Importers.Defaults D = new Importers.Defaults(null, null, null, null, null);

  @FuzzTest(maxDuration = "30s")
  void everyTextFormatParsesOrIsRejected(FuzzedDataProvider data) {
    Importers.Format f =
        data.pickValue(
            new Importers.Format[] {
              Importers.Format.K8S,
              Importers.Format.ENV,
              Importers.Format.CSV,
              Importers.Format.JSON,
              Importers.Format.CI_VARIABLES
            });
    String text = data.consumeRemainingAsString();
    try {
      Importers.Parsed p = Importers.parse(f, text, null, D, FP);
      for (ImportedNhi n : p.items()) {
        if (n.name().isBlank()) {
          throw new IllegalStateException("an item without a name was accepted: " + text);
        }
      }
    } catch (ValidationException expected) {
      // documented outcome
    }
  }

  /** Fields of cloud exports that carry values: no importer may keep one, under any name. */
  private static final java.util.Set<String> VALUE_FIELDS =
      java.util.Set.of(
          "secretaccesskey", "privatekeydata", "secrettext", "hint", "key", "data", "value");

  /**
   * The cloud IAM exports. Seeds are the sample exports with the format's index as the last byte (0
   * credential report, 1 authorization details, 2 GCP keys, 3 Azure, 4 Vault), which is where
   * Jazzer reads the pick from.
   */
  @FuzzTest(maxDuration = "30s")
  void cloudExportsParseOrAreRejectedAndKeepNoValueField(FuzzedDataProvider data) {
    Importers.Format f =
        data.pickValue(
            new Importers.Format[] {
              Importers.Format.AWS_CREDENTIAL_REPORT,
              Importers.Format.AWS_AUTHORIZATION_DETAILS,
              Importers.Format.GCP_SERVICE_ACCOUNT_KEYS,
              Importers.Format.AZURE_CREDENTIALS,
              Importers.Format.VAULT_KV_METADATA
            });
    String text = data.consumeRemainingAsString();
    try {
      Importers.Parsed p = Importers.parse(f, text, null, D, FP);
      for (ImportedNhi n : p.items()) {
        if (n.name().isBlank() || n.fingerprint() != null) {
          throw new IllegalStateException(
              "a nameless or fingerprinted cloud item was accepted: " + n);
        }
        for (String k : n.attributes().keySet()) {
          if (VALUE_FIELDS.contains(k.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalStateException("attribute " + k + " kept from " + f);
          }
        }
      }
    } catch (ValidationException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "20s")
  void workstationRangesParseOrAreRejected(FuzzedDataProvider data) {
    String range = data.consumeString(100);
    String address = data.consumeRemainingAsString();
    try {
      Cidr c = Cidr.parse(range);
      c.contains(address);
      PostureThresholds.DEFAULTS.withWorkstationCidrs(List.of(range));
    } catch (ValidationException expected) {
      // documented outcome
    }
  }
}
