package dev.warden.core.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.error.ValidationException;

/**
 * The reader of one import format: reads a text into NHIs by name and metadata. A value (an .env
 * value, a Kubernetes secret's data, a CI variable) never leaves the importer except as an HMAC
 * fingerprint, and no error message quotes one. Bad rows become {@link Importers.LineError}s with
 * their line. {@link Importers#of} holds one per {@link Importers.Format}.
 */
interface Importer {

  /**
   * Reads {@code in} into {@code out}.
   *
   * @throws ValidationException when the input as a whole is unusable (not JSON at all, no header)
   */
  void read(Input in, ImportRows out);

  /**
   * Reads {@code in} alone.
   *
   * @throws ValidationException when the input as a whole is unusable
   */
  default Importers.Parsed parse(Input in) {
    ImportRows rows = new ImportRows();
    read(in, rows);
    return rows.parsed();
  }

  /**
   * One input.
   *
   * @param workflowTree for {@link Importers.Format#GITHUB_WORKFLOW}, the workflow YAML already
   *     read as a tree (core has no YAML parser); ignored otherwise
   * @param fingerprinter fingerprints values (.env, CI variables); null to drop them entirely
   */
  record Input(
      String text,
      JsonNode workflowTree,
      Importers.Defaults defaults,
      Fingerprinter fingerprinter) {}
}
