package dev.warden.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.agent.workloadapi.IdentityException;
import dev.warden.agent.workloadapi.IdentitySource;
import dev.warden.agent.workloadapi.X509Svid;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The agent's state and its loop: attests the node, keeps its session renewed, syncs the
 * registrations it may serve, keeps an X.509-SVID for each (renewed at half-life, each with a fresh
 * key), caches JWT-SVIDs, writes file sinks, and serves all of it to the Workload API as an {@link
 * IdentitySource}. When the server is unreachable it keeps serving cached unexpired SVIDs and
 * retries with exponential backoff and jitter.
 *
 * <p>The session's file ({@link SessionFile}), the JWT-SVID cache ({@link JwtSvids}) and the
 * reading of the server's answers ({@link ServerReplies}) live beside it; what stays is the state
 * one sync round moves and the public API the Workload API, the proxies and the health endpoint
 * read.
 *
 * <p>Why it is still over 400 lines: its fields are the state one sync round moves, and its public
 * methods are the API the Workload API, the proxies and the health endpoint read; splitting them
 * would share that state across classes.
 */
public final class AgentRuntime implements IdentitySource, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AgentRuntime.class.getName());
  private static final int PAGE = 1000;
  private static final int BATCH = 100;

  record Session(
      SpiffeId id,
      List<X509Certificate> chain,
      PrivateKey key,
      String token,
      Instant issuedAt,
      Instant expiresAt) {}

  /** A registration this agent serves; {@code expiresAt} null: it does not end. */
  record Entry(SpiffeId id, Set<Selector> selectors, @Nullable Instant expiresAt) {}

  record Cached(X509Svid svid, Instant issuedAt, Instant expiresAt) {}

  record Bundle(String trustDomain, List<X509Certificate> x509, List<String> jwt, long sequence) {}

  /**
   * The proxies the server declares for this agent (EdgeProxy documents), as of the last sync.
   *
   * @param version the server's version of this set; null before the server sent one (an older
   *     server declares none)
   * @param unreadable declarations this agent could not read (a field a newer server added), by
   *     name, with the reason: reported back as failed, never guessed at
   */
  public record DeclaredProxySet(
      @Nullable String version,
      List<dev.warden.core.edge.ProxyDeclaration> proxies,
      Map<String, String> unreadable) {
    public DeclaredProxySet {
      proxies = List.copyOf(proxies);
      unreadable = Map.copyOf(unreadable);
    }
  }

  private final AgentOptions options;
  private final ServerClient server;
  private final Clock clock;
  private final SessionFile stateFile;
  private final JwtSvids jwts;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Map<String, Cached> svids = new ConcurrentHashMap<>();
  private final Map<String, Instant> sinkWritten = new ConcurrentHashMap<>();

  /** Null until the agent attests (or resumes), and again when the server refuses it. */
  private volatile @Nullable Session session;

  private volatile Bundle bundle = new Bundle("", List.of(), List.of(), -1);
  private volatile long revision;
  private volatile DeclaredProxySet declaredProxies =
      new DeclaredProxySet(null, List.of(), Map.of());
  private final List<Runnable> cycleListeners = new CopyOnWriteArrayList<>();
  private volatile boolean running = true;
  private volatile @Nullable Instant lastSuccess;

  /** Why the server could not be reached, and since when; null while it answers. */
  private volatile @Nullable ServerException serverFailure;

  private volatile @Nullable Instant unreachableSince;
  private @Nullable Thread loop;

  public AgentRuntime(AgentOptions options, Clock clock) {
    this.options = options;
    this.server = new ServerClient(options.serverUrl(), options.serverCa());
    this.clock = clock;
    this.stateFile = new SessionFile(options.dataDir().resolve("agent-state.json"));
    this.jwts = new JwtSvids(server, clock, () -> session);
  }

  /**
   * Attests (or resumes a persisted session) and does the first sync, then keeps going in the
   * background. Returns once the agent has its first state, or throws when it cannot attest at all.
   */
  public void start() throws ServerException {
    Session persisted = stateFile.load();
    if (persisted != null && clock.instant().isBefore(persisted.expiresAt())) {
      session = persisted;
      server.useIdentity(persisted.chain(), persisted.key());
      LOG.log(
          System.Logger.Level.INFO,
          "resumed agent session "
              + persisted.id()
              + " (valid until "
              + persisted.expiresAt()
              + ")");
    }
    cycle();
    loop = Thread.ofPlatform().name("warden-agent-sync").daemon(true).start(this::run);
  }

  private void run() {
    Duration backoff = Duration.ofSeconds(1);
    while (running) {
      Duration wait = options.syncInterval();
      try {
        cycle();
        backoff = Duration.ofSeconds(1);
      } catch (ServerException e) {
        if (serverFailure == null) {
          unreachableSince = clock.instant();
        }
        serverFailure = e;
        // full jitter: nodes that lost the server together must not return together
        long cap = Math.min(backoff.toMillis(), options.maxBackoff().toMillis());
        wait = Duration.ofMillis(cap / 2 + jitter(cap / 2 + 1));
        backoff = backoff.multipliedBy(2);
        LOG.log(
            System.Logger.Level.WARNING,
            "server call failed ("
                + e.getMessage()
                + "); serving cached SVIDs, "
                + "retrying in "
                + wait.toMillis()
                + " ms");
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "agent cycle failed", e);
      }
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @SuppressForbidden(
      "backoff jitter spreads retries over time; it guards no secret, so SecureRandom buys nothing")
  private static long jitter(long bound) {
    return ThreadLocalRandom.current().nextLong(bound);
  }

  /** One round: session, registrations, bundle, SVIDs, sinks. Package-private for tests. */
  synchronized void cycle() throws ServerException {
    Instant now = clock.instant();
    try {
      Session s = ensureSession(now);
      boolean changed = syncEntries(s);
      changed |= refreshBundle(s);
      changed |= renewSvids(s, now);
      writeSinks(now, changed);
      lastSuccess = now;
      if (serverFailure != null) {
        LOG.log(
            System.Logger.Level.INFO,
            "the server answers again (unreachable since " + unreachableSince + ")");
        serverFailure = null;
        unreachableSince = null;
      }
      if (changed) {
        listeners.forEach(AgentRuntime::safeRun);
      }
      cycleListeners.forEach(AgentRuntime::safeRun);
    } catch (ServerException e) {
      if (e.status() == 401) {
        // the server no longer knows the session (expired, replaced, banned): attest again next
        // round
        LOG.log(System.Logger.Level.WARNING, "agent session refused: " + e.getMessage());
        session = null;
      }
      throw e;
    }
  }

  /** The session this round works with: the held one, renewed at half-life, or a new one. */
  private Session ensureSession(Instant now) throws ServerException {
    Session s = session;
    if (s == null || !now.isBefore(s.expiresAt())) {
      return attest();
    }
    Duration life = Duration.between(s.issuedAt(), s.expiresAt());
    if (!now.isBefore(s.issuedAt().plus(life.dividedBy(2)))) {
      KeyPair kp = Keys.newKeyPair();
      JsonNode r = server.renew(s.token(), Keys.csr(kp, s.id()));
      s = ServerReplies.session(r, kp.getPrivate(), clock.instant());
      session = s;
      server.useIdentity(s.chain(), s.key());
      stateFile.save(s);
    }
    return s;
  }

  private Session attest() throws ServerException {
    KeyPair kp = Keys.newKeyPair();
    JsonNode r;
    Path tokenFile = options.platformTokenFile();
    String joinToken = options.joinToken();
    if (tokenFile != null) {
      String token;
      try {
        token = Files.readString(tokenFile).trim();
      } catch (IOException e) {
        throw new ServerException(
            0,
            "no_evidence",
            "cannot read the platform token " + tokenFile + ": " + e.getMessage());
      }
      r = server.attestWithPlatformToken(token, Keys.csr(kp, null));
    } else if (joinToken != null) {
      r = server.attestWithJoinToken(joinToken, Keys.csr(kp, null));
    } else {
      throw new ServerException(
          401,
          "no_evidence",
          "no valid session and no way to attest: give --join-token "
              + "(a new one, they are single use) or --platform-token-file");
    }
    Session s = ServerReplies.session(r, kp.getPrivate(), clock.instant());
    session = s;
    server.useIdentity(s.chain(), s.key());
    revision = 0;
    stateFile.save(s);
    LOG.log(
        System.Logger.Level.INFO,
        "attested as " + s.id() + " (session until " + s.expiresAt() + ")");
    return s;
  }

  private boolean syncEntries(Session s) throws ServerException {
    String token = s.token();
    JsonNode page = server.sync(token, revision, null, PAGE, declaredProxies.version());
    DeclaredProxySet proxies = ServerReplies.declaredProxies(page.path("proxies"));
    if (proxies != null) {
      declaredProxies = proxies;
    }
    boolean full = page.path("full").asBoolean();
    long rev = page.path("revision").asLong();
    Map<String, Entry> got = new HashMap<>();
    Set<String> removed = new HashSet<>();
    while (true) {
      for (JsonNode e : page.path("entries")) {
        Entry en = ServerReplies.entry(e);
        got.put(en.id().toString(), en);
      }
      page.path("removed").forEach(n -> removed.add(n.asText()));
      String next = page.path("next_page_token").asText(null);
      if (next == null) {
        break;
      }
      page = server.sync(token, revision, next, PAGE, null);
    }
    boolean changed = false;
    if (full) {
      for (String id : Set.copyOf(entries.keySet())) {
        if (!got.containsKey(id)) {
          removed.add(id);
        }
      }
    }
    for (String id : removed) {
      if (!got.containsKey(id) && entries.remove(id) != null) {
        svids.remove(id);
        jwts.forget(id);
        changed = true;
      }
    }
    for (Entry e : got.values()) {
      Entry prev = entries.put(e.id().toString(), e);
      changed |= !e.equals(prev);
    }
    revision = rev;
    return changed;
  }

  /** The proxies the server declares for this agent, as of the last sync. */
  public DeclaredProxySet declaredProxies() {
    return declaredProxies;
  }

  /**
   * Runs {@code listener} after every successful cycle (on the sync thread), whether or not
   * anything changed; closing the returned handle removes it.
   */
  public AutoCloseable afterEachCycle(Runnable listener) {
    cycleListeners.add(listener);
    return () -> cycleListeners.remove(listener);
  }

  /**
   * Tells the server how the proxies declared for this agent fare, replacing its last report.
   *
   * @return how many of them the server recorded (it drops those it does not declare for this
   *     agent)
   * @throws ServerException when there is no session or the server did not take them
   */
  public int reportProxies(List<dev.warden.core.agent.ProxyStatus> statuses)
      throws ServerException {
    Session s = requireSession();
    return server.proxyStatus(s.token(), statuses).path("recorded").asInt(-1);
  }

  private boolean refreshBundle(Session s) throws ServerException {
    JsonNode b = server.bundle();
    long seq = b.path("spiffe_sequence").asLong();
    if (seq == bundle.sequence()) {
      return false;
    }
    List<X509Certificate> x509 = new ArrayList<>();
    List<String> jwt = new ArrayList<>();
    for (JsonNode k : b.path("keys")) {
      String use = k.path("use").asText();
      if (use.equals("x509-svid") && k.path("x5c").size() > 0) {
        x509.add(
            ServerReplies.certificate(Base64.getDecoder().decode(k.path("x5c").get(0).asText())));
      } else if (use.equals("jwt-svid") && k.hasNonNull("kid")) {
        jwt.add(k.toString());
      }
    }
    bundle = new Bundle(s.id().trustDomain(), List.copyOf(x509), List.copyOf(jwt), seq);
    return true;
  }

  private boolean renewSvids(Session current, Instant now) throws ServerException {
    List<ServerClient.SvidRequest> reqs = new ArrayList<>();
    Map<String, KeyPair> keys = new HashMap<>();
    for (Entry e : entries.values()) {
      Cached c = svids.get(e.id().toString());
      if (c == null
          || !now.isBefore(
              c.issuedAt().plus(Duration.between(c.issuedAt(), c.expiresAt()).dividedBy(2)))) {
        KeyPair kp = Keys.newKeyPair();
        keys.put(e.id().toString(), kp);
        reqs.add(new ServerClient.SvidRequest(e.id().toString(), Keys.csr(kp, e.id())));
      }
    }
    boolean changed = false;
    for (int i = 0; i < reqs.size(); i += BATCH) {
      JsonNode r =
          server.x509Svids(current.token(), reqs.subList(i, Math.min(reqs.size(), i + BATCH)));
      for (JsonNode s : r.path("svids")) {
        String id = s.path("spiffe_id").asText();
        if (s.has("error")) {
          LOG.log(
              System.Logger.Level.WARNING,
              "server refused an SVID for " + id + ": " + s.path("message").asText());
          continue;
        }
        KeyPair kp = keys.get(id);
        if (kp == null) {
          // an id this round did not ask about has no key here, so nothing to serve it with; the
          // others in the answer are still good
          LOG.log(
              System.Logger.Level.WARNING,
              "ignoring an SVID the server sent for " + id + ", which this agent did not ask for");
          continue;
        }
        List<X509Certificate> chain = ServerReplies.chain(s.path("chain"));
        X509Certificate leaf = chain.getFirst();
        svids.put(
            id,
            new Cached(
                new X509Svid(SpiffeId.parse(id), List.copyOf(chain), kp.getPrivate(), null),
                now,
                leaf.getNotAfter().toInstant()));
        changed = true;
      }
    }
    return changed;
  }

  private void writeSinks(Instant now, boolean changed) {
    for (FileSink sink : options.sinks()) {
      String id = sink.spiffeId().toString();
      Cached c = svids.get(id);
      if (c == null) {
        continue;
      }
      Instant written = sinkWritten.get(id);
      boolean jwtDue = false;
      for (String aud : sink.jwtAudiences()) {
        jwtDue |= jwts.due(id, aud, now);
      }
      if (written != null && !written.isBefore(c.issuedAt()) && !jwtDue) {
        continue;
      }
      try {
        SinkWriter.write(
            sink, c.svid(), bundle.x509(), aud -> jwtSvid(sink.spiffeId(), List.of(aud)));
        sinkWritten.put(id, now);
      } catch (IOException | IdentityException | RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "cannot write files for " + id + " to " + sink.directory() + ": " + e.getMessage());
      }
    }
  }

  // ---- IdentitySource ----

  @Override
  public List<X509Svid> x509Svids(Set<Selector> callerSelectors) {
    Instant now = clock.instant();
    List<X509Svid> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (callerSelectors.containsAll(e.selectors())
          && (e.expiresAt() == null || now.isBefore(e.expiresAt()))) {
        Cached c = svids.get(e.id().toString());
        if (c != null && now.isBefore(c.expiresAt())) {
          out.add(c.svid());
        }
      }
    }
    out.sort((a, b) -> a.id().toString().compareTo(b.id().toString()));
    return out;
  }

  @Override
  public Map<String, List<X509Certificate>> x509Bundles() {
    Bundle b = bundle;
    return b.trustDomain().isEmpty() ? Map.of() : Map.of(b.trustDomain(), b.x509());
  }

  @Override
  public Map<String, List<String>> jwtAuthorities() {
    Bundle b = bundle;
    return b.trustDomain().isEmpty() ? Map.of() : Map.of(b.trustDomain(), b.jwt());
  }

  @Override
  public String jwtSvid(SpiffeId id, List<String> audience) throws IdentityException {
    return jwts.get(id, audience);
  }

  @Override
  public @Nullable String cachedJwtSvid(SpiffeId id, List<String> audience) {
    return jwts.cached(id, audience);
  }

  @Override
  public AutoCloseable onChange(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Sends connection events of the agent's proxies to the server's audit log, with the agent's
   * session.
   *
   * @throws ServerException when there is no session or the server did not take them
   */
  public void reportConnections(List<dev.warden.core.agent.ProxiedConnection> events)
      throws ServerException {
    Session s = requireSession();
    server.connections(s.token(), events);
  }

  /**
   * A TLS server certificate for the agent's proxy of {@code resource}, from the trust domain's CA;
   * a fresh key each time.
   */
  public dev.warden.agent.edge.ClientTls.Certificate edgeCertificate(String resource)
      throws ServerException {
    return edgeCertificate(resource, null);
  }

  /**
   * A certificate for the proxy of {@code resource}; with a {@code destination}, one naming that
   * outside host (the resource's declared destination) for the HTTP egress proxy.
   */
  public dev.warden.agent.edge.ClientTls.Certificate edgeCertificate(
      String resource, @Nullable String destination) throws ServerException {
    Session s = requireSession();
    KeyPair kp = Keys.newKeyPair();
    JsonNode r = server.edgeCertificate(s.token(), Keys.csr(kp, s.id()), resource, destination);
    List<X509Certificate> chain = ServerReplies.chain(r.path("chain"));
    return new dev.warden.agent.edge.ClientTls.Certificate(
        chain, kp.getPrivate(), Instant.parse(r.path("expires_at").asText()));
  }

  /**
   * Which of these leases ended (revoked, expired, unknown, or of a workload this agent no longer
   * serves).
   */
  public List<String> endedLeases(List<String> leaseIds) throws ServerException {
    Session s = requireSession();
    List<String> out = new ArrayList<>();
    server.leaseStates(s.token(), leaseIds).path("ended").forEach(n -> out.add(n.asText()));
    return out;
  }

  /** How the agent fares, for its health endpoint and metrics. */
  public enum Condition {
    /** The server answers and SVIDs are renewed. */
    SYNCED,
    /** The server cannot be reached; every workload still gets its cached, unexpired SVID. */
    SERVING_CACHED,
    /** The server cannot be reached and some workloads' SVIDs expired: they get no identity now. */
    EXPIRED
  }

  /**
   * @param condition how the agent fares
   * @param lastSync when a cycle last succeeded (null before the first)
   * @param unreachableSince since when the server cannot be reached; null while it answers
   * @param serverError why (the agent's message for the failed call); null while it answers
   * @param valid registrations served with an unexpired X.509-SVID
   * @param missing registrations this agent serves that have no unexpired X.509-SVID
   * @param nextExpiry when the first cached X.509-SVID expires; null when none is cached
   */
  public record Health(
      Condition condition,
      @Nullable Instant lastSync,
      @Nullable Instant unreachableSince,
      @Nullable String serverError,
      int valid,
      int missing,
      @Nullable Instant nextExpiry) {}

  /** How the agent fares now: whether the server answers, and what the cache still covers. */
  public Health health() {
    Instant now = clock.instant();
    int valid = 0;
    int missing = 0;
    @Nullable Instant next = null;
    for (Entry e : entries.values()) {
      if (e.expiresAt() != null && !now.isBefore(e.expiresAt())) {
        continue; // a registration that ended is not served, with or without an SVID
      }
      Cached c = svids.get(e.id().toString());
      if (c != null && now.isBefore(c.expiresAt())) {
        valid++;
        next = next == null || c.expiresAt().isBefore(next) ? c.expiresAt() : next;
      } else {
        missing++;
      }
    }
    ServerException f = serverFailure;
    Condition condition =
        f == null ? Condition.SYNCED : missing > 0 ? Condition.EXPIRED : Condition.SERVING_CACHED;
    return new Health(
        condition,
        lastSuccess,
        f == null ? null : unreachableSince,
        f == null ? null : f.getMessage(),
        valid,
        missing,
        next);
  }

  /** When the last cycle succeeded (null before the first). */
  public @Nullable Instant lastSuccess() {
    return lastSuccess;
  }

  /** The agent's own SPIFFE ID; null before it attested. */
  public @Nullable SpiffeId agentId() {
    Session s = session;
    return s == null ? null : s.id();
  }

  public int entryCount() {
    return entries.size();
  }

  @Override
  public void close() {
    running = false;
    Thread l = loop;
    if (l != null) {
      l.interrupt();
    }
  }

  // ---- helpers ----

  /** The current session, for a call that needs one. */
  private Session requireSession() throws ServerException {
    Session s = session;
    if (s == null) {
      throw noSession();
    }
    return s;
  }

  static ServerException noSession() {
    return new ServerException(0, "no_session", "the agent has not attested yet");
  }

  private static void safeRun(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "change listener failed: " + e.getMessage());
    }
  }
}
