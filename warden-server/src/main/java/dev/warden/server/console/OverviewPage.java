package dev.warden.server.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.audit.ChainWatch;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.token.KeyManager;
import dev.warden.server.admin.Scopes;
import dev.warden.server.http.HttpJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The overview: rates of issuance and denial (hourly, from {@link ChainWatch}'s counts), live
 * leases by resource kind, credentials stuck at their targets, key and CA ages, the audit chain's
 * status, findings by severity and the maturity distribution. Every number links to its list. The
 * estate-wide aggregates come from {@link Estate}, shared by every viewer.
 */
final class OverviewPage {
  record KeyRow(
      String purpose,
      String kid,
      String algorithm,
      @Nullable Instant activatedAt,
      String age,
      String nextRotation) {}

  /**
   * @param estate the shared aggregates, or null while the first are being computed
   */
  record View(
      Instant now,
      ChainWatch.Status chain,
      String series,
      Estate.@Nullable Snapshot estate,
      Map<LeaseState, Long> targetLeases,
      List<KeyRow> keys,
      String caId,
      Instant caNotAfter,
      String caExpiresIn,
      long issued24h,
      long denied24h) {}

  private final ConsoleServices s;
  private final Estate estate;

  OverviewPage(ConsoleServices s, Estate estate) {
    this.s = s;
    this.estate = estate;
  }

  void register(Console c) {
    c.route("/", Scopes.READ, this::show, null);
  }

  private void show(ConsoleCall c) {
    Instant now = c.now();
    s.chain().catchUpIfIdle(2);
    List<ChainWatch.Hour> hours = s.chain().hours(now.minus(Duration.ofHours(47)));
    long issued = 0;
    long denied = 0;
    for (ChainWatch.Hour h : hours.subList(Math.max(0, hours.size() - 24), hours.size())) {
      issued += h.issued();
      denied += h.denied();
    }
    List<KeyRow> keys = new ArrayList<>();
    Duration every = s.cfg().rotation().rotateEvery();
    for (KeyManager k : s.keys()) {
      for (SigningKeyRecord r : k.list()) {
        if (r.state() == KeyState.ACTIVE) {
          keys.add(
              new KeyRow(
                  k.purpose().wire(),
                  r.kid(),
                  r.algorithm(),
                  r.activatedAt(),
                  Fmt.span(
                      Duration.between(
                          r.activatedAt() == null ? r.createdAt() : r.activatedAt(), now)),
                  every == null
                      ? "manual"
                      : Fmt.ago(
                          (r.activatedAt() == null ? r.createdAt() : r.activatedAt()).plus(every),
                          now)));
        }
      }
    }
    var ca = s.ca().current();
    View v =
        new View(
            now,
            s.chain().status(),
            series(hours),
            estate.get(),
            s.targetLeaseCounts().get(),
            keys,
            ca.authorityId(),
            ca.notAfter(),
            Fmt.ago(ca.notAfter(), now),
            issued,
            denied);
    c.page(o -> JteoverviewGenerated.render(o, null, c.frame("Overview", "overview"), v));
  }

  /** The uPlot data of the hourly counts: x in epoch seconds, one series per count. */
  static String series(List<ChainWatch.Hour> hours) {
    ObjectNode o = HttpJson.object();
    ArrayNode x = o.putArray("x");
    ObjectNode series = o.putObject("series");
    ArrayNode issued = series.putArray("issued");
    ArrayNode denied = series.putArray("denied");
    ArrayNode revoked = series.putArray("revoked");
    for (ChainWatch.Hour h : hours) {
      x.add(h.start().getEpochSecond());
      issued.add(h.issued());
      denied.add(h.denied());
      revoked.add(h.revoked());
    }
    return o.toString();
  }
}
