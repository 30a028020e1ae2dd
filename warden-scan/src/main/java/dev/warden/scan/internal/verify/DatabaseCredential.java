package dev.warden.scan.internal.verify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A database login found in a file: where it points and with what. Read from the line that holds
 * the found password, so the password is only ever paired with the host written beside it.
 *
 * @param database the database named beside it, or null
 * @param user the user named beside it, or null (Redis {@code AUTH password})
 */
record DatabaseCredential(
    Engine engine,
    String host,
    int port,
    @Nullable String database,
    @Nullable String user,
    String password) {
  private static final Pattern URL =
      Pattern.compile(
          "(?i)(?<scheme>postgres(?:ql)?|mysql|mariadb|rediss?)(?:\\+[a-z0-9]+)?://(?:(?<user>[^:@/\\s\"'`<>]*):)?"
              + "(?<pass>[^@/\\s\"'`<>]+)@(?<host>\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(?::(?<port>\\d{1,5}))?"
              + "(?:/(?<db>[^?\\s\"'`<>#;]*))?");
  private static final Pattern JDBC =
      Pattern.compile(
          "(?i)jdbc:(?<scheme>postgresql|mysql|mariadb)://(?<host>\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(?::(?<port>\\d{1,5}))?"
              + "(?:/(?<db>[^?;\\s\"'`<>#]*))?(?<params>[^\\s\"'`<>]*)");

  @Override
  public String toString() {
    // never the password
    return engine + " " + user + "@" + host + ":" + port + (database == null ? "" : "/" + database);
  }

  /**
   * The login around {@code secret} on {@code line}, for the rules that find database passwords.
   *
   * @return empty when the rule is not a database rule or the line does not name a single host
   */
  static Optional<DatabaseCredential> read(String ruleId, String line, String secret) {
    return switch (ruleId) {
      case "uri-postgres", "uri-mysql", "uri-redis" -> url(line, secret);
      case "jdbc-password" -> jdbc(line, secret);
      case "pgpass-password" -> pgpass(line, secret);
      default -> Optional.empty();
    };
  }

  private static Optional<DatabaseCredential> url(String line, String secret) {
    Matcher m = URL.matcher(line);
    while (m.find()) {
      if (!m.group("pass").equals(secret)) {
        continue;
      }
      Engine e = Engine.of(m.group("scheme"));
      Integer port = port(m.group("port"), e);
      if (e == null || port == null) {
        return Optional.empty();
      }
      String user =
          m.group("user") == null || m.group("user").isEmpty() ? null : decode(m.group("user"));
      String db = m.group("db") == null || m.group("db").isEmpty() ? null : decode(m.group("db"));
      return Optional.of(
          new DatabaseCredential(e, host(m.group("host")), port, db, user, decode(secret)));
    }
    return Optional.empty();
  }

  private static Optional<DatabaseCredential> jdbc(String line, String secret) {
    Matcher m = JDBC.matcher(line);
    while (m.find()) {
      String user = null;
      String pass = null;
      for (String kv : m.group("params").split("[?&;]")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String k = kv.substring(0, eq).toLowerCase(java.util.Locale.ROOT);
        if (k.equals("user") || k.equals("username")) {
          user = decode(kv.substring(eq + 1));
        } else if (k.equals("password") || k.equals("pwd")) {
          pass = kv.substring(eq + 1);
        }
      }
      if (pass == null || !secret.equals(pass)) {
        continue;
      }
      Engine e = Engine.of(m.group("scheme"));
      Integer port = port(m.group("port"), e);
      if (e == null || port == null || user == null) {
        return Optional.empty();
      }
      String db = m.group("db") == null || m.group("db").isEmpty() ? null : m.group("db");
      return Optional.of(
          new DatabaseCredential(e, host(m.group("host")), port, db, user, decode(pass)));
    }
    return Optional.empty();
  }

  /**
   * {@code host:port:database:user:password}, with {@code \:} and {@code \\} escapes; {@code *} is
   * no host.
   */
  private static Optional<DatabaseCredential> pgpass(String line, String secret) {
    List<String> f = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    String s = line.strip();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        cur.append(s.charAt(++i));
      } else if (c == ':' && f.size() < 4) {
        f.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    f.add(cur.toString());
    if (f.size() != 5 || f.get(0).equals("*") || f.get(3).equals("*")) {
      return Optional.empty();
    }
    String unescaped = secret.replace("\\:", ":").replace("\\\\", "\\");
    if (!f.get(4).equals(unescaped)) {
      return Optional.empty();
    }
    Integer port =
        f.get(1).equals("*")
            ? Integer.valueOf(Engine.POSTGRES.defaultPort)
            : port(f.get(1), Engine.POSTGRES);
    if (port == null) {
      return Optional.empty();
    }
    return Optional.of(
        new DatabaseCredential(
            Engine.POSTGRES,
            f.get(0),
            port,
            f.get(2).equals("*") ? null : f.get(2),
            f.get(3),
            f.get(4)));
  }

  private static @Nullable Integer port(@Nullable String p, @Nullable Engine e) {
    if (e == null) {
      return null;
    }
    if (p == null || p.isEmpty()) {
      return e.defaultPort;
    }
    if (p.length() > 5 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    int v = Integer.parseInt(p);
    return v >= 1 && v <= 65535 ? v : null;
  }

  private static String host(String h) {
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  /**
   * Percent-decoding as URLs use it ({@code +} stays a plus); malformed escapes are kept as
   * written.
   */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '%'
          && i + 2 < b.length
          && Character.digit(b[i + 1], 16) >= 0
          && Character.digit(b[i + 2], 16) >= 0) {
        out.write(Character.digit(b[i + 1], 16) * 16 + Character.digit(b[i + 2], 16));
        i += 2;
      } else {
        out.write(b[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
