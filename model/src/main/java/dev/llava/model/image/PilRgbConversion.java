package dev.llava.model.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Decoded {@link BufferedImage} -> {@link RgbImage} with the result PIL's {@code image.convert("RGB")}
 * gives for the mode PIL would have opened the same file in:
 * <ul>
 *   <li>alpha is dropped, never composited (RGBA/LA/PA -> RGB keeps the colour channels as they are);
 *   <li>grey is replicated into R, G and B; palettes are expanded (the transparent entry keeps its
 *       palette colour);
 *   <li>16-bit RGB(A) and grey+alpha keep the most significant byte (PIL's "RGB;16B"/"LA;16B");
 *   <li>16-bit grey without alpha opens as PIL mode "I" whose RGB conversion clips to 0..255, so
 *       every value above 255 becomes 255. This is PIL's (surprising) behaviour and is kept for parity.
 * </ul>
 * Colour components are read raw from the raster, so embedded ICC profiles and gamma are ignored, as
 * PIL ignores them.
 */
final class PilRgbConversion {
  private PilRgbConversion() {}

  static RgbImage toRgb(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    if (cm instanceof IndexColorModel icm) {
      fromPalette(icm, raster, w, h, out);
    } else if (cm instanceof DirectColorModel) {
      fromPackedRgb(image, w, h, out);
    } else {
      int space = cm.getColorSpace().getType();
      int colours = cm.getNumColorComponents();
      if (space == ColorSpace.TYPE_GRAY && colours == 1) {
        fromGrey(raster, cm.getComponentSize(0), cm.hasAlpha(), w, h, out);
      } else if (space == ColorSpace.TYPE_RGB && colours == 3) {
        fromRgbComponents(raster, cm.getComponentSize(0), w, h, out);
      } else {
        fromPackedRgb(image, w, h, out); // other colour spaces (e.g. CMYK): Java's own conversion
      }
    }
    return new RgbImage(w, h, out);
  }

  /**
   * A raw 4-band CMYK JPEG raster as PIL converts it: PIL reads CMYK JPEGs as Adobe-inverted
   * ({@code "CMYK;I"}), then {@code cmyk2rgb}: {@code out = clip(nk - muldiv255(c, nk))} with
   * {@code nk = 255 - k} and {@code muldiv255(a, b) = ((t >> 8) + t) >> 8, t = a * b + 128}.
   * With inverted samples that is {@code rawK - muldiv255(255 - raw, rawK)}.
   */
  static RgbImage fromAdobeCmyk(Raster raster) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    int[] px = new int[4 * w];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, px);
      for (int x = 0; x < w; x++) {
        int nk = px[4 * x + 3];
        for (int c = 0; c < 3; c++) {
          int t = (255 - px[4 * x + c]) * nk + 128;
          int v = nk - (((t >> 8) + t) >> 8);
          out[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  private static void fromPalette(IndexColorModel icm, Raster raster, int w, int h, byte[] out) {
    int size = icm.getMapSize();
    byte[] r = new byte[size];
    byte[] g = new byte[size];
    byte[] b = new byte[size];
    icm.getReds(r);
    icm.getGreens(g);
    icm.getBlues(b);
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        int i = Math.min(row[x], size - 1);
        int o = (y * w + x) * 3;
        out[o] = r[i];
        out[o + 1] = g[i];
        out[o + 2] = b[i];
      }
    }
  }

  private static void fromGrey(Raster raster, int bits, boolean alpha, int w, int h, byte[] out) {
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        int v = row[x];
        if (bits == 16) {
          v = alpha ? v >>> 8 : Math.min(v, 255); // "LA;16B" keeps the high byte; mode "I" clips
        } else if (bits != 8) {
          v = v * 255 / ((1 << bits) - 1); // 1/2/4-bit grey: PIL's L;1/L;2/L;4 scale to 0..255
        }
        int o = (y * w + x) * 3;
        out[o] = out[o + 1] = out[o + 2] = (byte) v;
      }
    }
  }

  private static void fromRgbComponents(Raster raster, int bits, int w, int h, byte[] out) {
    int[] row = new int[w];
    int shift = Math.max(0, bits - 8); // 16-bit: keep the high byte
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, c, row);
        for (int x = 0; x < w; x++) {
          out[(y * w + x) * 3 + c] = (byte) (row[x] >>> shift);
        }
      }
    }
  }

  private static void fromPackedRgb(BufferedImage image, int w, int h, byte[] out) {
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = row[x];
        int o = (y * w + x) * 3;
        out[o] = (byte) (argb >>> 16);
        out[o + 1] = (byte) (argb >>> 8);
        out[o + 2] = (byte) argb;
      }
    }
  }
}
