package dev.warden.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The subscriber of docs/audit-streaming.md: reads Warden's audit events from JetStream starting at
 * an audit sequence number, as a SIEM does after a disconnect. The stream numbers its messages
 * itself (checkpoints are in it too), so the start is found by a binary search over the {@code
 * Warden-Audit-Seq} header; from there an ordered consumer reads on, and any event at or below the
 * last one seen (a re-send) is skipped.
 */
final class AuditStreamSubscriber {
  static final ObjectMapper JSON = new ObjectMapper();

  /** JetStream's error code for "no message found". */
  private static final int NO_MESSAGE = 10037;

  private AuditStreamSubscriber() {}

  /** The audit sequence number a message carries. */
  static long auditSeq(Message m) {
    return Long.parseLong(m.getHeaders().getFirst("Warden-Audit-Seq"));
  }

  /**
   * The stream sequence of the first event whose audit sequence number is {@code from} or more, or
   * -1 when there is none yet: about 2·log2(messages) lookups.
   */
  static long streamSequenceOf(
      JetStreamManagement jsm, String stream, String eventsSubject, long from)
      throws IOException, JetStreamApiException {
    StreamState st = jsm.getStreamInfo(stream).getStreamState();
    long lo = st.getFirstSequence();
    long hi = st.getLastSequence();
    long found = -1;
    while (lo <= hi) {
      long mid = lo + (hi - lo) / 2;
      MessageInfo m;
      try {
        m = jsm.getNextMessage(stream, mid, eventsSubject);
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != NO_MESSAGE) {
          throw e;
        }
        hi = mid - 1;
        continue;
      }
      if (Long.parseLong(m.getHeaders().getFirst("Warden-Audit-Seq")) >= from) {
        found = m.getSeq();
        hi = mid - 1;
      } else {
        lo = m.getSeq() + 1;
      }
    }
    return found;
  }

  /** Up to {@code max} events from audit sequence number {@code from} on, in order, each once. */
  static List<JsonNode> read(
      Connection nc, String stream, String eventsSubject, long from, int max, Duration wait)
      throws Exception {
    long start = streamSequenceOf(nc.jetStreamManagement(), stream, eventsSubject, from);
    if (start < 0) {
      return List.of();
    }
    OrderedConsumerContext consumer =
        nc.jetStream()
            .getStreamContext(stream)
            .createOrderedConsumer(
                new OrderedConsumerConfiguration()
                    .filterSubject(eventsSubject)
                    .deliverPolicy(DeliverPolicy.ByStartSequence)
                    .startSequence(start));
    List<JsonNode> events = new ArrayList<>();
    long last = from - 1;
    while (events.size() < max) {
      Message m = consumer.next(wait);
      if (m == null) {
        break;
      }
      long seq = auditSeq(m);
      if (seq <= last) {
        continue;
      }
      events.add(JSON.readTree(m.getData()));
      last = seq;
    }
    return events;
  }
}
