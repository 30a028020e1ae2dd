package dev.warden.agent.workloadapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.model.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixAttestorTest {
  @Test
  void thisJvmIsAttestedWithItsUidExecutableAndItsHash() throws Exception {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    int gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
    long pid = ProcessHandle.current().pid();
    Path exe = Files.readSymbolicLink(Path.of("/proc/self/exe"));
    String sha =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(exe)));
    Set<Selector> s = new UnixAttestor().attest(new PeerCredentials((int) pid, uid, gid));
    assertThat(s)
        .contains(
            new Selector("unix", "uid", Integer.toString(uid)),
            new Selector("unix", "gid", Integer.toString(gid)),
            new Selector("unix", "path", exe.toString()),
            new Selector("unix", "sha256", sha));
    if (uid == 0) {
      assertThat(s).contains(new Selector("unix", "user", "root"));
    }
  }

  @Test
  void aProcessThatIsGoneIsNotAttested() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    int pid = (int) p.pid();
    assertThatThrownBy(() -> new UnixAttestor().attest(new PeerCredentials(pid, 0, 0)))
        .isInstanceOf(WorkloadAttestor.AttestationException.class);
    assertThatThrownBy(() -> new UnixAttestor().attest(new PeerCredentials(0, 0, 0)))
        .isInstanceOf(WorkloadAttestor.AttestationException.class);
  }

  @Test
  void aPidReusedDuringAttestationIsRefused(@TempDir Path proc) throws Exception {
    // a fake /proc whose stat changes start time between the two reads, as a reused pid would
    Path dir = Files.createDirectories(proc.resolve("77"));
    Path target = Files.writeString(proc.resolve("bin"), "binary");
    Files.createSymbolicLink(dir.resolve("exe"), target);
    Path stat = dir.resolve("stat");
    String line =
        "77 (a b) c) S 1 77 77 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 %d 1000 10 18446744073709551615";
    Files.writeString(stat, line.formatted(1000));
    UnixAttestor a = new UnixAttestor(proc, proc.resolve("passwd"), proc.resolve("group"));
    // first: stable start time attests fine, and the comm with spaces and ')' is parsed
    assertThat(a.attest(new PeerCredentials(77, 5, 5)))
        .contains(new Selector("unix", "path", target.toString()));
    Thread racer =
        new Thread(
            () -> {
              for (int i = 0; i < 2000; i++) {
                try {
                  Files.writeString(stat, line.formatted(1000 + (i % 2)));
                } catch (Exception ignored) {
                  // the attestor may be reading
                }
              }
            });
    racer.start();
    boolean refused = false;
    for (int i = 0; i < 2000 && !refused; i++) {
      try {
        a.attest(new PeerCredentials(77, 5, 5));
      } catch (WorkloadAttestor.AttestationException e) {
        refused = e.getMessage().contains("replaced") || e.getMessage().contains("cannot read");
      }
    }
    racer.join();
    assertThat(refused).isTrue();
  }

  @Test
  void statLinesAreParsedFromTheLastParenthesis() {
    assertThat(ProcStat.startTime("1 (init) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 42 1 2"))
        .isEqualTo(42);
    assertThat(ProcStat.startTime("9 (x) (y)) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 1 2"))
        .isEqualTo(7);
    for (String bad :
        new String[] {
          "",
          "garbage",
          "1 (x",
          "1 (x) S 1 2",
          "1 (x) S 0 1 1 0 -1 4 1 2 3 4 5 6 7 8 20 0 1 0 -5",
          "1 (x) S 0 1 1 0 -1 4 1 2 3 4 5 6 7 8 20 0 1 0 zz 1"
        }) {
      assertThatThrownBy(() -> ProcStat.startTime(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
