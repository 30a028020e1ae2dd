package dev.warden.scan.internal.detect;

import java.util.Locale;

/**
 * Credential files whose format is recognisable only by their path: the content alone (a bare
 * 32-hex line, two bare lines, two quoted strings, a five-field colon line) is too common in other
 * files to be scanned for. Decided once per file from its path — a tree path or a patch's file name
 * — so the rules that need it cost nothing on every other file (decision 110).
 *
 * <p>Mostly the file name is read; where the name alone is too common, also the directory it is in
 * ({@code credentials/production.key}) or whether a directory on the path names a VPN ({@code
 * /etc/openvpn/pass.txt}).
 */
enum CredentialFile {
  /** Any other file. */
  NONE,
  /** Rails {@code config/master.key} or {@code config/credentials/<env>.key}. */
  RAILS_KEY,
  /** An OpenVPN {@code auth-user-pass} file: user name line, password line. */
  OPENVPN_AUTH,
  /** A PostgreSQL password file: {@code .pgpass}, or {@code pgpass.conf} on Windows. */
  PGPASS,
  /** PgBouncer's {@code auth_file}, {@code userlist.txt}. */
  PGBOUNCER_USERLIST,
  /** An Ansible vault password file ({@code .vault_pass}, {@code vault-password.txt}…). */
  ANSIBLE_VAULT_PASSWORD;

  /**
   * The kind of {@code path}, {@code /} or {@code \} separated; {@link #NONE} for anything else,
   * including paths that are not file names ({@code <stdin>}).
   */
  static CredentialFile of(String path) {
    int end = path.length();
    int slash = lastSeparator(path, end);
    String name = path.substring(slash + 1).toLowerCase(Locale.ROOT);
    switch (name) {
      case "master.key":
        return RAILS_KEY;
      case ".pgpass", "pgpass.conf":
        return PGPASS;
      case "userlist.txt":
        return PGBOUNCER_USERLIST;
      case "auth.txt", "auth-user-pass", "auth-user-pass.txt", "auth_user_pass.txt":
        return OPENVPN_AUTH;
      default:
        break;
    }
    if (name.endsWith(".auth") || name.endsWith("-auth.txt") || name.endsWith("_auth.txt")) {
      return OPENVPN_AUTH;
    }
    if (isVaultPasswordName(name)) {
      return ANSIBLE_VAULT_PASSWORD;
    }
    if (name.endsWith(".key") && parentIs(path, slash, "credentials")) {
      return RAILS_KEY;
    }
    if (GENERIC_AUTH_NAMES.contains(name) && inVpnDirectory(path, slash)) {
      return OPENVPN_AUTH;
    }
    return NONE;
  }

  /**
   * Names OpenVPN guides give the {@code auth-user-pass} file that are too generic on their own:
   * they count only in a directory whose name says VPN ({@code /etc/openvpn/}, {@code vpn/}).
   */
  private static final java.util.Set<String> GENERIC_AUTH_NAMES =
      java.util.Set.of(
          "login.conf",
          "login.txt",
          "credentials.txt",
          "creds.txt",
          "pass.txt",
          "passwd.txt",
          "password.txt",
          "userpass.txt");

  /**
   * {@code .vault_pass}, {@code vault-password.txt}, {@code .ansible_vault_pass}…: a leading dot,
   * {@code -} for {@code _} and a {@code .txt} suffix are optional, as the names in Ansible's
   * documentation and in {@code ansible.cfg} files vary in exactly these.
   */
  private static boolean isVaultPasswordName(String name) {
    if (name.indexOf("vault") < 0) {
      return false; // the common case, decided without building a string
    }
    String n = name.startsWith(".") ? name.substring(1) : name;
    if (n.endsWith(".txt")) {
      n = n.substring(0, n.length() - 4);
    }
    n = n.replace('-', '_');
    if (n.startsWith("ansible_")) {
      n = n.substring("ansible_".length());
    }
    return n.equals("vault_pass") || n.equals("vault_password") || n.equals("vault_passwd");
  }

  private static int lastSeparator(String path, int end) {
    for (int i = end - 1; i >= 0; i--) {
      char c = path.charAt(i);
      if (c == '/' || c == '\\') {
        return i;
      }
    }
    return -1;
  }

  /** True when the directory holding the file (ending at {@code slash}) is named {@code dir}. */
  private static boolean parentIs(String path, int slash, String dir) {
    if (slash < 0) {
      return false;
    }
    int start = lastSeparator(path, slash) + 1;
    return slash - start == dir.length() && path.regionMatches(true, start, dir, 0, dir.length());
  }

  /**
   * True when a directory on the path has {@code vpn} in its name ({@code openvpn}, {@code vpn}).
   */
  private static boolean inVpnDirectory(String path, int slash) {
    return slash >= 0 && path.substring(0, slash).toLowerCase(Locale.ROOT).contains("vpn");
  }
}
