package dev.warden.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CSV cells as Apache Commons CSV reads them, one line per row. */
class CsvImporterTest {
  static final Importers.Defaults D =
      new Importers.Defaults(null, "alice@acme.test", null, null, null);
  static final String VALUE = "sk_live_51HxQzSuperSecretValue";

  static Importers.Parsed parse(String text) {
    return new CsvImporter().parse(new Importer.Input(text, null, D, null));
  }

  @Test
  void quotedCellsKeepCommasAndDoubledQuotes() {
    Importers.Parsed p = parse("name,kind,note\n\"PAY,KEY\",api-key,\"says \"\"rotate\"\"\"\n");
    assertThat(p.errors()).isEmpty();
    assertThat(p.items())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.name()).isEqualTo("PAY,KEY");
              assertThat(n.attributes()).containsEntry("note", "says \"rotate\"");
            });
  }

  @Test
  void spacesAroundCellsAndAroundQuotesAreNotPartOfTheCell() {
    Importers.Parsed p = parse(" Name , KIND \n  \"A\" ,  api-key  \n");
    assertThat(p.errors()).isEmpty();
    assertThat(p.items())
        .extracting(ImportedNhi::name, ImportedNhi::kind)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("A", "api-key"));
  }

  @Test
  void anUnclosedQuoteIsItsOwnLinesErrorAndTheRowsAfterItStillImport() {
    Importers.Parsed p = parse("name,kind\n\n\"A,api-key\nB,api-key\r\nC,\"api-key\n");
    assertThat(p.items()).extracting(ImportedNhi::name).containsExactly("B");
    assertThat(p.errors()).extracting(Importers.LineError::line).containsExactly(3, 5);
    assertThat(p.errors())
        .extracting(Importers.LineError::message)
        .containsOnly("expected 2 columns, got an unterminated quote");
  }

  @Test
  void aBareCarriageReturnStaysInsideItsCellRatherThanStartingARow() {
    Importers.Parsed p = parse("name,kind,note\nA,api-key,x\ry\nB,api-key,\"p\rq\"\n");
    assertThat(p.errors()).isEmpty();
    assertThat(p.items())
        .extracting(n -> n.attributes().get("note"))
        .containsExactly("x\ry", "p\rq");
  }

  @Test
  void aRowWithTooFewOrTooManyCellsIsReportedByItsLineWithoutItsCells() {
    Importers.Parsed p = parse("name,kind\nA\nB,api-key," + VALUE + "\n");
    assertThat(p.items()).isEmpty();
    assertThat(p.errors())
        .extracting(Importers.LineError::line, Importers.LineError::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2, "expected 2 columns, got 1"),
            org.assertj.core.groups.Tuple.tuple(3, "expected 2 columns, got 3"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"name,va\"lue\"", "name,to\"ken", "name,\"a\"\"b\""})
  void aHeaderNameWithAQuoteIsRefusedSoNoValueColumnSlipsPastTheCheck(String header) {
    assertThatThrownBy(() -> parse(header + "\nA," + VALUE + "\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("line 1: column 2")
        .hasMessageNotContaining(VALUE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"name,\"value\"", "NAME,Token", "name, Password ", "name,\"sec\"ret"})
  void aValueColumnIsRefusedHoweverItIsWritten(String header) {
    assertThatThrownBy(() -> parse(header + "\nA," + VALUE + "\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("would hold secret values")
        .hasMessageNotContaining(VALUE);
  }

  @Test
  void onWellFormedLinesTheLibraryReadsWhatTheHandWrittenSplitterRead() {
    Random r = new Random(20261206L);
    String alphabet = "ab ,\"\r\t=x;'";
    for (int n = 0; n < 5_000; n++) {
      StringBuilder line = new StringBuilder();
      int cells = 1 + r.nextInt(4);
      for (int c = 0; c < cells; c++) {
        if (c > 0) {
          line.append(',');
        }
        StringBuilder cell = new StringBuilder();
        for (int i = r.nextInt(6); i > 0; i--) {
          cell.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        String s = cell.toString();
        // well formed: a cell with a quote, comma or CR is quoted whole, its quotes doubled
        line.append(
            s.matches("(?s).*[\",\r].*") || s.isBlank()
                ? "\"" + s.replace("\"", "\"\"") + "\""
                : s.strip());
      }
      assertThat(stripped(CsvImporter.cells(line.toString())))
          .as("%s", line)
          .isEqualTo(stripped(handWritten(line.toString())));
    }
  }

  static List<String> stripped(List<String> cells) {
    return cells == null ? null : cells.stream().map(String::strip).toList();
  }

  /** The splitter the importer had before the library (quotes within one line, RFC 4180 style). */
  static List<String> handWritten(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cur.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    if (quoted) {
      return null;
    }
    out.add(cur.toString());
    return out;
  }
}
