package dev.warden.core.inventory;

import dev.warden.core.error.ValidationException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 address range. Parses literals only: never resolves a host name. */
record Cidr(byte[] network, int prefix) {
  // an IPv4 dotted quad, or anything with a colon (which InetAddress parses as IPv6 and never looks
  // up)
  private static final java.util.regex.Pattern LITERAL =
      java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /**
   * @throws ValidationException when {@code s} is not {@code address/prefix}
   */
  static Cidr parse(String s) {
    int slash = s == null ? -1 : s.indexOf('/');
    byte[] addr = slash < 0 ? null : literal(s.substring(0, slash));
    if (addr == null) {
      throw new ValidationException(
          "workstationCidrs", "'" + s + "' is not an address range such as 10.20.0.0/16");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > addr.length * 8) {
      throw new ValidationException("workstationCidrs", "'" + s + "' has a bad prefix length");
    }
    return new Cidr(addr, prefix);
  }

  /** True when {@code address} is a literal inside this range. */
  boolean contains(String address) {
    byte[] a = literal(address);
    if (a == null || a.length != network.length) {
      return false;
    }
    for (int i = 0; i < prefix; i++) {
      int mask = 0x80 >> (i % 8);
      if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  static byte[] literal(String s) {
    if (s == null || s.isEmpty() || !LITERAL.matcher(s).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
