package dev.llava.orchestrator.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.orchestrator.testing.ImageHost;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SSRF policy of the image fetcher against a real local HTTP server. Refused targets are refused before any
 * connection (only 127.0.0.1 is ever contacted).
 */
class ImageFetcherSsrfTest {
  static ImageHost host;
  static final List<String> resolved = new ArrayList<>();
  /** Names a hostile DNS could answer with internal addresses. */
  static final Map<String, String> FAKE_DNS = Map.of("intranet.test", "10.0.0.7", "metadata.test", "169.254.169.254",
      "sneaky.test", "93.184.216.34,127.0.0.1");

  static InetAddress[] resolve(String name) throws UnknownHostException {
    resolved.add(name);
    String fake = FAKE_DNS.get(name);
    if (fake == null) {
      return InetAddress.getAllByName(name);
    }
    List<InetAddress> out = new ArrayList<>();
    for (String a : fake.split(",")) {
      out.add(InetAddress.getByName(a));
    }
    return out.toArray(InetAddress[]::new);
  }

  static ImageFetcher fetcher(List<String> allowed, boolean allowPublic) {
    return new ImageFetcher(allowed, allowPublic, 3, Duration.ofMillis(800), ImageFetcherSsrfTest::resolve);
  }

  static final ImageFetcher TRUSTING_LOCALHOST = fetcher(List.of("localhost"), true);

  @BeforeAll
  static void start() {
    host = new ImageHost();
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  static String refusal(ImageFetcher fetcher, String url) {
    ChatException e = assertThrows(ChatException.class, () -> fetcher.fetch(url, 65_536, "image 1"));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.code());
    return e.getMessage();
  }

  @Test
  void fetchesFromAnAllowListedHost() {
    assertArrayEquals(ImageHost.CAT, TRUSTING_LOCALHOST.fetch(host.url("/cat.png"), 65_536, "image 1"));
    assertArrayEquals(ImageHost.CAT, TRUSTING_LOCALHOST.fetch(host.url("/hop/2"), 65_536, "image 1"));
  }

  @Test
  void refusesLoopbackPrivateLinkLocalAndUnspecifiedTargets() {
    int p = host.port();
    assertEquals("image 1: refusing to fetch from '127.0.0.1': it resolves to 127.0.0.1, a loopback address",
        refusal(TRUSTING_LOCALHOST, "http://127.0.0.1:" + p + "/cat.png"));
    assertTrue(refusal(TRUSTING_LOCALHOST, "http://[::1]:" + p + "/cat.png").endsWith("a loopback address"));
    assertTrue(refusal(TRUSTING_LOCALHOST, "http://10.0.0.1/cat.png").endsWith("10.0.0.1, a private address"));
    assertTrue(refusal(TRUSTING_LOCALHOST, "http://169.254.169.254/latest/meta-data/")
        .endsWith("169.254.169.254, a link-local address"));
    assertTrue(refusal(TRUSTING_LOCALHOST, "http://0.0.0.0:" + p + "/").endsWith("an unspecified address"));
    assertTrue(refusal(TRUSTING_LOCALHOST, "http://2130706433:" + p + "/cat.png").endsWith("a loopback address"),
        "127.0.0.1 written as a decimal number");
  }

  @Test
  void checksAddressesAfterDnsResolution() {
    assertEquals("image 1: refusing to fetch from 'intranet.test': it resolves to 10.0.0.7, a private address",
        refusal(TRUSTING_LOCALHOST, "http://intranet.test/cat.png"));
    assertTrue(refusal(TRUSTING_LOCALHOST, "https://metadata.test/").contains("link-local"));
    assertTrue(refusal(TRUSTING_LOCALHOST, "http://sneaky.test/cat.png").contains("127.0.0.1, a loopback"),
        "one private address among public ones is enough to refuse");
  }

  @Test
  void revalidatesEveryRedirectHop() {
    assertEquals("image 1: refusing to fetch from '127.0.0.1': it resolves to 127.0.0.1, a loopback address",
        refusal(TRUSTING_LOCALHOST, host.url("/to-loopback")));
  }

  @Test
  void limitsRedirects() {
    assertTrue(refusal(TRUSTING_LOCALHOST, host.url("/hop/3")).contains("more than 3 redirects"));
  }

  @Test
  void capsSizeWithAndWithoutContentLength() {
    assertTrue(refusal(TRUSTING_LOCALHOST, host.url("/big")).contains("the limit llava.orchestrator.limits.max-image-bytes is 65536"));
    assertTrue(refusal(TRUSTING_LOCALHOST, host.url("/big-chunked")).contains("max-image-bytes is 65536"));
  }

  @Test
  void timesOut() {
    long start = System.nanoTime();
    assertTrue(refusal(TRUSTING_LOCALHOST, host.url("/slow")).contains("timed out after 800 ms"));
    assertTrue(System.nanoTime() - start < 2_500_000_000L);
  }

  @Test
  void refusesOddUrlsAndErrors() {
    assertTrue(refusal(TRUSTING_LOCALHOST, host.url("/missing")).endsWith("answered HTTP 404, expected 200"));
    assertTrue(refusal(TRUSTING_LOCALHOST, "http://user:pw@localhost:" + host.port() + "/cat.png").contains("credentials"));
    assertTrue(refusal(TRUSTING_LOCALHOST, "file:///etc/passwd").contains("only http and https"));
  }

  @Test
  void withoutPublicHostsOnlyTheAllowListIsFetched() {
    resolved.clear();
    assertEquals("image 1: host 'example.com' is not in llava.orchestrator.image-fetch.allowed-hosts",
        refusal(fetcher(List.of("localhost", "*.images.test"), false), "http://example.com/cat.png"));
    assertTrue(resolved.isEmpty(), "refused before any DNS lookup");
    assertArrayEquals(ImageHost.CAT, fetcher(List.of("localhost"), false).fetch(host.url("/cat.png"), 65_536, "i"));
  }
}
