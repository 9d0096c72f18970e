package dev.llava.model.image;

import java.util.Arrays;

/**
 * Bit-exact port of Pillow's {@code Image.resize((w, h), Image.BICUBIC)} for 8-bit RGB images
 * (Pillow 9.4 .. 11, {@code src/libImaging/Resample.c} of python-pillow/Pillow: {@code bicubic_filter},
 * {@code precompute_coeffs}, {@code normalize_coeffs_8bpc}, {@code ImagingResampleHorizontal_8bpc},
 * {@code ImagingResampleVertical_8bpc}, {@code ImagingResampleInner}).
 *
 * <p>Structure mirrored from Resample.c so the two can be read side by side:
 * <ul>
 *   <li>separable two-pass convolution, horizontal pass first, then vertical;
 *   <li>a pass is skipped when that dimension does not change (the box is always the full image:
 *       {@code resize()} without {@code box}, and {@code reducing_gap=None}, which is what transformers
 *       passes, so no {@code reduce()} pre-step);
 *   <li>when downscaling the filter support is widened to {@code 2 * scale} (filterscale = in/out);
 *   <li>coefficients are computed in double, normalised to sum 1 per output pixel, then converted to
 *       fixed point with {@link #PRECISION_BITS} = 32 - 8 - 2 = 22 fractional bits, rounding half away
 *       from zero; sums start at {@code 1 << 21} (rounding) and are clipped to 0..255 after {@code >> 22}.
 * </ul>
 * {@code Image.resize} returns a plain copy when the size is unchanged; so does {@link #resize}.
 *
 * <p>Verified byte for byte against the fixtures' debug images (Pillow 9.4) and against Pillow 11.3 on
 * up-, down- and single-axis resizes of test patterns with clipping edges (PilBicubicResizerTest).
 *
 * <p>Allocation: two coefficient tables and one intermediate image per call, nothing per pixel.
 */
public final class PilBicubicResizer {
  /** 8 bits for the result, 2 for overflow of the (possibly negative) filter lobes, 22 fractional. */
  static final int PRECISION_BITS = 32 - 8 - 2;

  /** Pillow's BICUBIC filter support: {@code static struct filter BICUBIC = {bicubic_filter, 2.0}}. */
  private static final double SUPPORT = 2.0;

  private PilBicubicResizer() {}

  /** Pillow's {@code bicubic_filter} (Keys cubic convolution with a = -0.5). */
  static double bicubicFilter(double x) {
    final double a = -0.5;
    if (x < 0.0) {
      x = -x;
    }
    if (x < 1.0) {
      return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    }
    if (x < 2.0) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0.0;
  }

  /**
   * Fixed-point filter taps for resampling one axis from {@code inSize} to {@code outSize} samples
   * (Pillow's {@code precompute_coeffs} followed by {@code normalize_coeffs_8bpc}).
   *
   * @param ksize taps stored per output sample (unused trailing taps are 0)
   * @param bounds {@code [outSize, 2]}: first input sample, number of taps
   * @param coeffs {@code [outSize, ksize]} fixed-point weights (22 fractional bits)
   */
  record Coefficients(int ksize, int[] bounds, int[] coeffs) {

    static Coefficients compute(int inSize, int outSize) {
      // box = (0, inSize): in0 = 0, in1 = inSize (float in C, exact for any image size)
      double in0 = 0.0;
      double scale = (double) inSize / outSize;
      double filterscale = Math.max(scale, 1.0);
      double support = SUPPORT * filterscale;
      int ksize = (int) Math.ceil(support) * 2 + 1;
      int[] bounds = new int[outSize * 2];
      int[] fixed = new int[outSize * ksize];
      double[] k = new double[ksize];
      for (int xx = 0; xx < outSize; xx++) {
        double center = in0 + (xx + 0.5) * scale;
        double ww = 0.0;
        double ss = 1.0 / filterscale;
        int xmin = (int) (center - support + 0.5); // C cast truncates toward zero, like Java
        if (xmin < 0) {
          xmin = 0;
        }
        int xmax = (int) (center + support + 0.5);
        if (xmax > inSize) {
          xmax = inSize;
        }
        xmax -= xmin;
        for (int x = 0; x < xmax; x++) {
          double w = bicubicFilter((x + xmin - center + 0.5) * ss);
          k[x] = w;
          ww += w;
        }
        for (int x = 0; x < xmax; x++) {
          if (ww != 0.0) {
            k[x] /= ww;
          }
        }
        // normalize_coeffs_8bpc: round half away from zero into 22-bit fixed point
        for (int x = 0; x < xmax; x++) {
          double scaled = k[x] * (1 << PRECISION_BITS);
          fixed[xx * ksize + x] = k[x] < 0 ? (int) (-0.5 + scaled) : (int) (0.5 + scaled);
        }
        bounds[xx * 2] = xmin;
        bounds[xx * 2 + 1] = xmax;
      }
      return new Coefficients(ksize, bounds, fixed);
    }
  }

  /** Pillow's {@code clip8}: the 32-bit accumulator back to 0..255. */
  private static int clip8(int acc) {
    int v = acc >> PRECISION_BITS;
    return v < 0 ? 0 : Math.min(v, 255);
  }

  /**
   * Resizes to {@code width x height} exactly as Pillow's {@code Image.resize((width, height), BICUBIC)}.
   *
   * @return a new image (a copy when the size is unchanged)
   */
  public static RgbImage resize(RgbImage in, int width, int height) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("resize target must be at least 1x1, got " + width + "x" + height);
    }
    if (width == in.width() && height == in.height()) {
      return new RgbImage(width, height, in.pixels().clone());
    }
    boolean needHorizontal = width != in.width();
    boolean needVertical = height != in.height();

    Coefficients vert = Coefficients.compute(in.height(), height);
    // Only the input rows the vertical pass reads are resampled horizontally.
    int yboxFirst = vert.bounds[0];
    int yboxLast = vert.bounds[height * 2 - 2] + vert.bounds[height * 2 - 1];

    RgbImage current = in;
    int rowOffset = 0; // first input row held by `current`
    if (needHorizontal) {
      Coefficients horiz = Coefficients.compute(in.width(), width);
      current = resampleHorizontal(in, yboxFirst, yboxLast - yboxFirst, width, horiz);
      rowOffset = yboxFirst;
    }
    if (needVertical) {
      current = resampleVertical(current, rowOffset, height, vert);
    }
    return current;
  }

  /** {@code ImagingResampleHorizontal_8bpc}: rows {@code [offset, offset+rows)} of {@code in} -> [rows, outWidth, 3]. */
  private static RgbImage resampleHorizontal(RgbImage in, int offset, int rows, int outWidth, Coefficients c) {
    byte[] src = in.pixels();
    byte[] dst = new byte[rows * outWidth * 3];
    int inWidth = in.width();
    int ksize = c.ksize;
    int[] kk = c.coeffs;
    int[] bounds = c.bounds;
    int half = 1 << (PRECISION_BITS - 1);
    for (int yy = 0; yy < rows; yy++) {
      int rowBase = (yy + offset) * inWidth * 3;
      int outBase = yy * outWidth * 3;
      for (int xx = 0; xx < outWidth; xx++) {
        int xmin = bounds[xx * 2];
        int xmax = bounds[xx * 2 + 1];
        int k0 = xx * ksize;
        int ss0 = half;
        int ss1 = half;
        int ss2 = half;
        int p = rowBase + xmin * 3;
        for (int x = 0; x < xmax; x++, p += 3) {
          int k = kk[k0 + x];
          ss0 += (src[p] & 0xff) * k;
          ss1 += (src[p + 1] & 0xff) * k;
          ss2 += (src[p + 2] & 0xff) * k;
        }
        int o = outBase + xx * 3;
        dst[o] = (byte) clip8(ss0);
        dst[o + 1] = (byte) clip8(ss1);
        dst[o + 2] = (byte) clip8(ss2);
      }
    }
    return new RgbImage(outWidth, rows, dst);
  }

  /**
   * {@code ImagingResampleVertical_8bpc}: {@code in} holds input rows starting at {@code rowOffset}
   * (the bounds are in full-image rows; Resample.c shifts them by ybox_first instead).
   */
  private static RgbImage resampleVertical(RgbImage in, int rowOffset, int outHeight, Coefficients c) {
    byte[] src = in.pixels();
    int width = in.width();
    int rowBytes = width * 3;
    byte[] dst = new byte[outHeight * rowBytes];
    int ksize = c.ksize;
    int[] kk = c.coeffs;
    int[] bounds = c.bounds;
    int half = 1 << (PRECISION_BITS - 1);
    int[] acc = new int[rowBytes]; // [width * 3] running sums of one output row
    for (int yy = 0; yy < outHeight; yy++) {
      int ymin = bounds[yy * 2] - rowOffset;
      int ymax = bounds[yy * 2 + 1];
      int k0 = yy * ksize;
      int outBase = yy * rowBytes;
      // Accumulate tap by tap over whole rows (sequential reads); integer sums do not depend on
      // the order of the additions, so this equals Pillow's per-pixel loop bit for bit.
      Arrays.fill(acc, half);
      for (int y = 0; y < ymax; y++) {
        int k = kk[k0 + y];
        int p = (ymin + y) * rowBytes;
        for (int i = 0; i < rowBytes; i++) {
          acc[i] += (src[p + i] & 0xff) * k;
        }
      }
      for (int i = 0; i < rowBytes; i++) {
        dst[outBase + i] = (byte) clip8(acc[i]);
      }
    }
    return new RgbImage(width, outHeight, dst);
  }
}
