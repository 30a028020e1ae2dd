package dev.warden.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Starts tasks on platform threads at the same instant and collects how each ended. */
final class Race {
  /** How one task ended: its result, or what it threw. */
  record Outcome<R>(R result, Throwable error) {
    boolean succeeded() {
      return error == null;
    }
  }

  private Race() {}

  static <R> List<Outcome<R>> run(List<Callable<R>> tasks) throws InterruptedException {
    CyclicBarrier start = new CyclicBarrier(tasks.size());
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<Outcome<R>>> futures = new ArrayList<>();
      for (Callable<R> task : tasks) {
        futures.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  try {
                    return new Outcome<>(task.call(), null);
                  } catch (Exception | AssertionError e) {
                    return new Outcome<R>(null, e);
                  }
                }));
      }
      List<Outcome<R>> out = new ArrayList<>();
      for (Future<Outcome<R>> f : futures) {
        try {
          out.add(f.get(60, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          throw new AssertionError("a racing task did not finish", e);
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
