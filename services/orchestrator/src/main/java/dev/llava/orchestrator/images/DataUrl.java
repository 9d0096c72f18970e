package dev.llava.orchestrator.images;

import dev.llava.orchestrator.pipeline.ChatException;
import java.util.Base64;
import java.util.Locale;

/** Decodes {@code data:[<media type>][;base64],<payload>} image URLs (RFC 2397); only base64 payloads. */
public final class DataUrl {
  private DataUrl() {}

  public static boolean isDataUrl(String url) {
    return url.regionMatches(true, 0, "data:", 0, 5);
  }

  /**
   * Returns the decoded bytes, rejecting a payload that would decode to more than {@code maxBytes} before
   * decoding it.
   */
  public static byte[] decode(String url, int maxBytes, String what) {
    int comma = url.indexOf(',');
    if (comma < 0) {
      throw ChatException.invalid(what + ": a data: URL needs a ',' before its payload "
          + "(expected data:image/png;base64,...)");
    }
    String meta = url.substring(5, comma).toLowerCase(Locale.ROOT);
    if (!meta.endsWith(";base64")) {
      throw ChatException.invalid(what + ": data: URLs must be base64-encoded (expected data:image/png;base64,...), got 'data:"
          + abbreviate(meta) + ",...'");
    }
    String mediaType = meta.substring(0, meta.length() - ";base64".length());
    if (!mediaType.isEmpty() && !mediaType.startsWith("image/") && !mediaType.equals("application/octet-stream")) {
      throw ChatException.invalid(what + ": data: URL media type must be image/*, got '" + abbreviate(mediaType) + "'");
    }
    String payload = url.substring(comma + 1).strip();
    long estimated = (long) payload.length() * 3 / 4;
    if (estimated > maxBytes + 2L) {
      throw ChatException.invalid(what + " is about " + estimated + " bytes; the limit "
          + "llava.orchestrator.limits.max-image-bytes is " + maxBytes);
    }
    try {
      return Base64.getMimeDecoder().decode(payload);
    } catch (IllegalArgumentException e) {
      throw ChatException.invalid(what + ": data: URL payload is not valid base64 (" + e.getMessage() + ")");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
