package dev.llava.orchestrator.images;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Which resolved addresses an image fetch may connect to: public unicast only. Rejects loopback, private
 * (RFC 1918, IPv6 ULA), link-local (169.254/16 with cloud metadata, fe80::/10), CGNAT, multicast, unspecified,
 * broadcast and reserved ranges, also when an IPv4 address hides inside IPv6 (mapped, NAT64, 6to4).
 */
public final class AddressPolicy {
  private AddressPolicy() {}

  /** Null when the address is public, else why it is not. */
  public static String whyNotPublic(InetAddress address) {
    if (address.isAnyLocalAddress()) {
      return "unspecified";
    }
    if (address.isLoopbackAddress()) {
      return "loopback";
    }
    if (address.isLinkLocalAddress()) {
      return "link-local";
    }
    if (address.isSiteLocalAddress()) {
      return "private";
    }
    if (address.isMulticastAddress()) {
      return "multicast";
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      return whyNotPublicV4(b);
    }
    if (address instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return "private (unique local)";
      }
      if (isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        return embedded(b, 12, "IPv4-mapped");
      }
      if (isZero(b, 0, 12)) {
        return "reserved (IPv4-compatible)";
      }
      if (b[0] == 0x00 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
        return embedded(b, 12, "NAT64");
      }
      if (b[0] == 0x20 && b[1] == 0x02) {
        return embedded(b, 2, "6to4");
      }
      if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8) {
        return "reserved (documentation)";
      }
    }
    return null;
  }

  private static String whyNotPublicV4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    if (a0 == 0) {
      return "unspecified (0.0.0.0/8)";
    }
    if (a0 == 100 && a1 >= 64 && a1 <= 127) {
      return "private (carrier-grade NAT)";
    }
    if (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) {
      return "reserved (IETF protocol assignments)";
    }
    if (a0 == 198 && (a1 == 18 || a1 == 19)) {
      return "reserved (benchmarking)";
    }
    if (a0 >= 240) {
      return a0 == 255 ? "broadcast" : "reserved";
    }
    return null;
  }

  private static String embedded(byte[] b, int offset, String kind) {
    try {
      InetAddress v4 = InetAddress.getByAddress(Arrays.copyOfRange(b, offset, offset + 4));
      String why = whyNotPublic(v4);
      return why == null ? null : why + " (" + kind + ")";
    } catch (UnknownHostException e) {
      return "malformed";
    }
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
