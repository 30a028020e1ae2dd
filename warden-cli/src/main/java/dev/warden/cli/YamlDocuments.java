package dev.warden.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the documents of one YAML (or JSON) file, each with the line it starts on. A syntax error
 * becomes {@code file:line:column: problem}; the offending text itself is never quoted, since a
 * file may hold a value that should not end up in a terminal or a CI log.
 */
final class YamlDocuments {
  /** One non-empty document and the line (1-based) where it starts. */
  record Doc(JsonNode node, int line) {}

  // a key given twice in one mapping silently loses the first value: refuse it instead
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private YamlDocuments() {}

  static List<Doc> read(Path f) {
    List<Doc> docs = new ArrayList<>();
    try (JsonParser p = YAML.getFactory().createParser(f.toFile())) {
      while (p.nextToken() != null) {
        int line = p.currentTokenLocation().getLineNr();
        JsonNode d = YAML.readTree(p);
        if (d == null || d.isNull() || d.isMissingNode() || (d.isObject() && d.isEmpty())) {
          continue;
        }
        docs.add(new Doc(d, line));
      }
    } catch (JsonProcessingException e) {
      throw new CliException(2, describe(f, e));
    } catch (IOException e) {
      throw CliException.io("cannot read", f, e);
    }
    return docs;
  }

  static String describe(Path f, JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
      Mark at = y.getProblemMark();
      Mark from = y.getContextMark();
      String context =
          y.getContext() == null
              ? ""
              : " ("
                  + y.getContext()
                  + (from == null
                      ? ""
                      : " that starts at " + (from.getLine() + 1) + ":" + (from.getColumn() + 1))
                  + ")";
      return f
          + ":"
          + (at.getLine() + 1)
          + ":"
          + (at.getColumn() + 1)
          + ": not valid YAML: "
          + y.getProblem()
          + context;
    }
    JsonLocation at = e.getLocation();
    String problem =
        e.getOriginalMessage() == null
            ? "cannot be parsed"
            : e.getOriginalMessage().lines().findFirst().orElse("");
    return f
        + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
        + ": not valid YAML: "
        + problem;
  }
}
