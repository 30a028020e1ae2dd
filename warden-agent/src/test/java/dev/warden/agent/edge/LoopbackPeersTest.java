package dev.warden.agent.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.agent.workloadapi.PeerCredentials;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding the process behind a loopback TCP connection, on a /proc laid out as the kernel lays it
 * out.
 */
class LoopbackPeersTest {
  static final String HEADER =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

  @TempDir Path proc;

  void socketTable(String name, String line) throws Exception {
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("net").resolve(name), HEADER + line + "\n");
  }

  void process(int pid, long... inodes) throws Exception {
    Path fd = Files.createDirectories(proc.resolve(Integer.toString(pid)).resolve("fd"));
    int n = 0;
    Files.createSymbolicLink(fd.resolve(Integer.toString(n++)), Path.of("/dev/null"));
    for (long inode : inodes) {
      Files.createSymbolicLink(
          fd.resolve(Integer.toString(n++)), Path.of("socket:[" + inode + "]"));
    }
  }

  static InetSocketAddress at(String host, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(host), port);
  }

  @Test
  void theProcessHoldingTheClientsSocketIsFoundWithTheSocketsUid() throws Exception {
    socketTable(
        "tcp",
        "   0: 0100007F:D431 0100007F:1538 01 00000000:00000000 00:00000000 00000000  1001        0 5555 1");
    process(10, 1111);
    process(20, 5555);
    PeerCredentials p =
        new LoopbackPeers(proc).owner(at("127.0.0.1", 0xD431), at("127.0.0.1", 0x1538));
    assertThat(p.pid()).isEqualTo(20);
    assertThat(p.uid()).isEqualTo(1001);
  }

  @Test
  void aDualStackClientIsFoundInTcp6WithItsV4MappedAddress() throws Exception {
    socketTable(
        "tcp",
        "   0: 0100007F:0001 0100007F:0002 01 00000000:00000000 00:00000000 00000000     0        0 1 1");
    socketTable(
        "tcp6",
        "   0: 0000000000000000FFFF00000100007F:D431 0000000000000000FFFF00000100007F:1538 01 "
            + "00000000:00000000 00:00000000 00000000  1002        0 7777 1");
    process(30, 7777);
    LoopbackPeers peers = new LoopbackPeers(proc);
    assertThat(peers.owner(at("127.0.0.1", 0xD431), at("127.0.0.1", 0x1538)).pid()).isEqualTo(30);
    assertThat(peers.owner(at("127.0.0.1", 0xD431), at("127.0.0.1", 0x1538)).uid()).isEqualTo(1002);
  }

  @Test
  void aSocketNoProcessHoldsOrNoTableListsIsRefusedWithWhatToDo() throws Exception {
    socketTable(
        "tcp",
        "   0: 0100007F:D431 0100007F:1538 01 00000000:00000000 00:00000000 00000000  1001        0 5555 1");
    process(10, 1111);
    LoopbackPeers peers = new LoopbackPeers(proc);
    assertThatThrownBy(() -> peers.owner(at("127.0.0.1", 0xD431), at("127.0.0.1", 0x1538)))
        .isInstanceOf(EdgeException.class)
        .hasMessageContaining("CAP_SYS_PTRACE");
    assertThatThrownBy(() -> peers.owner(at("127.0.0.1", 0x0BAD), at("127.0.0.1", 0x1538)))
        .hasMessageContaining("no local socket matches");
  }

  @Test
  void aConnectionFromAnotherHostIsRefused() throws Exception {
    assertThatThrownBy(
            () -> new LoopbackPeers(proc).owner(at("192.0.2.7", 40000), at("127.0.0.1", 5432)))
        .isInstanceOf(EdgeException.class)
        .hasMessageContaining("only processes on this host");
  }
}
