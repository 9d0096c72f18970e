package dev.llava.model.image;

import java.nio.charset.StandardCharsets;

/**
 * The EXIF orientation tag (0x0112) of JPEG (APP1), PNG ({@code eXIf}) and WebP ({@code EXIF})
 * files, and PIL's {@code ImageOps.exif_transpose} transforms for it.
 *
 * <p>Parsing is defensive: anything malformed or absent reads as 1 (no transform), like PIL which
 * ignores broken EXIF.
 */
public final class ExifOrientation {
  private static final int ORIENTATION_TAG = 0x0112;

  private ExifOrientation() {}

  /** The orientation 1..8 stored in the file's EXIF, or 1 when there is none or it is invalid. */
  public static int read(byte[] data) {
    try {
      int tiff = locateTiff(data);
      if (tiff < 0) {
        return 1;
      }
      int value = orientationFromTiff(data, tiff);
      return value >= 1 && value <= 8 ? value : 1;
    } catch (IndexOutOfBoundsException e) {
      return 1;
    }
  }

  /** True when the orientation swaps width and height (5..8: transposes and 90-degree turns). */
  public static boolean swapsAxes(int orientation) {
    return orientation >= 5 && orientation <= 8;
  }

  /**
   * {@code exif_transpose}: 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE,
   * 6 ROTATE_270 (90 degrees clockwise), 7 TRANSVERSE, 8 ROTATE_90 (90 degrees counter-clockwise).
   */
  public static RgbImage apply(RgbImage in, int orientation) {
    if (orientation <= 1 || orientation > 8) {
      return in;
    }
    int w = in.width();
    int h = in.height();
    boolean swap = swapsAxes(orientation);
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    byte[] src = in.pixels();
    byte[] dst = new byte[src.length];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        // source pixel (sx, sy) of output pixel (x, y)
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> { sx = w - 1 - x; sy = y; }
          case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
          case 4 -> { sx = x; sy = h - 1 - y; }
          case 5 -> { sx = y; sy = x; }
          case 6 -> { sx = y; sy = h - 1 - x; }
          case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
          default -> { sx = w - 1 - y; sy = x; } // 8
        }
        int s = (sy * w + sx) * 3;
        int d = (y * ow + x) * 3;
        dst[d] = src[s];
        dst[d + 1] = src[s + 1];
        dst[d + 2] = src[s + 2];
      }
    }
    return new RgbImage(ow, oh, dst);
  }

  /** Offset of the TIFF header ("II*\0" / "MM\0*") holding the EXIF IFDs, or -1. */
  private static int locateTiff(byte[] d) {
    if (d.length > 4 && (d[0] & 0xff) == 0xFF && (d[1] & 0xff) == 0xD8) {
      return jpegExif(d);
    }
    if (d.length > 8 && (d[0] & 0xff) == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G') {
      return pngExif(d);
    }
    if (d.length > 12 && ascii(d, 0, 4).equals("RIFF") && ascii(d, 8, 4).equals("WEBP")) {
      return webpExif(d);
    }
    return -1;
  }

  private static int jpegExif(byte[] d) {
    int i = 2;
    while (i + 4 <= d.length && (d[i] & 0xff) == 0xFF) {
      int marker = d[i + 1] & 0xff;
      if (marker == 0xFF) { // fill byte
        i++;
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) { // start of scan / end of image: no more headers
        return -1;
      }
      int length = u16be(d, i + 2);
      if (marker == 0xE1 && length >= 8 && ascii(d, i + 4, 6).equals("Exif\0\0")) {
        return i + 10;
      }
      i += 2 + length;
    }
    return -1;
  }

  private static int pngExif(byte[] d) {
    int i = 8;
    while (i + 8 <= d.length) {
      long length = u32be(d, i);
      String type = ascii(d, i + 4, 4);
      if (type.equals("eXIf")) {
        return skipExifPrefix(d, i + 8);
      }
      if (type.equals("IEND") || length > d.length) {
        return -1;
      }
      i += 12 + (int) length;
    }
    return -1;
  }

  private static int webpExif(byte[] d) {
    int i = 12;
    while (i + 8 <= d.length) {
      long length = u32le(d, i);
      if (ascii(d, i, 4).equals("EXIF")) {
        return skipExifPrefix(d, i + 8);
      }
      if (length > d.length) {
        return -1;
      }
      i += 8 + (int) length + (int) (length & 1); // chunks are padded to even sizes
    }
    return -1;
  }

  private static int skipExifPrefix(byte[] d, int at) {
    return at + 6 <= d.length && ascii(d, at, 6).equals("Exif\0\0") ? at + 6 : at;
  }

  private static int orientationFromTiff(byte[] d, int tiff) {
    String order = ascii(d, tiff, 2);
    boolean little;
    if (order.equals("II")) {
      little = true;
    } else if (order.equals("MM")) {
      little = false;
    } else {
      return 1;
    }
    long ifd = little ? u32le(d, tiff + 4) : u32be(d, tiff + 4);
    int entries = tiff + (int) ifd;
    if (ifd < 8 || entries + 2 > d.length) {
      return 1;
    }
    int count = little ? u16le(d, entries) : u16be(d, entries);
    for (int e = 0; e < count; e++) {
      int entry = entries + 2 + 12 * e;
      int tag = little ? u16le(d, entry) : u16be(d, entry);
      if (tag == ORIENTATION_TAG) {
        return little ? u16le(d, entry + 8) : u16be(d, entry + 8); // SHORT value, left-justified
      }
    }
    return 1;
  }

  private static String ascii(byte[] d, int at, int n) {
    if (at < 0 || at + n > d.length) {
      return "";
    }
    return new String(d, at, n, StandardCharsets.ISO_8859_1);
  }

  private static int u16be(byte[] d, int at) {
    return ((d[at] & 0xff) << 8) | (d[at + 1] & 0xff);
  }

  private static int u16le(byte[] d, int at) {
    return (d[at] & 0xff) | ((d[at + 1] & 0xff) << 8);
  }

  private static long u32be(byte[] d, int at) {
    return ((long) u16be(d, at) << 16) | u16be(d, at + 2);
  }

  private static long u32le(byte[] d, int at) {
    return u16le(d, at) | ((long) u16le(d, at + 2) << 16);
  }
}
