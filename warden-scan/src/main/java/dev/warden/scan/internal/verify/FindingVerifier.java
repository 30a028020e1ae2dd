package dev.warden.scan.internal.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.scan.ScanException;
import dev.warden.scan.SecretFinding;
import dev.warden.scan.Verification;
import dev.warden.scan.Verified;
import dev.warden.scan.internal.leak.LeakReporter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Decides, for each finding of a scan, whether the secret is live ({@code warden scan --verify}).
 *
 * <ol>
 *   <li>Fingerprints, and the public-key hash of each private key, go to the Warden server, which
 *       says which of them are its leases, stored secrets, signing keys or authorities and whether
 *       each is live. No secret leaves the machine in this step.
 *   <li>A database password the server does not know is tried against the database it names — only
 *       when that host and port is a database Warden manages as a resource, with that resource's
 *       TLS settings; at most {@code maxLogins} logins a run, at least {@code interval} apart at
 *       each database, each distinct login once.
 *   <li>Everything else stays unknown.
 * </ol>
 */
public final class FindingVerifier {
  /** Waits between logins at one database; a test passes a no-op. */
  public interface Pause {
    void sleep(long millis) throws InterruptedException;
  }

  private final LeakReporter server;
  private final Function<SecretFinding, Optional<String>> lineOf;
  private final Map<Engine, Login> logins;
  private final int maxLogins;
  private final long intervalMillis;
  private final Pause pause;

  /**
   * @param lineOf the text of a finding's line, when the file can be read again (tree scans)
   * @param maxLogins most test logins one run may make; 0 for none
   * @param intervalMillis least time between two logins at one database
   */
  public FindingVerifier(
      LeakReporter server,
      Function<SecretFinding, Optional<String>> lineOf,
      int maxLogins,
      long intervalMillis,
      int timeoutSeconds,
      Pause pause) {
    this(
        server,
        lineOf,
        Map.of(
            Engine.POSTGRES,
            new JdbcLogin(timeoutSeconds),
            Engine.MARIADB,
            new JdbcLogin(timeoutSeconds),
            Engine.REDIS,
            new RedisLogin(timeoutSeconds)),
        maxLogins,
        intervalMillis,
        pause);
  }

  FindingVerifier(
      LeakReporter server,
      Function<SecretFinding, Optional<String>> lineOf,
      Map<Engine, Login> logins,
      int maxLogins,
      long intervalMillis,
      Pause pause) {
    this.server = server;
    this.lineOf = lineOf;
    this.logins = Map.copyOf(logins);
    this.maxLogins = maxLogins;
    this.intervalMillis = intervalMillis;
    this.pause = pause;
  }

  /** What a run did, for the summary line. */
  public record Outcome(
      List<SecretFinding> findings,
      int live,
      int dead,
      int unknown,
      int logins,
      int loginsSkipped) {}

  /**
   * @return the findings in the same order, each carrying its {@link Verification}
   */
  public Outcome verify(List<SecretFinding> findings) throws ScanException {
    Map<SecretFinding, String> keyHashes = new HashMap<>();
    Set<String> fps = new LinkedHashSet<>();
    Set<String> hashes = new LinkedHashSet<>();
    for (SecretFinding f : findings) {
      fps.add(f.fingerprint());
      if (f.ruleId().equals("private-key")) {
        PrivateKeys.publicKeySha256(f.secret().reveal())
            .ifPresent(
                h -> {
                  keyHashes.put(f, h);
                  hashes.add(h);
                });
      }
    }
    Answer answer =
        Answer.of(findings.isEmpty() ? null : server.verify(List.copyOf(fps), List.copyOf(hashes)));
    Map<String, Long> lastLogin = new HashMap<>();
    Map<String, Verification> tried = new HashMap<>();
    int loginsMade = 0;
    int skipped = 0;
    List<SecretFinding> out = new ArrayList<>(findings.size());
    int live = 0;
    int dead = 0;
    for (SecretFinding f : findings) {
      Verification v = answer.of(f.fingerprint(), keyHashes.get(f));
      if (v == null) {
        Optional<DatabaseCredential> cred =
            lineOf
                .apply(f)
                .flatMap(l -> DatabaseCredential.read(f.ruleId(), l, f.secret().reveal()));
        Optional<Target> target =
            cred.flatMap(c -> answer.targets().stream().filter(t -> t.names(c)).findFirst());
        if (cred.isPresent() && target.isEmpty()) {
          v =
              new Verification(
                  Verified.UNKNOWN,
                  cred.get().engine().name().toLowerCase(java.util.Locale.ROOT)
                      + " at "
                      + cred.get().host()
                      + ":"
                      + cred.get().port()
                      + " is not a database Warden manages: not tried");
        } else if (cred.isPresent()
            && cred.get().user() == null
            && target.get().engine() != Engine.REDIS) {
          v = new Verification(Verified.UNKNOWN, "no user is named beside the password: not tried");
        } else if (cred.isPresent()) {
          String key =
              target.get().resource() + "\u0000" + cred.get().user() + "\u0000" + f.fingerprint();
          v = tried.get(key);
          if (v == null && loginsMade >= maxLogins) {
            skipped++;
            v =
                new Verification(
                    Verified.UNKNOWN,
                    maxLogins == 0
                        ? "test logins are off (--verify-logins 0)"
                        : "not tried: the run's limit of "
                            + maxLogins
                            + " test logins was reached (--verify-logins)");
          } else if (v == null) {
            waitTurn(lastLogin, target.get().resource());
            Engine engine = target.get().engine();
            v =
                Objects.requireNonNull(logins.get(engine), () -> "no test login for " + engine)
                    .attempt(target.get(), cred.get());
            lastLogin.put(target.get().resource(), System.nanoTime());
            loginsMade++;
            tried.put(key, v);
          }
        } else {
          v = new Verification(Verified.UNKNOWN, "not a credential Warden can check");
        }
      }
      live += v.status() == Verified.TRUE ? 1 : 0;
      dead += v.status() == Verified.FALSE ? 1 : 0;
      out.add(f.verified(v));
    }
    return new Outcome(out, live, dead, out.size() - live - dead, loginsMade, skipped);
  }

  private void waitTurn(Map<String, Long> lastLogin, String resource) throws ScanException {
    Long last = lastLogin.get(resource);
    if (last == null) {
      return;
    }
    long waitMillis = intervalMillis - (System.nanoTime() - last) / 1_000_000;
    if (waitMillis > 0) {
      try {
        pause.sleep(waitMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ScanException(ScanException.Reason.REPORT_FAILED, "--verify interrupted");
      }
    }
  }

  /** The server's answer, indexed. */
  private record Answer(
      Map<String, List<JsonNode>> credentials,
      Map<String, List<JsonNode>> keys,
      List<Target> targets) {
    static Answer of(@Nullable JsonNode body) {
      Map<String, List<JsonNode>> creds = new HashMap<>();
      Map<String, List<JsonNode>> keys = new HashMap<>();
      List<Target> targets = new ArrayList<>();
      if (body != null) {
        body.get("credentials")
            .forEach(
                m ->
                    creds.computeIfAbsent(m.path("value").asText(), k -> new ArrayList<>()).add(m));
        body.get("publicKeys")
            .forEach(
                m -> keys.computeIfAbsent(m.path("value").asText(), k -> new ArrayList<>()).add(m));
        for (JsonNode d : body.get("databases")) {
          Engine e = Engine.of(d.path("engine").asText(""));
          String host = d.path("host").asText("");
          int port = d.path("port").asInt(0);
          String url = d.path("url").asText("");
          if (e != null && !host.isEmpty() && port > 0 && !url.isEmpty()) {
            targets.add(
                new Target(
                    d.path("resource").asText(""),
                    e,
                    host,
                    port,
                    d.path("database").asText(null),
                    url));
          }
        }
      }
      return new Answer(creds, keys, List.copyOf(targets));
    }

    /** The server's verdict on a fingerprint or key hash, or null when it knows neither. */
    @Nullable Verification of(String fingerprint, @Nullable String keyHash) {
      List<JsonNode> ms = new ArrayList<>(credentials.getOrDefault(fingerprint, List.of()));
      String what = "matches";
      if (keyHash != null && keys.containsKey(keyHash)) {
        ms.addAll(keys.get(keyHash));
        what = "is the private key of";
      }
      if (ms.isEmpty()) {
        return null;
      }
      Verified status = Verified.FALSE;
      for (JsonNode m : ms) {
        String l = m.path("liveness").asText("");
        if (l.equals("live")) {
          status = Verified.TRUE;
        } else if (l.equals("unknown") && status == Verified.FALSE) {
          status = Verified.UNKNOWN;
        }
      }
      List<String> parts = new ArrayList<>();
      for (JsonNode m : ms) {
        parts.add(
            m.path("kind").asText("")
                + " "
                + m.path("id").asText("")
                + " ("
                + m.path("state").asText("")
                + ")");
      }
      return new Verification(status, what + " Warden's " + String.join(", ", parts));
    }
  }
}
