package dev.warden.server.console;

import dev.warden.core.audit.AuditQuery;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.document.Kind;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.BlastRadius;
import dev.warden.core.inventory.Grants;
import dev.warden.core.inventory.Inventory;
import dev.warden.core.inventory.InventoryItem;
import dev.warden.core.inventory.InventoryService;
import dev.warden.core.inventory.Maturity;
import dev.warden.core.inventory.PostureIndex;
import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Named;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadState;
import dev.warden.core.store.Versioned;
import dev.warden.server.admin.Scopes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Workloads: a filtered, cursor-paged list from the inventory index, and one workload's page with
 * its identity, how it authenticates (maturity stage and why), live credentials, the policies that
 * cover it, its blast radius drawn as a graph of paths, and recent activity. Its actions (suspend,
 * resume, reassign owner, retire) go through the same services as {@code warden apply} and {@code
 * POST /v1/workloads:retire}, audited with the admin's token id.
 */
final class WorkloadsPage {
  static final int PAGE = 50;

  record ListView(
      List<InventoryItem> items,
      @Nullable String next,
      @Nullable String q,
      @Nullable String owner,
      @Nullable String team,
      @Nullable String environment,
      @Nullable String cursor) {
    /** The query string of these filters, for paging links. */
    String filters() {
      return "q="
          + Fmt.q(q)
          + "&owner="
          + Fmt.q(owner)
          + "&team="
          + Fmt.q(team)
          + "&environment="
          + Fmt.q(environment);
    }
  }

  record PolicyRow(
      String name,
      String effect,
      String resources,
      @Nullable String condition,
      @Nullable String disabled) {}

  /** A node of the blast-radius graph: a box at (x, y) with a label. */
  record Node(int x, int y, int w, String label, String css, @Nullable String href) {
    int textX() {
      return x + 8;
    }

    int textY() {
      return y + 17;
    }

    int midY() {
      return y + 13;
    }
  }

  record Edge(int x1, int y1, int x2, int y2) {}

  record Graph(int width, int height, List<Node> nodes, List<Edge> edges, int score) {}

  record View(
      Instant now,
      Workload w,
      long version,
      String updatedBy,
      Maturity.@Nullable Assessment maturity,
      List<Lease> leases,
      List<PolicyRow> policies,
      Graph graph,
      List<Grants.Grant> reach,
      List<AuditRecord> activity) {}

  record RetireView(Workload w, InventoryService.RetirePlan plan) {}

  private final ConsoleServices s;
  private final Estate estate;

  WorkloadsPage(ConsoleServices s, Estate estate) {
    this.s = s;
    this.estate = estate;
  }

  void register(Console c) {
    c.route("/workloads", Scopes.READ, this::list, null);
    c.route("/workload", Scopes.READ, this::show, null);
    c.route("/workload/state", Scopes.POLICY_WRITE, null, this::setState);
    c.route("/workload/owner", Scopes.POLICY_WRITE, null, this::setOwner);
    c.route("/workload/retire", Scopes.POLICY_WRITE, this::retirePlan, this::retire);
  }

  /**
   * The list, filtered by owner, team, environment and free text ({@code q}: a substring of the
   * SPIFFE ID, owner, team or a selector, any case); a {@code q} that is exactly a registered
   * SPIFFE ID opens that workload.
   */
  private void list(ConsoleCall c) {
    String q = c.param("q");
    if (q == null) {
      q = c.param("id"); // the "go to" box of the first slice
    }
    if (q != null && s.policies().get().workload(q) != null) {
      c.redirect("/console/workload?id=" + Fmt.q(q), null);
      return;
    }
    c.needIndex();
    String cursor = c.param("after");
    PostureIndex.ItemsPage page =
        s.inventory()
            .items(
                new Inventory.Filter(
                    "workload", c.param("owner"), c.param("team"), c.param("environment"), null, q),
                cursor,
                PAGE,
                false);
    ListView v =
        new ListView(
            page.items(),
            page.next(),
            q,
            c.param("owner"),
            c.param("team"),
            c.param("environment"),
            cursor);
    c.page(o -> JteworkloadsGenerated.render(o, null, c.frame("Workloads", "workloads"), v));
  }

  private void show(ConsoleCall c) {
    String id = c.param("id");
    if (id == null) {
      throw new ValidationException("id", "name a workload by its SPIFFE ID");
    }
    Versioned<Named> stored =
        s.config().get(Kind.WORKLOAD, id).orElseThrow(() -> new NotFoundException("Workload", id));
    Workload w = (Workload) stored.value();
    List<PolicyRow> policies = new ArrayList<>();
    for (Versioned<Named> v : s.config().list(Kind.ACCESS_POLICY)) {
      AccessPolicy p = (AccessPolicy) v.value();
      if (p.workloads().matches(w)) {
        policies.add(
            new PolicyRow(
                p.name(),
                p.effect().name().toLowerCase(java.util.Locale.ROOT),
                String.join(", ", p.resources()),
                p.condition(),
                s.disabledReason().apply(Kind.ACCESS_POLICY, p.name())));
      }
    }
    c.needIndex();
    BlastRadius br;
    try {
      br = s.inventory().blastRadius(Inventory.workloadId(id));
    } catch (NotFoundException e) {
      // registered a moment ago: the index has not caught up yet
      br = new BlastRadius(Inventory.workloadId(id), id, 0, List.of());
    }
    List<AuditRecord> activity =
        s.auditLog().query(new AuditQuery(null, null, id, null, null, null, null, 20));
    Estate.Snapshot e = estate.get();
    View v =
        new View(
            c.now(),
            w,
            stored.version(),
            stored.updatedBy(),
            e == null ? null : e.byItem().get(Inventory.workloadId(id)),
            s.leases().active(id),
            policies,
            graph(w, br),
            br.reachable(),
            activity);
    c.page(o -> JteworkloadGenerated.render(o, null, c.frame(id, "workloads"), v));
  }

  /**
   * The workload on the left, the paths (policies or held credentials) in the middle, what they
   * reach on the right.
   */
  static Graph graph(Workload w, BlastRadius br) {
    Map<String, List<Grants.Grant>> byPath = new LinkedHashMap<>();
    for (Grants.Grant g : br.reachable()) {
      byPath.computeIfAbsent(g.path(), k -> new ArrayList<>()).add(g);
    }
    Map<String, Integer> resourceRow = new LinkedHashMap<>();
    br.reachable().forEach(g -> resourceRow.putIfAbsent(g.resource(), resourceRow.size()));
    int rows = Math.max(1, Math.max(byPath.size(), resourceRow.size()));
    int rowH = 34;
    int height = rows * rowH + 20;
    List<Node> nodes = new ArrayList<>();
    List<Edge> edges = new ArrayList<>();
    Node self = new Node(10, height / 2 - 13, 300, shorten(w.name(), 44), "node self", null);
    nodes.add(self);
    int i = 0;
    for (Map.Entry<String, List<Grants.Grant>> e : byPath.entrySet()) {
      Grants.Grant first = e.getValue().get(0);
      Node path =
          new Node(
              370,
              10 + i * rowH,
              250,
              shorten(e.getKey(), 36),
              "node",
              first.policy() == null ? null : "/console/policy?name=" + Fmt.q(first.policy()));
      nodes.add(path);
      edges.add(new Edge(self.x() + self.w(), self.midY(), path.x(), path.midY()));
      for (Grants.Grant g : e.getValue()) {
        // resourceRow holds every reachable grant's resource
        int r = Objects.requireNonNull(resourceRow.get(g.resource()), "a reachable resource's row");
        edges.add(new Edge(path.x() + path.w(), path.midY(), 680, 10 + r * rowH + 13));
      }
      i++;
    }
    for (Map.Entry<String, Integer> e : resourceRow.entrySet()) {
      String sensitivity =
          br.reachable().stream()
              .filter(g -> g.resource().equals(e.getKey()))
              .findFirst()
              .map(g -> g.sensitivity().name().toLowerCase(java.util.Locale.ROOT))
              .orElse("");
      nodes.add(
          new Node(
              680,
              10 + e.getValue() * rowH,
              260,
              shorten(e.getKey(), 30) + " · " + sensitivity,
              "node " + sensitivity,
              "/console/credentials?resource=" + Fmt.q(e.getKey())));
    }
    return new Graph(950, height, nodes, edges, br.score());
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private void setState(ConsoleCall c) {
    String id = c.required("id");
    WorkloadState to =
        switch (c.required("state")) {
          case "suspended" -> WorkloadState.SUSPENDED;
          case "active" -> WorkloadState.ACTIVE;
          default ->
              throw new ValidationException(
                  "state", "must be active or suspended (retire has its own action)");
        };
    Workload w = workload(id);
    apply(
        c,
        new Workload(
            w.spiffeId(),
            w.selectors(),
            w.owner(),
            w.team(),
            w.environment(),
            to,
            w.expiresAt(),
            w.description(),
            w.nodeSelectors()));
    c.redirect(
        "/console/workload?id=" + Fmt.q(id),
        "Workload "
            + (to == WorkloadState.SUSPENDED
                ? "suspended: it gets no new credentials until it is resumed."
                : "resumed."));
  }

  private void setOwner(ConsoleCall c) {
    String id = c.required("id");
    String owner = c.required("owner");
    Workload w = workload(id);
    apply(
        c,
        new Workload(
            w.spiffeId(),
            w.selectors(),
            owner,
            w.team(),
            w.environment(),
            w.state(),
            w.expiresAt(),
            w.description(),
            w.nodeSelectors()));
    c.redirect("/console/workload?id=" + Fmt.q(id), "Owner set to " + owner + ".");
  }

  /** What retiring will do, computed from the store and changing nothing; its form confirms. */
  private void retirePlan(ConsoleCall c) {
    String id = c.param("id");
    if (id == null) {
      throw new ValidationException("id", "name a workload by its SPIFFE ID");
    }
    Workload w = workload(id);
    if (w.state() == WorkloadState.RETIRED) {
      c.redirect("/console/workload?id=" + Fmt.q(id), "Already retired.");
      return;
    }
    RetireView v = new RetireView(w, s.inventory().retirePlanPreview(id));
    c.page(
        o -> Jteworkload_retireGenerated.render(o, null, c.frame("Retire " + id, "workloads"), v));
  }

  private void retire(ConsoleCall c) {
    String id = c.required("id");
    InventoryService.RetireResult r = s.inventory().retire(id, c.who.actor());
    s.reloadNow().run();
    estate.invalidate();
    c.redirect(
        "/console/workload?id=" + Fmt.q(id),
        "Retired. Offboarding report: "
            + r.revokedLeases().size()
            + " leases revoked, policies deleted: "
            + list(r.disabledPolicies())
            + ", kept: "
            + list(r.keptPolicies())
            + ", not revoked: "
            + list(r.notRevoked())
            + (r.verified()
                ? ". Verified: nothing it held still works."
                : ". NOT verified: something it held may still work; see the credentials list."));
  }

  private static String list(List<String> l) {
    return l.isEmpty() ? "none" : String.join(", ", l);
  }

  private Workload workload(String id) {
    return (Workload)
        s.config()
            .get(Kind.WORKLOAD, id)
            .orElseThrow(() -> new NotFoundException("Workload", id))
            .value();
  }

  private void apply(ConsoleCall c, Workload changed) {
    s.config().apply(List.of(changed), false, c.who.actor());
    s.reloadNow().run();
    estate.invalidate();
  }
}
