package dev.warden.core.inventory;

import dev.warden.core.error.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * CSV with a header row naming the columns (any case; {@code name} required). Cells are read by
 * Apache Commons CSV (RFC 4180 quoting), one line at a time: a row is one line, so an unclosed
 * quote is that line's error and never swallows the rows after it, as a partial import needs.
 * Parsing each line on its own costs ~0.5 s for 200,000 rows (24 MiB, above the import limit),
 * small beside storing them.
 *
 * <p>A column that would hold secret values ({@link ImportFields#VALUE_FIELDS}) refuses the whole
 * input, and so does a header cell with a quote in its name: under RFC 4180 a quote that does not
 * open a cell is literal, and a header like {@code va"lue"} must not slip a value column past that
 * check. A bare CR, which the library reads as the end of a record, stays a character of its cell.
 */
final class CsvImporter implements Importer {
  /**
   * Spaces around a quoted cell are not part of it, and text after a closing quote is kept ({@code
   * "a"b} reads {@code ab}), as cells were read before the library.
   */
  private static final CSVFormat LINE =
      CSVFormat.RFC4180
          .builder()
          .setIgnoreSurroundingSpaces(true)
          .setIgnoreEmptyLines(false)
          .setTrailingData(true)
          .get();

  @Override
  public void read(Input in, ImportRows out) {
    String[] lines = in.text().split("\r?\n", -1);
    int h = 0;
    while (h < lines.length && lines[h].isBlank()) {
      h++;
    }
    if (h == lines.length) {
      throw new ValidationException(
          "content", "the CSV is empty; the first line must be a header naming the columns");
    }
    List<String> header = header(lines[h], h + 1);
    for (int i = h + 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      List<String> cells = cells(lines[i]);
      if (cells == null || cells.size() != header.size()) {
        out.error(
            i + 1,
            "expected "
                + header.size()
                + " columns, got "
                + (cells == null ? "an unterminated quote" : Integer.toString(cells.size())));
        continue;
      }
      Map<String, String> row = new LinkedHashMap<>();
      for (int c = 0; c < header.size(); c++) {
        row.put(header.get(c), cells.get(c).strip());
      }
      try {
        out.add(ImportFields.fromFields(row, in.defaults()));
      } catch (ValidationException | DateTimeParseException e) {
        out.error(i + 1, e.getMessage());
      }
    }
  }

  /** The column names, lower case. @throws ValidationException when the header cannot be used */
  private static List<String> header(String line, int number) {
    List<String> cells = cells(line);
    if (cells == null) {
      throw new ValidationException(
          "content", "line " + number + ": the CSV header has an unterminated quote");
    }
    List<String> header = new ArrayList<>();
    for (String c : cells) {
      header.add(c.strip().toLowerCase(Locale.ROOT));
    }
    for (int c = 0; c < header.size(); c++) {
      if (header.get(c).indexOf('"') >= 0) {
        throw new ValidationException(
            "content",
            "line "
                + number
                + ": column "
                + (c + 1)
                + " of the CSV header has a quote in its name");
      }
    }
    for (String c : header) {
      if (ImportFields.VALUE_FIELDS.contains(c)) {
        throw new ValidationException(
            "content", "column '" + c + "' would hold secret values; import names only");
      }
    }
    if (!header.contains("name")) {
      throw new ValidationException("content", "the CSV header must have a 'name' column");
    }
    return header;
  }

  /** One line's cells, unstripped; null when a quote is left open. */
  static List<String> cells(String line) {
    List<String> cells = new ArrayList<>();
    boolean first = true;
    try (CSVParser p = CSVParser.parse(line, LINE)) {
      for (CSVRecord r : p) {
        List<String> next = r.toList();
        if (first) {
          cells.addAll(next.isEmpty() ? List.of("") : next);
          first = false;
          continue;
        }
        // the library also ends a record at a bare CR; a row here is one line, so the CR stays in
        // its cell
        int last = cells.size() - 1;
        cells.set(last, cells.get(last) + '\r' + (next.isEmpty() ? "" : next.get(0)));
        if (next.size() > 1) {
          cells.addAll(next.subList(1, next.size()));
        }
      }
    } catch (UncheckedIOException | IOException e) {
      // the one way a line fails: it ends inside a quoted cell
      return null;
    }
    return first ? List.of("") : cells;
  }
}
