package dev.warden.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Listeners told, on the committing thread, of a change this node committed, so its caches drop
 * what changed before the change is reported done. Other nodes learn of it through the change
 * counter bumped in the same transaction.
 */
final class LocalChanges {
  private static final System.Logger LOG = System.getLogger(LocalChanges.class.getName());

  private final String what;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  LocalChanges(String what) {
    this.what = what;
  }

  void add(Runnable listener) {
    listeners.add(listener);
  }

  void committed() {
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        // the change is committed: a listener's failure must not turn it into an error
        LOG.log(System.Logger.Level.WARNING, what + " listener failed: " + e.getMessage());
      }
    }
  }
}
