package dev.warden.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.audit.AuditRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON-lines sink on a real file system: whole lines, rotation by size, the newest rotated
 * files kept.
 */
class FileAuditSinkTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aFileIsRotatedAtItsSizeToNamesThatSortByAgeAndOnlyTheNewestAreKept() throws Exception {
    Path file = dir.resolve("logs/audit.jsonl");
    List<AuditRecord> chain = SinkFixtures.chain(60, 900);
    try (FileAuditSink sink = new FileAuditSink(file, 10_000, 3, "chain-1")) {
      for (int i = 0; i < 60; i += 5) {
        List<AuditRecord> batch = chain.subList(i, i + 5);
        sink.publish(batch, SinkFixtures.checkpoint(batch.getLast()));
      }
    }

    List<Path> rotated;
    try (Stream<Path> s = Files.list(file.getParent())) {
      rotated = s.filter(p -> !p.equals(file)).sorted().toList();
    }
    assertThat(rotated).hasSize(3);
    assertThat(rotated)
        .allMatch(p -> p.getFileName().toString().matches("audit\\.jsonl\\.[0-9]{19}"));
    // each rotated file ends with a whole batch: its name is the seq of its last event
    List<Long> seqs = new ArrayList<>();
    for (Path p : rotated) {
      List<String> lines = Files.readAllLines(p);
      JsonNode lastEvent = JSON.readTree(lines.get(lines.size() - 2));
      assertThat(Long.parseLong(p.getFileName().toString().substring("audit.jsonl.".length())))
          .isEqualTo(lastEvent.path("seq").asLong());
      assertThat(JSON.readTree(lines.getLast()).path("kind").asText()).isEqualTo("checkpoint");
      for (String line : lines) {
        JsonNode n = JSON.readTree(line);
        if (n.path("kind").asText().equals("event")) {
          seqs.add(n.path("seq").asLong());
        }
      }
    }
    assertThat(seqs).isSorted().doesNotHaveDuplicates();
    assertThat(seqs.getLast()).isLessThanOrEqualTo(60);
  }

  @Test
  void aSinkOpenedAgainAppendsAfterWhatIsThere() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    List<AuditRecord> chain = SinkFixtures.chain(4, 10);
    try (FileAuditSink sink = new FileAuditSink(file, 1 << 20, 3, "chain-1")) {
      sink.publish(chain.subList(0, 2), SinkFixtures.checkpoint(chain.get(1)));
    }
    try (FileAuditSink sink = new FileAuditSink(file, 1 << 20, 3, "chain-1")) {
      sink.publish(chain.subList(2, 4), SinkFixtures.checkpoint(chain.get(3)));
    }

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(6);
    assertThat(JSON.readTree(lines.get(3)).path("seq").asLong()).isEqualTo(3);
    assertThat(JSON.readTree(lines.get(3)).path("prevHash").asText())
        .isEqualTo(JSON.readTree(lines.get(1)).path("hash").asText());
  }
}
