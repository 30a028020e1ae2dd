package dev.warden.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.core.audit.AuditRecord;
import dev.warden.testkit.PrivateNats;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JetStream sink against a private nats-server: re-sent batches are stored once; a dead broker
 * fails fast.
 */
class NatsAuditSinkTest {
  PrivateNats nats;
  NatsAuditSink sink;

  @BeforeEach
  void start() {
    assumeTrue(
        PrivateNats.available() || System.getenv("CI") != null, PrivateNats.BINARY + " is missing");
    nats = PrivateNats.start();
    sink = new NatsAuditSink(nats.url(), "AUDIT", "wa", Duration.ofMinutes(10), "chain-1");
  }

  @AfterEach
  void stop() {
    if (sink != null) {
      sink.close();
    }
    if (nats != null) {
      nats.close();
    }
  }

  StreamState state() throws Exception {
    try (Connection nc = Nats.connect(nats.url())) {
      return nc.jetStreamManagement().getStreamInfo("AUDIT").getStreamState();
    }
  }

  @Test
  void aBatchHandedInAgainIsStoredOnceByItsMessageIds() throws Exception {
    List<AuditRecord> chain = SinkFixtures.chain(5, 10);

    sink.publish(chain.subList(0, 3), SinkFixtures.checkpoint(chain.get(2)));
    sink.publish(chain.subList(0, 3), SinkFixtures.checkpoint(chain.get(2)));
    sink.publish(chain.subList(0, 5), SinkFixtures.checkpoint(chain.get(4)));

    // 5 events and 2 checkpoints (of events 3 and 5), each once
    assertThat(state().getMsgCount()).isEqualTo(7);
    try (Connection nc = Nats.connect(nats.url())) {
      assertThat(
              nc.jetStreamManagement()
                  .getLastMessage("AUDIT", "wa.events")
                  .getHeaders()
                  .getFirst("Nats-Msg-Id"))
          .isEqualTo("chain-1-5");
    }
  }

  @Test
  void aBrokerThatIsDownFailsThePublishAtOnceAndTheSinkConnectsAgainWhenItIsBack()
      throws Exception {
    List<AuditRecord> chain = SinkFixtures.chain(4, 10);
    sink.publish(chain.subList(0, 2), SinkFixtures.checkpoint(chain.get(1)));
    nats.kill();

    long t0 = System.nanoTime();
    assertThatThrownBy(
            () -> sink.publish(chain.subList(2, 4), SinkFixtures.checkpoint(chain.get(3))))
        .isInstanceOf(IOException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));

    nats.restart();
    sink.publish(chain.subList(2, 4), SinkFixtures.checkpoint(chain.get(3)));
    assertThat(state().getLastSequence()).isEqualTo(6);
  }
}
