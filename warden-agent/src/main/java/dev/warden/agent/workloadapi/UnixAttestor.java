package dev.warden.agent.workloadapi;

import dev.warden.core.model.Selector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Unix workload attestation: uid and gid from the kernel (SO_PEERCRED), and from {@code
 * /proc/<pid>} the executable's path and SHA-256. The start time is read before and after looking
 * at the executable; if it changed, or the process vanished, the pid was reused and the caller gets
 * nothing. Selectors: {@code unix:uid}, {@code unix:gid}, {@code unix:user}, {@code unix:group},
 * {@code unix:path}, {@code unix:sha256}.
 */
public final class UnixAttestor implements WorkloadAttestor {
  private record FileKey(
      @Nullable Object dev, @Nullable Object ino, long size, @Nullable FileTime mtime) {}

  private final Path proc;
  private final NameFile passwd;
  private final NameFile group;
  // hashing an executable costs milliseconds; the same file (device, inode, size, mtime) has the
  // same hash
  private final Map<FileKey, String> hashes =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FileKey, String> e) {
          return size() > 1024;
        }
      };

  public UnixAttestor() {
    this(Path.of("/proc"), Path.of("/etc/passwd"), Path.of("/etc/group"));
  }

  UnixAttestor(Path proc, Path passwd, Path group) {
    this.proc = proc;
    this.passwd = new NameFile(passwd);
    this.group = new NameFile(group);
  }

  @Override
  public Set<Selector> attest(PeerCredentials peer) throws AttestationException {
    Set<Selector> out = new LinkedHashSet<>();
    out.add(new Selector("unix", "uid", Integer.toString(peer.uid())));
    out.add(new Selector("unix", "gid", Integer.toString(peer.gid())));
    String user = passwd.name(peer.uid());
    if (user != null) {
      out.add(new Selector("unix", "user", user));
    }
    String grp = group.name(peer.gid());
    if (grp != null) {
      out.add(new Selector("unix", "group", grp));
    }
    if (peer.pid() <= 0) {
      throw new AttestationException("the kernel reported no pid for the caller");
    }
    Path dir = proc.resolve(Integer.toString(peer.pid()));
    long before = startTime(dir);
    Path exe;
    String sha;
    try {
      exe = Files.readSymbolicLink(dir.resolve("exe"));
      sha = sha256(dir.resolve("exe"));
    } catch (NoSuchFileException e) {
      throw new AttestationException("process " + peer.pid() + " exited during attestation");
    } catch (IOException e) {
      throw new AttestationException(
          "cannot read the executable of process " + peer.pid() + ": " + e.getMessage());
    }
    if (startTime(dir) != before) {
      throw new AttestationException(
          "process " + peer.pid() + " was replaced during attestation (pid reused)");
    }
    out.add(new Selector("unix", "path", exe.toString()));
    out.add(new Selector("unix", "sha256", sha));
    return out;
  }

  private static long startTime(Path dir) throws AttestationException {
    try {
      return ProcStat.startTime(Files.readString(dir.resolve("stat")));
    } catch (NoSuchFileException e) {
      throw new AttestationException("process " + dir.getFileName() + " does not exist");
    } catch (IOException | IllegalArgumentException e) {
      throw new AttestationException("cannot read " + dir.resolve("stat") + ": " + e.getMessage());
    }
  }

  private String sha256(Path exe) throws IOException {
    Map<String, Object> a = Files.readAttributes(exe, "unix:dev,ino,size,lastModifiedTime");
    FileKey key =
        new FileKey(
            a.get("dev"),
            a.get("ino"),
            // readAttributes returns every attribute it was asked for, or throws
            (Long) Objects.requireNonNull(a.get("size"), "size"),
            (FileTime) a.get("lastModifiedTime"));
    synchronized (hashes) {
      String h = hashes.get(key);
      if (h != null) {
        return h;
      }
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = Files.newInputStream(exe)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    String h = HexFormat.of().formatHex(md.digest());
    synchronized (hashes) {
      hashes.put(key, h);
    }
    return h;
  }

  /**
   * An /etc/passwd- or /etc/group-style file (name:x:id:...) read again only when its modification
   * time changes: attestation runs on every call and must not re-read it each time.
   */
  static final class NameFile {
    private record Snapshot(@Nullable FileTime mtime, Map<Integer, String> names) {}

    private final Path file;
    private volatile Snapshot snap = new Snapshot(null, Map.of());

    NameFile(Path file) {
      this.file = file;
    }

    @Nullable String name(int id) {
      FileTime mtime;
      try {
        mtime = Files.getLastModifiedTime(file);
      } catch (IOException e) {
        return null;
      }
      Snapshot s = snap;
      if (!mtime.equals(s.mtime())) {
        Map<Integer, String> names = new java.util.HashMap<>();
        try {
          for (String line : Files.readAllLines(file)) {
            String[] f = line.split(":", 4);
            if (f.length >= 3 && !f[0].isEmpty()) {
              try {
                names.putIfAbsent(Integer.parseInt(f[2]), f[0]);
              } catch (NumberFormatException ignored) {
                // a malformed line names nobody
              }
            }
          }
        } catch (IOException e) {
          return null;
        }
        s = new Snapshot(mtime, Map.copyOf(names));
        snap = s;
      }
      return s.names().get(id);
    }
  }
}
