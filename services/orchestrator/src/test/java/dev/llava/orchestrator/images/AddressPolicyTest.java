package dev.llava.orchestrator.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {

  private static String why(String literal) throws Exception {
    return AddressPolicy.whyNotPublic(InetAddress.getByName(literal));
  }

  @Test
  void refusesEveryNonPublicRange() throws Exception {
    assertEquals("loopback", why("127.0.0.1"));
    assertEquals("loopback", why("127.8.9.10"));
    assertEquals("loopback", why("::1"));
    assertEquals("private", why("10.1.2.3"));
    assertEquals("private", why("172.16.0.1"));
    assertEquals("private", why("192.168.1.1"));
    assertEquals("link-local", why("169.254.169.254"));
    assertEquals("link-local", why("fe80::1"));
    assertEquals("private (carrier-grade NAT)", why("100.64.0.1"));
    assertEquals("unspecified", why("0.0.0.0"));
    assertEquals("unspecified", why("::"));
    assertEquals("multicast", why("224.0.0.1"));
    assertEquals("multicast", why("ff02::1"));
    assertEquals("broadcast", why("255.255.255.255"));
    assertEquals("private (unique local)", why("fd00::1"));
    assertEquals("loopback", why("::ffff:127.0.0.1")); // Java maps it to the IPv4 address itself
    assertEquals("private (NAT64)", why("64:ff9b::a00:1"));
    assertEquals("link-local (6to4)", why("2002:a9fe:a9fe::1"));
  }

  @Test
  void acceptsPublicAddresses() throws Exception {
    assertNull(why("93.184.216.34"));
    assertNull(why("8.8.8.8"));
    assertNull(why("2606:4700:4700::1111"));
  }
}
