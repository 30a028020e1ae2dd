package dev.warden.core.inventory;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A JSON array of items, or {@code {"items": [...]}}, each with the fields of {@link ImportedNhi}
 * (any case) and optional {@code attributes}. Streamed, so a 16 MiB import is never one tree; an
 * item with a field that would hold a secret value is refused, naming the field only.
 */
final class JsonImporter implements Importer {

  @Override
  public void read(Input in, ImportRows out) {
    JsonImports.stream(
        in.text(),
        out,
        p -> {
          JsonToken t = JsonImports.toArray(p, Set.of("items"));
          if (t != JsonToken.START_ARRAY) {
            throw new ValidationException(
                "content", "send a JSON array of items, or {\"items\": [...]}");
          }
          while (p.nextToken() == JsonToken.START_OBJECT) {
            int line = p.currentTokenLocation().getLineNr();
            item(p.readValueAsTree(), line, in.defaults(), out);
          }
          if (p.currentToken() != JsonToken.END_ARRAY) {
            out.error(p.currentTokenLocation().getLineNr(), "every item must be a JSON object");
          }
        });
  }

  private static void item(JsonNode o, int line, Importers.Defaults d, ImportRows out) {
    Map<String, String> row = new LinkedHashMap<>();
    String refused = null;
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      if (k.equals("attributes") && e.getValue().isObject()) {
        for (Map.Entry<String, JsonNode> ae : e.getValue().properties()) {
          if (ImportFields.VALUE_FIELDS.contains(ae.getKey().toLowerCase(Locale.ROOT))) {
            refused = "attributes." + ae.getKey();
          }
          row.put("attr:" + ae.getKey(), ae.getValue().asText());
        }
      } else if (ImportFields.VALUE_FIELDS.contains(k)) {
        refused = e.getKey();
      } else if (e.getValue().isValueNode()) {
        row.put(k, e.getValue().asText());
      }
    }
    if (refused != null) {
      out.error(line, "field '" + refused + "' would hold a secret value; import names only");
      return;
    }
    try {
      out.add(ImportFields.fromFields(row, d));
    } catch (ValidationException | DateTimeParseException e) {
      out.error(line, e.getMessage());
    }
  }
}
