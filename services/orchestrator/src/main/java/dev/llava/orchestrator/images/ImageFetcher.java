package dev.llava.orchestrator.images;

import dev.llava.orchestrator.pipeline.ChatException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Fetches {@code http(s)} image URLs without becoming an SSRF proxy: an allow-listed host is trusted; any
 * other host (only when {@code allowPublicHosts}) must resolve to public addresses only, checked after DNS
 * resolution; redirects are followed by hand (at most {@code maxRedirects}, each hop checked again); time and
 * size are capped.
 *
 * <p>Limitation: {@link HttpClient} resolves the name again when it connects, so a DNS server that answers
 * differently within milliseconds (rebinding) is not caught here; deny egress to private ranges with a
 * NetworkPolicy as the second line.
 */
public final class ImageFetcher {
  /** Name resolution, replaceable in tests. */
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final List<String> allowedHosts;
  private final boolean allowPublicHosts;
  private final int maxRedirects;
  private final Duration timeout;
  private final Resolver resolver;
  private final HttpClient http;

  public ImageFetcher(List<String> allowedHosts, boolean allowPublicHosts, int maxRedirects, Duration timeout,
      Resolver resolver) {
    this.allowPublicHosts = allowPublicHosts;
    this.allowedHosts = allowedHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT))
        .filter(h -> !h.isEmpty()).toList();
    this.maxRedirects = maxRedirects;
    this.timeout = timeout;
    this.resolver = resolver;
    this.http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(timeout)
        .proxy(HttpClient.Builder.NO_PROXY)
        .build();
  }

  /** Downloads the image at {@code url}; every refusal or failure is INVALID_ARGUMENT naming why. */
  public byte[] fetch(String url, int maxBytes, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    URI uri = parse(url, what);
    for (int hop = 0; ; hop++) {
      checkTarget(uri, what);
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw ChatException.invalid(what + ": fetching " + uri + " timed out after " + timeout.toMillis() + " ms");
      }
      HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofNanos(left))
          .header("Accept", "image/*").build();
      HttpResponse<InputStream> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (HttpTimeoutException e) {
        throw ChatException.invalid(what + ": fetching " + uri + " timed out after " + timeout.toMillis() + " ms");
      } catch (IOException e) {
        throw ChatException.invalid(what + ": fetching " + uri + " failed: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw ChatException.invalid(what + ": fetching " + uri + " was interrupted");
      }
      int status = response.statusCode();
      if (status >= 300 && status < 400 && status != 304) {
        close(response);
        String location = response.headers().firstValue("Location").orElse(null);
        if (location == null) {
          throw ChatException.invalid(what + ": " + uri + " answered HTTP " + status + " without a Location header");
        }
        if (hop >= maxRedirects) {
          throw ChatException.invalid(what + ": more than " + maxRedirects + " redirects fetching " + url
              + " (llava.orchestrator.image-fetch.max-redirects)");
        }
        uri = parse(uri.resolve(location).toString(), what);
        continue;
      }
      if (status < 200 || status >= 300) {
        close(response);
        throw ChatException.invalid(what + ": " + uri + " answered HTTP " + status + ", expected 200");
      }
      long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (declared > maxBytes) {
        close(response);
        throw tooLarge(what, uri, declared, maxBytes);
      }
      return read(response, maxBytes, what, uri);
    }
  }

  private static byte[] read(HttpResponse<InputStream> response, int maxBytes, String what, URI uri) {
    try (InputStream in = response.body()) {
      byte[] data = in.readNBytes(maxBytes + 1);
      if (data.length > maxBytes) {
        throw tooLarge(what, uri, data.length, maxBytes);
      }
      return data;
    } catch (IOException e) {
      throw ChatException.invalid(what + ": reading " + uri + " failed: " + e.getMessage());
    }
  }

  private static ChatException tooLarge(String what, URI uri, long size, int maxBytes) {
    return ChatException.invalid(what + " at " + uri + " is " + (size > maxBytes ? "over " : "") + maxBytes
        + " bytes; the limit llava.orchestrator.limits.max-image-bytes is " + maxBytes);
  }

  private static void close(HttpResponse<InputStream> response) {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // nothing to salvage from a refused response
    }
  }

  private static URI parse(String url, String what) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ChatException.invalid(what + ": not a valid URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw ChatException.invalid(what + ": only http and https image URLs can be fetched, got '" + scheme + ":'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw ChatException.invalid(what + ": image URL " + url + " has no host");
    }
    if (uri.getRawUserInfo() != null) {
      throw ChatException.invalid(what + ": image URLs with credentials (user@host) are refused");
    }
    return uri;
  }

  /** Host allow-list, then (for hosts not on it) every resolved address must be public. */
  void checkTarget(URI uri, String what) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    boolean listed = isAllowListed(bare);
    if (!allowPublicHosts && !listed) {
      throw ChatException.invalid(what + ": host '" + bare + "' is not in llava.orchestrator.image-fetch.allowed-hosts");
    }
    if (listed) {
      return; // the operator trusts this host, wherever it resolves
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(bare);
    } catch (UnknownHostException e) {
      throw ChatException.invalid(what + ": host '" + bare + "' does not resolve");
    }
    for (InetAddress address : addresses) {
      String why = AddressPolicy.whyNotPublic(address);
      if (why != null) {
        throw ChatException.invalid(what + ": refusing to fetch from '" + bare + "': it resolves to "
            + address.getHostAddress() + ", " + ("aeiou".indexOf(why.charAt(0)) >= 0 ? "an " : "a ") + why + " address");
      }
    }
  }

  private boolean isAllowListed(String host) {
    for (String allowed : allowedHosts) {
      if (allowed.startsWith("*.") ? host.endsWith(allowed.substring(1)) : host.equals(allowed)) {
        return true;
      }
    }
    return false;
  }
}
