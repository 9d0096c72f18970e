package dev.llava.orchestrator.images;

import dev.llava.orchestrator.config.OrchestratorConfig;
import dev.llava.orchestrator.limits.ImageHeaderProbe;
import dev.llava.orchestrator.limits.ImageHeaderProbe.ImageInfo;
import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.proto.v1.ImageInput;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Turns a client's {@link ImageInput} (bytes, a {@code data:} URL, or an {@code http(s)} URL where enabled)
 * into checked image bytes: within the byte limit, a recognised format, within the pixel limit. The
 * vision-encoder then only ever receives bytes.
 */
@ApplicationScoped
public class ImageResolver {
  private final OrchestratorConfig.Limits limits;
  private final boolean fetchEnabled;
  private final ImageFetcher fetcher;

  @Inject
  public ImageResolver(OrchestratorConfig config) {
    this.limits = config.limits();
    this.fetchEnabled = config.imageFetch().enabled();
    this.fetcher = new ImageFetcher(config.imageFetch().allowedHosts().orElse(List.of()),
        config.imageFetch().allowPublicHosts(), config.imageFetch().maxRedirects(), config.imageFetch().timeout(), InetAddress::getAllByName);
  }

  /** Checked bytes of one image and what its header says. */
  public record ResolvedImage(byte[] bytes, ImageInfo info) {}

  /** {@code what} names the image in messages, for example "image 2 (messages[1].parts[0])". */
  public ResolvedImage resolve(ImageInput input, String what) {
    byte[] bytes = switch (input.getSourceCase()) {
      case DATA -> input.getData().toByteArray();
      case URI -> fromUri(input.getUri(), what);
      default -> throw ChatException.invalid(what + ": an image needs data or a uri");
    };
    if (bytes.length > limits.maxImageBytes()) {
      throw ChatException.invalid(what + " is " + bytes.length + " bytes; the limit "
          + "llava.orchestrator.limits.max-image-bytes is " + limits.maxImageBytes());
    }
    if (bytes.length == 0) {
      throw ChatException.invalid(what + " is empty (0 bytes)");
    }
    ImageInfo info = ImageHeaderProbe.probe(bytes).orElseThrow(() -> ChatException.invalid(what
        + " is not a PNG, JPEG, GIF, WebP or BMP image (first bytes: " + firstBytes(bytes) + ")"));
    if (info.width() <= 0 || info.height() <= 0) {
      throw ChatException.invalid(what + ": " + info.format() + " header says " + info.width() + "x"
          + info.height() + " pixels");
    }
    if (info.pixels() > limits.maxImagePixels()) {
      throw ChatException.invalid(what + " is " + info.width() + "x" + info.height() + " = " + info.pixels()
          + " pixels; the limit llava.orchestrator.limits.max-image-pixels is " + limits.maxImagePixels());
    }
    return new ResolvedImage(bytes, info);
  }

  private byte[] fromUri(String uri, String what) {
    if (DataUrl.isDataUrl(uri)) {
      return DataUrl.decode(uri, limits.maxImageBytes(), what);
    }
    String lower = uri.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      if (!fetchEnabled) {
        throw ChatException.invalid(what + ": http(s) image URLs are disabled on this server "
            + "(llava.orchestrator.image-fetch.enabled=false); send the image as a data: URL");
      }
      return fetcher.fetch(uri, limits.maxImageBytes(), what);
    }
    int colon = uri.indexOf(':');
    String scheme = colon > 0 && colon < 16 ? uri.substring(0, colon + 1) : uri.length() > 16 ? uri.substring(0, 16) + "..." : uri;
    throw ChatException.invalid(what + ": unsupported image URL '" + scheme
        + "'; expected a data: URL" + (fetchEnabled ? " or an http(s) URL" : ""));
  }

  private static String firstBytes(byte[] b) {
    return HexFormat.ofDelimiter(" ").formatHex(b, 0, Math.min(8, b.length));
  }
}
