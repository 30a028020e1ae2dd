package dev.warden.bench;

import dev.warden.core.model.AccessPolicy;
import dev.warden.core.model.Effect;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Selector;
import dev.warden.core.model.Sensitivity;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.model.Workload;
import dev.warden.core.model.WorkloadMatcher;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process decision latency with N workloads and N policies over 100 resources: a mix of exact
 * SPIFFE IDs (50%), path prefixes (20%), selector sets (20%) and deny policies (10%), a fifth of
 * them with a CEL condition. {@code baselineMapLookup} is a plain HashMap lookup in the same run,
 * so figures can be read as a ratio on a noisy machine.
 *
 * <pre>java -jar warden-bench/target/warden-bench.jar DecisionBenchmark -bm sample -tu us</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecisionBenchmark {
  @Param({"100", "10000"})
  int size;

  /** Percentage of policies with a CEL condition. */
  @Param({"0", "20"})
  int conditionPercent;

  PolicySnapshot snapshot;
  Workload[] workloads;
  Resource[] targets;
  Map<String, Workload> baseline;
  RequestContext ctx;
  int i;

  @Setup
  public void setup() {
    Random rnd = new Random(42);
    List<Resource> resources = new ArrayList<>();
    for (int r = 0; r < 100; r++) {
      resources.add(
          new Resource(
              "res-" + r, "https://res-" + r + ".acme.test", "http", Sensitivity.MEDIUM, null));
    }
    List<Workload> ws = new ArrayList<>();
    for (int w = 0; w < size; w++) {
      ws.add(
          new Workload(
              SpiffeId.parse("spiffe://acme.test/team-" + (w % 50) + "/svc-" + w),
              Set.of(Selector.parse("k8s:ns=team-" + (w % 50)), Selector.parse("k8s:sa=svc-" + w)),
              "owner@acme.test",
              "team-" + (w % 50),
              "prod",
              null,
              null,
              null));
    }
    List<AccessPolicy> ps = new ArrayList<>();
    for (int p = 0; p < size; p++) {
      int w = rnd.nextInt(size);
      String res = "res-" + (w % 100);
      String cond =
          (p % 100) < conditionPercent
              ? "request.time.getHours() >= 0 && workload.team == \"team-" + (w % 50) + "\""
              : null;
      WorkloadMatcher m;
      Effect effect = Effect.ALLOW;
      int kind = p % 10;
      if (kind < 5) {
        m = new WorkloadMatcher(List.of("spiffe://acme.test/team-" + (w % 50) + "/svc-" + w), null);
      } else if (kind < 7) {
        m = new WorkloadMatcher(List.of("spiffe://acme.test/team-" + (w % 50) + "/*"), null);
      } else if (kind < 9) {
        m =
            new WorkloadMatcher(
                null,
                Set.of(
                    Selector.parse("k8s:ns=team-" + (w % 50)), Selector.parse("k8s:sa=svc-" + w)));
      } else {
        m =
            new WorkloadMatcher(
                List.of("spiffe://acme.test/team-" + (w % 50) + "/svc-" + ((w + 1) % size)), null);
        effect = Effect.DENY;
      }
      ps.add(
          new AccessPolicy(
              "p-" + p, null, m, List.of(res), effect, cond, null, Duration.ofMinutes(5), null));
    }
    snapshot = PolicySnapshot.build(ws, resources, ps, null);
    workloads = new Workload[4096];
    targets = new Resource[4096];
    baseline = new HashMap<>();
    for (Workload w : ws) {
      baseline.put(w.name(), w);
    }
    for (int k = 0; k < workloads.length; k++) {
      int w = rnd.nextInt(size);
      workloads[k] = ws.get(w);
      targets[k] = resources.get(rnd.nextInt(4) == 0 ? rnd.nextInt(100) : w % 100);
    }
    ctx = RequestContext.at(Instant.parse("2026-06-01T10:00:00Z"));
  }

  @Benchmark
  public Decision decide() {
    int k = (i++) & 4095;
    return snapshot.decide(workloads[k], targets[k], ctx);
  }

  @Benchmark
  public Workload baselineMapLookup() {
    int k = (i++) & 4095;
    return baseline.get(workloads[k].name());
  }
}
