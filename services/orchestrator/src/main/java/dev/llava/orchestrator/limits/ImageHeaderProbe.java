package dev.llava.orchestrator.limits;

import java.util.Optional;

/**
 * Reads an image's format and size from its header only (no pixel decoding), so oversized images are
 * refused before anything allocates their pixels. Formats: PNG (IHDR), JPEG (first SOFn), GIF (logical
 * screen), WebP (VP8, VP8L, VP8X) and BMP (core and info headers).
 */
public final class ImageHeaderProbe {
  private ImageHeaderProbe() {}

  /** Format name and dimensions of an image header. */
  public record ImageInfo(String format, int width, int height) {
    public long pixels() {
      return (long) width * height;
    }
  }

  public static Optional<ImageInfo> probe(byte[] b) {
    if (b.length >= 24 && u8(b, 0) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
        && b[12] == 'I' && b[13] == 'H' && b[14] == 'D' && b[15] == 'R') {
      return Optional.of(new ImageInfo("png", be32(b, 16), be32(b, 20)));
    }
    if (b.length >= 4 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8) {
      return jpeg(b);
    }
    if (b.length >= 10 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
      return Optional.of(new ImageInfo("gif", le16(b, 6), le16(b, 8)));
    }
    if (b.length >= 30 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
        && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
      return webp(b);
    }
    if (b.length >= 26 && b[0] == 'B' && b[1] == 'M') {
      int dib = le32(b, 14);
      if (dib == 12) {
        return Optional.of(new ImageInfo("bmp", le16(b, 18), le16(b, 20)));
      }
      return Optional.of(new ImageInfo("bmp", Math.abs(le32(b, 18)), Math.abs(le32(b, 22))));
    }
    return Optional.empty();
  }

  private static Optional<ImageInfo> jpeg(byte[] b) {
    int i = 2;
    while (i + 3 < b.length) {
      if (u8(b, i) != 0xFF) {
        return Optional.empty();
      }
      int marker = u8(b, i + 1);
      if (marker == 0xFF) { // fill byte
        i++;
        continue;
      }
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length
        i += 2;
        continue;
      }
      if (marker == 0xD9 || marker == 0xDA) { // end of image or start of scan before any frame header
        return Optional.empty();
      }
      int length = be16(b, i + 2);
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        if (i + 9 > b.length) {
          return Optional.empty();
        }
        return Optional.of(new ImageInfo("jpeg", be16(b, i + 7), be16(b, i + 5)));
      }
      i += 2 + length;
    }
    return Optional.empty();
  }

  private static Optional<ImageInfo> webp(byte[] b) {
    String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
    switch (chunk) {
      case "VP8 ":
        return Optional.of(new ImageInfo("webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF));
      case "VP8L": {
        int bits = le32(b, 21);
        return Optional.of(new ImageInfo("webp", (bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1));
      }
      case "VP8X":
        return Optional.of(new ImageInfo("webp", le24(b, 24) + 1, le24(b, 27) + 1));
      default:
        return Optional.empty();
    }
  }

  private static int u8(byte[] b, int i) {
    return b[i] & 0xFF;
  }

  private static int be16(byte[] b, int i) {
    return (u8(b, i) << 8) | u8(b, i + 1);
  }

  private static int be32(byte[] b, int i) {
    return (u8(b, i) << 24) | (u8(b, i + 1) << 16) | (u8(b, i + 2) << 8) | u8(b, i + 3);
  }

  private static int le16(byte[] b, int i) {
    return u8(b, i) | (u8(b, i + 1) << 8);
  }

  private static int le24(byte[] b, int i) {
    return u8(b, i) | (u8(b, i + 1) << 8) | (u8(b, i + 2) << 16);
  }

  private static int le32(byte[] b, int i) {
    return u8(b, i) | (u8(b, i + 1) << 8) | (u8(b, i + 2) << 16) | (u8(b, i + 3) << 24);
  }
}
