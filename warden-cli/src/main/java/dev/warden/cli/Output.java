package dev.warden.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** --output, shared by every command that prints data. */
final class Output {
  enum Format {
    text,
    json,
    yaml
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text (default), json or yaml")
  Format format = Format.text;

  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  boolean structured() {
    return format != Format.text;
  }

  void print(PrintWriter out, JsonNode n) {
    try {
      out.println(
          format == Format.yaml
              ? YAML.writeValueAsString(n).stripTrailing()
              : PRETTY.writeValueAsString(n));
    } catch (JsonProcessingException e) {
      throw new CliException(2, e.getMessage());
    }
  }
}
