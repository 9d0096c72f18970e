package dev.llava.model.image;

/**
 * transformers' {@code CLIPImageProcessor} (PIL "slow" path) on one RGB image, bit-exact:
 * <ol>
 *   <li>optional LLaVA-1.5 "pad" mode (original llava's {@code expand2square}): centre the image on a
 *       square canvas of colour {@code tuple(int(x * 255) for x in image_mean)};
 *   <li>resize: {@code {"shortest_edge": S}} puts the short side at S and the long side at
 *       {@code int(S * long / short)}; {@code {"height", "width"}} resizes to exactly that; PIL BICUBIC;
 *   <li>centre crop to {@code crop_size}: {@code top = (h - ch) // 2}, {@code left = (w - cw) // 2},
 *       zero-padded (image centred, {@code ceil} of half the shortfall before it) when smaller;
 *   <li>rescale: {@code float32(uint8 * rescale_factor)} with the product in double, as numpy's
 *       {@code image.astype(float64) * scale} then {@code .astype(float32)};
 *   <li>normalise in float32: {@code (x - float32(mean)) / float32(std)}; output CHW.
 * </ol>
 * Stateless after construction and safe to share between threads.
 */
public final class ClipImageProcessor {
  private final ImageProcessorConfig config;
  private final boolean padToSquare;
  /** [3][256] the float every uint8 value of each channel maps to after rescale + normalise. */
  private final float[][] lut = new float[3][256];

  /** Pad mode from the config ({@code image_aspect_ratio == "pad"}). */
  public ClipImageProcessor(ImageProcessorConfig config) {
    this(config, config.padToSquare());
  }

  public ClipImageProcessor(ImageProcessorConfig config, boolean padToSquare) {
    if (config.resample() != ImageProcessorConfig.PIL_BICUBIC) {
      throw new IllegalArgumentException("only PIL BICUBIC resampling (resample=3) is implemented, config has "
          + "resample=" + config.resample());
    }
    this.config = config;
    this.padToSquare = padToSquare;
    double[] mean = config.imageMean();
    double[] std = config.imageStd();
    for (int c = 0; c < 3; c++) {
      float m = (float) mean[c];
      float s = (float) std[c];
      for (int v = 0; v < 256; v++) {
        float x = config.doRescale() ? (float) (v * config.rescaleFactor()) : v;
        lut[c][v] = config.doNormalize() ? (x - m) / s : x;
      }
    }
  }

  public ImageProcessorConfig config() {
    return config;
  }

  /** Runs the whole pipeline: {@code [1, 3, h, w]} (h x w = crop size when cropping). */
  public PixelValues preprocess(RgbImage image) {
    RgbImage ready = resizeAndCrop(image);
    float[] out = new float[3 * ready.height() * ready.width()];
    writeChw(ready, out, 0);
    return new PixelValues(out, 1, ready.height(), ready.width());
  }

  /** Steps 1-3: the uint8 image right before rescale/normalise (the fixtures' debug PNG). */
  public RgbImage resizeAndCrop(RgbImage image) {
    RgbImage current = padToSquare ? expandToSquare(image, backgroundColour(config.imageMean())) : image;
    if (config.doResize()) {
      Resolution target = resizeTarget(current.height(), current.width(), config.size());
      current = PilBicubicResizer.resize(current, target.width(), target.height());
    }
    if (config.doCenterCrop()) {
      current = centerCrop(current, config.cropSize().height(), config.cropSize().width());
    }
    return current;
  }

  /**
   * Steps 4-5 for an already resized/cropped image: writes {@code [3, h, w]} floats at {@code offset}.
   */
  public void writeChw(RgbImage image, float[] out, int offset) {
    byte[] p = image.pixels();
    int plane = image.width() * image.height();
    float[] r = lut[0];
    float[] g = lut[1];
    float[] b = lut[2];
    for (int i = 0; i < plane; i++) {
      out[offset + i] = r[p[3 * i] & 0xff];
      out[offset + plane + i] = g[p[3 * i + 1] & 0xff];
      out[offset + 2 * plane + i] = b[p[3 * i + 2] & 0xff];
    }
  }

  /**
   * {@code get_resize_output_image_size}: shortest edge to S and the long side to
   * {@code int(S * long / short)} (true division then truncation), or the exact size.
   */
  public static Resolution resizeTarget(int height, int width, ImageProcessorConfig.Size size) {
    if (!size.isShortestEdge()) {
      return new Resolution(size.height(), size.width());
    }
    int s = size.shortestEdge();
    int shortSide = Math.min(height, width);
    int longSide = Math.max(height, width);
    int newLong = (int) ((double) ((long) s * longSide) / shortSide);
    return width <= height ? new Resolution(newLong, s) : new Resolution(s, newLong);
  }

  /**
   * transformers' {@code center_crop}: the window starting at {@code (h - ch) // 2, (w - cw) // 2};
   * where the image is smaller than the crop it is zero-padded with {@code ceil((ch - h) / 2)}
   * rows before it (likewise columns).
   */
  public static RgbImage centerCrop(RgbImage image, int cropHeight, int cropWidth) {
    int top = image.height() >= cropHeight
        ? (image.height() - cropHeight) / 2
        : -((cropHeight - image.height() + 1) / 2);
    int left = image.width() >= cropWidth
        ? (image.width() - cropWidth) / 2
        : -((cropWidth - image.width() + 1) / 2);
    if (top == 0 && left == 0 && cropHeight == image.height() && cropWidth == image.width()) {
      return image;
    }
    return image.crop(left, top, cropWidth, cropHeight);
  }

  /** {@code tuple(int(x * 255) for x in image_mean)}: llava's pad colour, truncated toward zero. */
  public static int[] backgroundColour(double[] mean) {
    return new int[] {(int) (mean[0] * 255), (int) (mean[1] * 255), (int) (mean[2] * 255)};
  }

  /**
   * llava's {@code expand2square}: a square canvas of the long side in {@code colour}, the image pasted
   * at {@code (0, (w - h) // 2)} when wide or {@code ((h - w) // 2, 0)} when tall; square images as is.
   */
  public static RgbImage expandToSquare(RgbImage image, int[] colour) {
    int w = image.width();
    int h = image.height();
    if (w == h) {
      return image;
    }
    int side = Math.max(w, h);
    RgbImage canvas = RgbImage.filled(side, side, colour[0], colour[1], colour[2]);
    return w > h ? canvas.paste(image, 0, (w - h) / 2) : canvas.paste(image, (h - w) / 2, 0);
  }
}
