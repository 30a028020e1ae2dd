package dev.warden.core.recert;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.config.ConfigService;
import dev.warden.core.document.Kind;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.model.Durations;
import dev.warden.core.model.Named;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import dev.warden.core.store.Versioned;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Recertification: owners periodically confirm that each of their workloads is still needed, or
 * retire it; what nobody confirmed by the due date is suspended (it gets no new credentials) until
 * its owner reactivates it. Reminders go out through a {@link Notifier}; every step is audited.
 */
public final class RecertService {
  public static final Set<String> SCOPE_KEYS = Set.of("team", "owner", "environment");
  public static final Duration MIN_DUE = Duration.ofHours(1);
  public static final Duration MAX_DUE = Duration.ofDays(365);
  static final String SYSTEM = "system:recert";

  /** A campaign with its items. */
  public record View(Campaign campaign, List<CampaignItem> items) {
    public long pending() {
      return items.stream().filter(i -> i.decision() == CampaignItem.Decision.PENDING).count();
    }
  }

  private final RecertStore store;
  private final ConfigService config;
  private final InventoryService inventory;
  private final Notifier notifier;
  private final AuditWriter audit;
  private final Clock clock;
  private final Duration reminderInterval;
  private final SecureRandom random = new SecureRandom();

  public RecertService(
      RecertStore store,
      ConfigService config,
      InventoryService inventory,
      Notifier notifier,
      AuditWriter audit,
      Clock clock,
      Duration reminderInterval) {
    this.store = store;
    this.config = config;
    this.inventory = inventory;
    this.notifier = notifier;
    this.audit = audit;
    this.clock = clock;
    this.reminderInterval = reminderInterval;
  }

  /**
   * Starts a campaign over the active workloads matching {@code scope}.
   *
   * @throws ValidationException on an unknown scope key, a due time out of range, or a scope that
   *     selects nothing
   */
  public View start(
      Map<String, String> scope,
      @Nullable Duration due,
      @Nullable String webhookUrl,
      String actor) {
    for (String k : scope.keySet()) {
      if (!SCOPE_KEYS.contains(k)) {
        throw new ValidationException(
            "scope", "'" + k + "' is not a scope key; use " + new java.util.TreeSet<>(SCOPE_KEYS));
      }
    }
    if (due == null || due.compareTo(MIN_DUE) < 0 || due.compareTo(MAX_DUE) > 0) {
      throw new ValidationException(
          "due",
          "must be between 1h and 365d, got " + (due == null ? "nothing" : Durations.format(due)));
    }
    if (webhookUrl != null
        && !webhookUrl.startsWith("https://")
        && !webhookUrl.startsWith("http://")) {
      throw new ValidationException("webhook", "must be an http(s) URL");
    }
    Instant now = clock.instant();
    String id = "rc-" + HexFormat.of().formatHex(bytes(6));
    List<CampaignItem> items = new ArrayList<>();
    for (Versioned<Named> v : config.list(Kind.WORKLOAD)) {
      Workload w = (Workload) v.value();
      if (w.state() == WorkloadState.ACTIVE && matches(w, scope)) {
        items.add(
            new CampaignItem(
                id, w.name(), w.owner(), CampaignItem.Decision.PENDING, null, null, null));
      }
    }
    if (items.isEmpty()) {
      throw new ValidationException("scope", "selects no active workload: " + scope);
    }
    Campaign c =
        new Campaign(id, new TreeMap<>(scope), now, now.plus(due), actor, webhookUrl, now, null);
    store.create(c, items);
    auditEvent(
        AuditType.RECERT_STARTED,
        actor,
        null,
        Map.of(
            "campaign",
            id,
            "scope",
            new TreeMap<>(scope).toString(),
            "dueAt",
            c.dueAt().toString(),
            "workloads",
            Integer.toString(items.size())));
    remind(c, items, AuditType.RECERT_REQUESTED);
    return new View(c, items);
  }

  public List<View> list() {
    List<View> out = new ArrayList<>();
    for (Campaign c : store.campaigns()) {
      out.add(new View(c, store.items(c.id())));
    }
    return out;
  }

  public View view(String id) {
    Campaign c = store.campaign(id).orElseThrow(() -> new NotFoundException("campaign", id));
    return new View(c, store.items(id));
  }

  /**
   * An owner's decision: {@code confirm} keeps the workload, {@code retire} offboards it (revokes
   * its credentials, removes policies only it used).
   *
   * @throws ValidationException when the decision is unknown or the item was already decided
   */
  public CampaignItem decide(
      String campaignId,
      String workload,
      @Nullable String decision,
      @Nullable String note,
      String actor) {
    View v = view(campaignId);
    if (!v.campaign().open()) {
      throw new ValidationException("campaign", "campaign " + campaignId + " is closed");
    }
    CampaignItem item =
        v.items().stream()
            .filter(i -> i.workload().equals(workload))
            .findFirst()
            .orElseThrow(() -> new NotFoundException("campaign item", workload));
    if (item.decision() != CampaignItem.Decision.PENDING) {
      throw new ValidationException(
          "workload", workload + " was already decided: " + item.decision().wire());
    }
    Instant now = clock.instant();
    CampaignItem.Decision d =
        switch (decision == null ? "" : decision) {
          case "confirm" -> CampaignItem.Decision.CONFIRMED;
          case "retire" -> CampaignItem.Decision.RETIRED;
          default -> throw new ValidationException("decision", "must be confirm or retire");
        };
    Map<String, String> details = new HashMap<>();
    details.put("campaign", campaignId);
    if (note != null) {
      details.put("note", note.length() > 500 ? note.substring(0, 500) : note);
    }
    if (d == CampaignItem.Decision.RETIRED) {
      InventoryService.RetireResult r = inventory.retire(workload, actor);
      details.put("revokedLeases", Integer.toString(r.revokedLeases().size()));
      details.put("verified", Boolean.toString(r.verified()));
    }
    if (!store.decide(campaignId, workload, d, now, actor, note)) {
      throw new ValidationException(
          "workload", workload + " was decided concurrently; reload the campaign");
    }
    auditEvent(
        d == CampaignItem.Decision.CONFIRMED
            ? AuditType.RECERT_CONFIRMED
            : AuditType.RECERT_RETIRED,
        actor,
        workload,
        details);
    closeIfDone(campaignId, now);
    return new CampaignItem(campaignId, workload, item.owner(), d, now, actor, note);
  }

  /**
   * Reminders and due dates; call periodically on every node (the store's compare-and-set keeps it
   * single).
   */
  public void tick() {
    Instant now = clock.instant();
    for (Campaign c : store.campaigns()) {
      if (!c.open()) {
        continue;
      }
      List<CampaignItem> pending =
          store.items(c.id()).stream()
              .filter(i -> i.decision() == CampaignItem.Decision.PENDING)
              .toList();
      if (pending.isEmpty()) {
        closeIfDone(c.id(), now);
        continue;
      }
      if (!now.isBefore(c.dueAt())) {
        List<CampaignItem> suspended = new ArrayList<>();
        for (CampaignItem i : pending) {
          if (store.decide(
              c.id(),
              i.workload(),
              CampaignItem.Decision.SUSPENDED_OVERDUE,
              now,
              SYSTEM,
              "overdue")) {
            suspend(i.workload());
            auditEvent(
                AuditType.RECERT_OVERDUE,
                SYSTEM,
                i.workload(),
                Map.of("campaign", c.id(), "dueAt", c.dueAt().toString()));
            suspended.add(i);
          }
        }
        if (!suspended.isEmpty()) {
          remind(c, suspended, AuditType.RECERT_OVERDUE);
        }
        closeIfDone(c.id(), now);
      } else if (c.lastReminderAt() == null
          || !now.isBefore(c.lastReminderAt().plus(reminderInterval))) {
        store.markReminded(c.id(), now);
        remind(c, pending, AuditType.RECERT_REMINDER);
      }
    }
  }

  private void suspend(String workload) {
    config
        .get(Kind.WORKLOAD, workload)
        .ifPresent(
            v -> {
              Workload w = (Workload) v.value();
              if (w.state() == WorkloadState.ACTIVE) {
                config.apply(List.of(w.withState(WorkloadState.SUSPENDED)), false, SYSTEM);
              }
            });
  }

  private void closeIfDone(String campaignId, Instant now) {
    if (store.items(campaignId).stream()
        .noneMatch(i -> i.decision() == CampaignItem.Decision.PENDING)) {
      store
          .campaign(campaignId)
          .filter(Campaign::open)
          .ifPresent(
              c -> {
                store.close(campaignId, now);
                auditEvent(AuditType.RECERT_CLOSED, SYSTEM, null, Map.of("campaign", campaignId));
              });
    }
  }

  /** One notification per owner, listing their items: owners act on their own list. */
  /** Webhook events are named like the audit events they accompany. */
  private void remind(Campaign c, List<CampaignItem> items, AuditType type) {
    String event = type.wire();
    Map<String, List<String>> byOwner = new LinkedHashMap<>();
    for (CampaignItem i : items) {
      byOwner
          .computeIfAbsent(i.owner() == null ? "" : i.owner(), k -> new ArrayList<>())
          .add(i.workload());
    }
    byOwner.forEach(
        (owner, workloads) -> {
          Map<String, Object> payload = new LinkedHashMap<>();
          payload.put("event", event);
          payload.put("campaign", c.id());
          payload.put("scope", c.scope());
          payload.put("dueAt", c.dueAt().toString());
          payload.put("owner", owner);
          payload.put("workloads", workloads);
          notifier.send(c.webhookUrl(), event, payload);
        });
  }

  private static boolean matches(Workload w, Map<String, String> scope) {
    for (Map.Entry<String, String> e : scope.entrySet()) {
      String have =
          switch (e.getKey()) {
            case "team" -> w.team();
            case "owner" -> w.owner();
            default -> w.environment();
          };
      if (!e.getValue().equals(have)) {
        return false;
      }
    }
    return true;
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private void auditEvent(
      AuditType type, String actor, @Nullable String workload, Map<String, String> details) {
    audit.write(
        AuditEvent.of(
            type, AuditOutcome.SUCCESS, null, clock.instant(), actor, workload, null, details));
  }
}
