package dev.warden.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL cluster of the test's own, from the machine's binaries: TLS on with a certificate
 * from a throw-away CA (for 127.0.0.1 and localhost), and SCRAM-SHA-256 required on TCP — what the
 * machine's shared server (trust on loopback, no TLS) cannot show. Run as the {@code postgres} user
 * when the test runs as root (initdb refuses root). About two seconds to start. It also listens on
 * 127.0.0.2, an address its certificate does not name, to test host name checks.
 */
public final class PrivatePostgres implements AutoCloseable {
  public static final String SUPERUSER_PASSWORD = "private-pg-superuser";

  private final Path dir;
  private final Path bin;
  private final int port;
  private final TestTlsCertificates ca;

  private PrivatePostgres(Path dir, Path bin, int port, TestTlsCertificates ca) {
    this.dir = dir;
    this.bin = bin;
    this.port = port;
    this.ca = ca;
  }

  /** True when this machine has PostgreSQL's server binaries (initdb). */
  public static boolean available() {
    return binaries() != null;
  }

  public static PrivatePostgres start() {
    Path bin = binaries();
    if (bin == null) {
      throw new IllegalStateException(
          "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin");
    }
    try {
      Path dir = Files.createTempDirectory("warden-private-pg");
      boolean root = "root".equals(System.getProperty("user.name"));
      int port = FreePorts.next();
      TestTlsCertificates ca = TestTlsCertificates.newCa("Warden test database CA");
      PrivatePostgres pg = new PrivatePostgres(dir, bin, port, ca);
      Path data = dir.resolve("data");
      if (root) {
        run(List.of("chown", "postgres:postgres", dir.toString()));
      }
      pg.asOwner(
          List.of(
              bin.resolve("initdb").toString(),
              "-D",
              data.toString(),
              "-U",
              "postgres",
              "-A",
              "trust",
              "-E",
              "UTF8",
              "--no-sync",
              "--no-instructions"));
      ca.server(List.of("127.0.0.1", "localhost")).write(dir, "server");
      Files.setPosixFilePermissions(
          dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
      if (root) {
        run(
            List.of(
                "chown",
                "postgres:postgres",
                dir.resolve("server.crt").toString(),
                dir.resolve("server.key").toString()));
      }
      Files.writeString(dir.resolve("ca.crt"), ca.pem(), StandardCharsets.US_ASCII);
      String conf =
          """

          port = %d
          listen_addresses = '127.0.0.1,127.0.0.2'
          unix_socket_directories = '%s'
          ssl = on
          ssl_cert_file = '%s'
          ssl_key_file = '%s'
          password_encryption = 'scram-sha-256'
          fsync = off
          synchronous_commit = off
          full_page_writes = off
          max_connections = 60
          shared_buffers = 16MB
          """
              .formatted(port, dir, dir.resolve("server.crt"), dir.resolve("server.key"));
      pg.asOwner(
          List.of(
              "sh",
              "-c",
              "cat >> "
                  + data.resolve("postgresql.conf")
                  + " <<'EOF'\n"
                  + conf
                  + "EOF\n"
                  + "printf 'local all all trust\\nhost all all 127.0.0.1/32 scram-sha-256\\nhost all all 127.0.0.2/32 scram-sha-256\\n' > "
                  + data.resolve("pg_hba.conf")));
      pg.asOwner(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-l",
              dir.resolve("log").toString(),
              "-w",
              "-t",
              "60",
              "start"));
      pg.psql("ALTER ROLE postgres PASSWORD '" + SUPERUSER_PASSWORD + "'");
      return pg;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start a private PostgreSQL: " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  /** The PEM file of the CA that signed the server's certificate. */
  public Path caFile() {
    return dir.resolve("ca.crt");
  }

  /** The directory of the server's Unix socket. */
  public Path socketDirectory() {
    return dir;
  }

  /** A JDBC URL over TCP (TLS verified against {@link #caFile()}). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:"
        + port
        + "/"
        + database
        + "?sslmode=verify-full&sslrootcert="
        + caFile();
  }

  /** Runs SQL as the superuser over the Unix socket; returns psql's unaligned output. */
  public String psql(String sql) {
    return asOwner(
        List.of(
            bin.resolve("psql").toString(),
            "-X",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            dir.toString(),
            "-p",
            Integer.toString(port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-Atc",
            sql));
  }

  /**
   * Runs one of the server's client tools (pgbench, psql...) as the superuser over the Unix socket.
   */
  public String tool(String name, String... args) {
    List<String> c =
        new ArrayList<>(
            List.of(
                bin.resolve(name).toString(),
                "-h",
                dir.toString(),
                "-p",
                Integer.toString(port),
                "-U",
                "postgres"));
    c.addAll(List.of(args));
    return asOwner(c);
  }

  /**
   * Stops the server at once ({@code pg_ctl stop -m immediate}), as a crash would; the data stays.
   */
  public void stopServer() {
    asOwner(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-m",
            "immediate",
            "-w",
            "stop"));
  }

  /** Starts the server again after {@link #stopServer()}, on the same port. */
  public void startServer() {
    asOwner(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-l",
            dir.resolve("log").toString(),
            "-w",
            "-t",
            "60",
            "start"));
  }

  @Override
  public void close() {
    try {
      asOwner(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "immediate",
              "-w",
              "stop"));
    } catch (RuntimeException ignored) {
      // already down
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory: best effort
    }
  }

  private String asOwner(List<String> command) {
    List<String> c = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      c.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    c.addAll(command);
    return run(c);
  }

  private static String run(List<String> command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .directory(Path.of("/tmp").toFile())
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
      return out.strip();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + command.getFirst() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  private static @Nullable Path binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          // b is <root>/<version>/bin, so it has a parent with a name
          .max(
              Comparator.comparingInt(
                  b ->
                      version(String.valueOf(Objects.requireNonNull(b.getParent()).getFileName()))))
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static int version(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
