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

/**
 * Who is on the other end of a loopback TCP connection. The kernel's socket table ({@code
 * /proc/net/tcp}, {@code tcp6}) gives the uid and inode of the socket bound to the client's
 * address and port; the process is the one holding that inode among its file descriptors.
 *
 * <p>The trust boundary: this proves which local process owns the connecting socket at the moment
 * of the check, in the agent's network namespace. It cannot tell who a socket was handed to over
 * SCM_RIGHTS afterwards, so a socket held by more than one process is refused, and a Unix socket
 * (where the kernel names the peer itself) is the stronger choice wherever the client can use one.
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
   * @throws EdgeException (UNIDENTIFIED) when the client is not local or its process cannot be found
   */
  public PeerCredentials owner(InetSocketAddress client, InetSocketAddress local) throws EdgeException {
    if (!client.getAddress().isLoopbackAddress()) {
      throw new EdgeException(EdgeException.Kind.UNIDENTIFIED, "connection from " + client
          + " refused: the agent serves only processes on this host (loopback or its Unix socket)");
    }
    Socket s = find(client, local);
    if (s == null) {
      throw new EdgeException(EdgeException.Kind.UNIDENTIFIED, "no local socket matches the connection from "
          + client + " (it closed, or belongs to another network namespace)");
    }
    List<Integer> pids = holders(s.inode());
    if (pids.isEmpty()) {
      throw new EdgeException(EdgeException.Kind.UNIDENTIFIED, "no process holds the socket connecting from "
          + client + " (the agent needs to read /proc/<pid>/fd: run it as root or with CAP_SYS_PTRACE)");
    }
    if (pids.size() > 1) {
      throw new EdgeException(EdgeException.Kind.UNIDENTIFIED, "the socket connecting from " + client
          + " is shared by processes " + pids + ": which one is calling cannot be told, so none is trusted");
    }
    int pid = pids.getFirst();
    int gid;
    try {
      gid = (Integer) Files.getAttribute(proc.resolve(Integer.toString(pid)), "unix:gid");
    } catch (IOException | RuntimeException e) {
      throw new EdgeException(EdgeException.Kind.UNIDENTIFIED, "process " + pid + " exited while being identified");
    }
    return new PeerCredentials(pid, s.uid(), gid);
  }

  record Socket(int uid, long inode) {}

  private Socket find(InetSocketAddress client, InetSocketAddress local) throws EdgeException {
    // an IPv4 connection is in tcp; one from a dual-stack socket is in tcp6 with v4-mapped addresses
    Socket s = null;
    if (client.getAddress() instanceof Inet4Address) {
      s = search("tcp", hex(client.getAddress(), client.getPort()), hex(local.getAddress(), local.getPort()));
    }
    if (s == null) {
      s = search("tcp6", hex6(client.getAddress(), client.getPort()), hex6(local.getAddress(), local.getPort()));
    }
    return s;
  }

  private Socket search(String name, String want, String peer) throws EdgeException {
    Path table = proc.resolve("net").resolve(name);
    List<String> lines;
    try {
      lines = Files.readAllLines(table);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;  // no IPv6 on this host
    } catch (IOException e) {
      throw new EdgeException(EdgeException.Kind.UNIDENTIFIED, "cannot read " + table + ": " + e.getMessage());
    }
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      Socket s = parseLine(line, want, peer);
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  /** The address as tcp6 shows it: IPv4 addresses as v4-mapped (::ffff:a.b.c.d). */
  static String hex6(InetAddress a, int port) {
    byte[] b = a.getAddress();
    if (b.length == 4) {
      byte[] m = new byte[16];
      m[10] = (byte) 0xff;
      m[11] = (byte) 0xff;
      System.arraycopy(b, 0, m, 12, 4);
      return hex(m, port);  // not through InetAddress, which turns a mapped address back into IPv4
    }
    return hex(b, port);
  }

  /** One line of /proc/net/tcp: the socket when its local and remote addresses are the ones wanted. */
  static Socket parseLine(String line, String local, String remote) {
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

  /** The kernel's notation: each 32-bit word of the address in host (little-endian) order, then the port. */
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

  private List<Integer> holders(long inode) {
    String target = "socket:[" + inode + "]";
    List<Integer> out = new ArrayList<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(proc, p -> isPid(p.getFileName().toString()))) {
      for (Path p : procs) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(p.resolve("fd"))) {
          for (Path fd : fds) {
            try {
              if (Files.readSymbolicLink(fd).toString().equals(target)) {
                out.add(Integer.parseInt(p.getFileName().toString()));
                break;
              }
            } catch (IOException ignored) {
              // the descriptor closed meanwhile
            }
          }
        } catch (IOException ignored) {
          // the process exited, or its descriptors are not readable
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
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
