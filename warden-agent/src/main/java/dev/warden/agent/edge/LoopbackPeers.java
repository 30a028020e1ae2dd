package dev.warden.agent.edge;

import dev.warden.agent.workloadapi.PeerCredentials;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Who is on the other end of a loopback TCP connection. The kernel's socket table ({@code
 * /proc/net/tcp}, {@code tcp6}) gives the uid and inode of the socket bound to the client's address
 * and port; the process is the one holding that inode among its file descriptors.
 *
 * <p>The trust boundary: this proves which local process holds the connecting socket at the moment
 * of the check, in the agent's network namespaces, and that the socket was created by that
 * process's uid. A socket that several processes hold (inherited across {@code fork}, passed with
 * SCM_RIGHTS) is attributed to the one found — a sharing only a holder can arrange, so it grants
 * nothing a holder could not already do by relaying. A Unix socket, where the kernel names the peer
 * itself, is the stronger choice wherever the client can use one.
 *
 * <p>Cost: the kernel's socket table is read only up to the match, and the processes that held the
 * last sockets are looked at first — a connection pool reconnecting costs one process's descriptor
 * list, not the whole of {@code /proc}.
 */
public final class LoopbackPeers {
  private final Path proc;

  public LoopbackPeers() {
    this(Path.of("/proc"));
  }

  LoopbackPeers(Path proc) {
    this.proc = proc;
  }

  /**
   * @param client the connection's remote address (the client's socket)
   * @param local the connection's local address (the agent's listener)
   * @throws EdgeException (UNIDENTIFIED) when the client is not local or its process cannot be
   *     found
   */
  public PeerCredentials owner(InetSocketAddress client, InetSocketAddress local)
      throws EdgeException {
    if (!client.getAddress().isLoopbackAddress()) {
      throw new EdgeException(
          EdgeException.Kind.UNIDENTIFIED,
          "connection from "
              + client
              + " refused: the agent serves only processes on this host (loopback or its Unix socket)");
    }
    Socket s = find(client, local);
    if (s == null) {
      throw new EdgeException(
          EdgeException.Kind.UNIDENTIFIED,
          "no local socket matches the connection from "
              + client
              + " (it closed, or belongs to another network namespace)");
    }
    int found = holder(s.inode(), s.uid());
    if (found < 0) {
      throw new EdgeException(
          EdgeException.Kind.UNIDENTIFIED,
          "no process holds the socket connecting from "
              + client
              + " (the agent needs to read /proc/<pid>/fd: run it as root or with CAP_SYS_PTRACE)");
    }
    int pid = found;
    int gid;
    try {
      gid = (Integer) Files.getAttribute(proc.resolve(Integer.toString(pid)), "unix:gid");
    } catch (IOException | RuntimeException e) {
      throw new EdgeException(
          EdgeException.Kind.UNIDENTIFIED, "process " + pid + " exited while being identified");
    }
    return new PeerCredentials(pid, s.uid(), gid);
  }

  record Socket(int uid, long inode) {}

  /**
   * Where the last IPv4 client was found: Java clients use dual-stack sockets (tcp6), libpq plain
   * IPv4.
   */
  private volatile boolean v4InTcp6;

  private @Nullable Socket find(InetSocketAddress client, InetSocketAddress local)
      throws EdgeException {
    // an IPv4 connection is in tcp; one from a dual-stack socket is in tcp6 with v4-mapped
    // addresses
    String v6 = hex6(client.getAddress(), client.getPort());
    String v6Local = hex6(local.getAddress(), local.getPort());
    if (!(client.getAddress() instanceof Inet4Address)) {
      return search("tcp6", v6, v6Local);
    }
    String v4 = hex(client.getAddress(), client.getPort());
    String v4Local = hex(local.getAddress(), local.getPort());
    boolean six = v4InTcp6;
    Socket s = six ? search("tcp6", v6, v6Local) : search("tcp", v4, v4Local);
    if (s == null) {
      s = six ? search("tcp", v4, v4Local) : search("tcp6", v6, v6Local);
      if (s != null) {
        v4InTcp6 = !six;
      }
    }
    return s;
  }

  private @Nullable Socket search(String name, String want, String peer) throws EdgeException {
    Path table = proc.resolve("net").resolve(name);
    // read up to the match only: the kernel writes this table as it is read, and under load it
    // holds thousands of sockets
    try (java.io.BufferedReader r =
        Files.newBufferedReader(table, java.nio.charset.StandardCharsets.US_ASCII)) {
      r.readLine(); // header
      for (String line; (line = r.readLine()) != null; ) {
        Socket s = parseLine(line, want, peer);
        if (s != null) {
          return s;
        }
      }
      return null;
    } catch (java.nio.file.NoSuchFileException e) {
      return null; // no IPv6 on this host
    } catch (IOException e) {
      throw new EdgeException(
          EdgeException.Kind.UNIDENTIFIED, "cannot read " + table + ": " + e.getMessage());
    }
  }

  /** The address as tcp6 shows it: IPv4 addresses as v4-mapped (::ffff:a.b.c.d). */
  static String hex6(InetAddress a, int port) {
    byte[] b = a.getAddress();
    if (b.length == 4) {
      byte[] m = new byte[16];
      m[10] = (byte) 0xff;
      m[11] = (byte) 0xff;
      System.arraycopy(b, 0, m, 12, 4);
      return hex(m, port); // not through InetAddress, which turns a mapped address back into IPv4
    }
    return hex(b, port);
  }

  /**
   * One line of /proc/net/tcp: the socket when its local and remote addresses are the ones wanted.
   */
  static @Nullable Socket parseLine(String line, String local, String remote) {
    String[] f = line.trim().split("\\s+");
    if (f.length < 10 || !f[1].equalsIgnoreCase(local) || !f[2].equalsIgnoreCase(remote)) {
      return null;
    }
    try {
      return new Socket(Integer.parseInt(f[7]), Long.parseLong(f[9]));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The kernel's notation: each 32-bit word of the address in host (little-endian) order, then the
   * port.
   */
  static String hex(InetAddress a, int port) {
    return hex(a.getAddress(), port);
  }

  private static String hex(byte[] b, int port) {
    StringBuilder s = new StringBuilder();
    for (int w = 0; w < b.length; w += 4) {
      for (int i = 3; i >= 0; i--) {
        s.append(HexFormat.of().toHexDigits(b[w + i]));
      }
    }
    return (s + ":" + String.format(Locale.ROOT, "%04X", port)).toUpperCase(Locale.ROOT);
  }

  /**
   * Pids that held the last sockets found, most recent first: the usual caller is a process seen
   * before.
   */
  private final java.util.Deque<Integer> recent = new java.util.ArrayDeque<>();

  private int holder(long inode, int uid) {
    String target = "socket:[" + inode + "]";
    List<Integer> first;
    synchronized (recent) {
      first = new ArrayList<>(recent);
    }
    for (int pid : first) {
      if (holds(proc.resolve(Integer.toString(pid)), target)) {
        remember(pid);
        return pid;
      }
    }
    // the processes of the socket's uid first (one stat each, cheaper than listing descriptors),
    // then the others: a socket can be passed to a process of another uid
    List<Path> others = new ArrayList<>();
    try (DirectoryStream<Path> procs =
        Files.newDirectoryStream(proc, p -> isPid(p.getFileName().toString()))) {
      for (Path p : procs) {
        int pid = Integer.parseInt(p.getFileName().toString());
        if (first.contains(pid)) {
          continue;
        }
        if (!ownedBy(p, uid)) {
          others.add(p);
        } else if (holds(p, target)) {
          remember(pid);
          return pid;
        }
      }
    } catch (IOException e) {
      return -1;
    }
    for (Path p : others) {
      if (holds(p, target)) {
        int pid = Integer.parseInt(p.getFileName().toString());
        remember(pid);
        return pid;
      }
    }
    return -1;
  }

  private static boolean ownedBy(Path process, int uid) {
    try {
      return ((Integer) Files.getAttribute(process, "unix:uid")) == uid;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean holds(Path process, String target) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals(target)) {
            return true;
          }
        } catch (IOException ignored) {
          // the descriptor closed meanwhile
        }
      }
    } catch (IOException ignored) {
      // the process exited, or its descriptors are not readable
    }
    return false;
  }

  private void remember(int pid) {
    synchronized (recent) {
      recent.remove(pid);
      recent.addFirst(pid);
      while (recent.size() > 16) {
        recent.removeLast();
      }
    }
  }

  private static boolean isPid(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
