package dev.llava.model.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code preprocessor_config.json} of a {@code CLIPImageProcessor} (LLaVA-1.5) or
 * {@code LlavaNextImageProcessor} (LLaVA-NeXT), with transformers' defaults for missing fields.
 *
 * @param imageProcessorType {@code image_processor_type} as written (may be null)
 * @param doResize {@code do_resize} (default true)
 * @param size {@code size}: {@code {"shortest_edge": n}} (a bare int means the same), or
 *     {@code {"height": h, "width": w}} (default shortest_edge 224)
 * @param resample {@code resample}, PIL filter id (default 3 = BICUBIC, the only one implemented)
 * @param doCenterCrop {@code do_center_crop} (default true)
 * @param cropSize {@code crop_size} (a bare int n means n x n; default 224 x 224)
 * @param doRescale {@code do_rescale} (default true)
 * @param rescaleFactor {@code rescale_factor} (default 1/255)
 * @param doNormalize {@code do_normalize} (default true)
 * @param imageMean {@code image_mean} as written in JSON (default OpenAI CLIP mean)
 * @param imageStd {@code image_std} (default OpenAI CLIP std)
 * @param doConvertRgb {@code do_convert_rgb} (default true; decoding always yields RGB anyway)
 * @param imageGridPinpoints {@code image_grid_pinpoints} ([height, width] each); empty without AnyRes.
 *     A LlavaNextImageProcessor without the field gets transformers' default pinpoints.
 * @param aspectRatioSetting {@code image_aspect_ratio} or {@code aspect_ratio_setting} if present
 *     ("pad", "anyres", ...), else null
 */
public record ImageProcessorConfig(
    String imageProcessorType,
    boolean doResize,
    Size size,
    int resample,
    boolean doCenterCrop,
    Resolution cropSize,
    boolean doRescale,
    double rescaleFactor,
    boolean doNormalize,
    double[] imageMean,
    double[] imageStd,
    boolean doConvertRgb,
    List<Resolution> imageGridPinpoints,
    String aspectRatioSetting) {

  /** OPENAI_CLIP_MEAN of transformers' image_utils. */
  public static final double[] OPENAI_CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
  /** OPENAI_CLIP_STD of transformers' image_utils. */
  public static final double[] OPENAI_CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
  /** LlavaNextImageProcessor's default {@code image_grid_pinpoints}. */
  public static final List<Resolution> DEFAULT_PINPOINTS = List.of(
      new Resolution(336, 672), new Resolution(672, 336), new Resolution(672, 672),
      new Resolution(1008, 336), new Resolution(336, 1008));
  /** PIL's {@code Image.BICUBIC}. */
  public static final int PIL_BICUBIC = 3;

  /**
   * The {@code size} entry: either shortest-edge ({@code shortestEdge > 0}) or an exact height x width.
   *
   * @param shortestEdge target of the short side, or 0 when {@code height}/{@code width} are used
   * @param height exact height (0 in shortest-edge mode)
   * @param width exact width (0 in shortest-edge mode)
   */
  public record Size(int shortestEdge, int height, int width) {
    public static Size shortestEdge(int edge) {
      if (edge < 1) {
        throw new IllegalArgumentException("size.shortest_edge must be >= 1, got " + edge);
      }
      return new Size(edge, 0, 0);
    }

    public static Size exact(int height, int width) {
      if (height < 1 || width < 1) {
        throw new IllegalArgumentException("size height/width must be >= 1, got " + height + "x" + width);
      }
      return new Size(0, height, width);
    }

    public boolean isShortestEdge() {
      return shortestEdge > 0;
    }

    /** The square (or exact) size LLaVA-NeXT squashes the base image to: (S, S) or (height, width). */
    public Resolution asResolution() {
      return isShortestEdge() ? new Resolution(shortestEdge, shortestEdge) : new Resolution(height, width);
    }
  }

  public ImageProcessorConfig {
    imageMean = imageMean.clone();
    imageStd = imageStd.clone();
    imageGridPinpoints = List.copyOf(imageGridPinpoints);
    if (imageMean.length != 3 || imageStd.length != 3) {
      throw new IllegalArgumentException("image_mean and image_std need 3 values (RGB), got "
          + imageMean.length + " and " + imageStd.length);
    }
  }

  /** Defaults of LLaVA-1.5 as shipped by llava-hf: CLIP processor at 336, no AnyRes. */
  public static ImageProcessorConfig llava15(int imageSize) {
    return new ImageProcessorConfig("CLIPImageProcessor", true, Size.shortestEdge(imageSize), PIL_BICUBIC,
        true, new Resolution(imageSize, imageSize), true, 1 / 255.0, true, OPENAI_CLIP_MEAN,
        OPENAI_CLIP_STD, true, List.of(), null);
  }

  /** Defaults of LLaVA-NeXT as shipped by llava-hf: 336 tiles and the given pinpoints. */
  public static ImageProcessorConfig llavaNext(int imageSize, List<Resolution> pinpoints) {
    return new ImageProcessorConfig("LlavaNextImageProcessor", true, Size.shortestEdge(imageSize),
        PIL_BICUBIC, true, new Resolution(imageSize, imageSize), true, 1 / 255.0, true, OPENAI_CLIP_MEAN,
        OPENAI_CLIP_STD, true, pinpoints, "anyres");
  }

  /** True for LLaVA-NeXT (AnyRes tiling), i.e. when there are grid pinpoints. */
  public boolean anyRes() {
    return !imageGridPinpoints.isEmpty();
  }

  /** True when {@code image_aspect_ratio} is "pad" (original LLaVA-1.5 expand2square). */
  public boolean padToSquare() {
    return "pad".equals(aspectRatioSetting);
  }

  @Override
  public double[] imageMean() {
    return imageMean.clone();
  }

  @Override
  public double[] imageStd() {
    return imageStd.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageProcessorConfig c
        && Objects.equals(imageProcessorType, c.imageProcessorType) && doResize == c.doResize
        && size.equals(c.size) && resample == c.resample && doCenterCrop == c.doCenterCrop
        && cropSize.equals(c.cropSize) && doRescale == c.doRescale && rescaleFactor == c.rescaleFactor
        && doNormalize == c.doNormalize && Arrays.equals(imageMean, c.imageMean)
        && Arrays.equals(imageStd, c.imageStd) && doConvertRgb == c.doConvertRgb
        && imageGridPinpoints.equals(c.imageGridPinpoints)
        && Objects.equals(aspectRatioSetting, c.aspectRatioSetting);
  }

  @Override
  public int hashCode() {
    return Objects.hash(imageProcessorType, size, cropSize, rescaleFactor, Arrays.hashCode(imageMean),
        Arrays.hashCode(imageStd), imageGridPinpoints, aspectRatioSetting);
  }

  @Override
  public String toString() {
    return "ImageProcessorConfig[type=" + imageProcessorType + ", size=" + size + ", crop=" + cropSize
        + ", mean=" + Arrays.toString(imageMean) + ", std=" + Arrays.toString(imageStd)
        + ", rescale=" + (doRescale ? rescaleFactor : "off") + ", normalize=" + doNormalize
        + ", pinpoints=" + imageGridPinpoints + ", aspect=" + aspectRatioSetting + "]";
  }

  public static ImageProcessorConfig load(Path file) throws IOException {
    try {
      return parse(Files.readString(file));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  public static ImageProcessorConfig parse(String json) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("preprocessor config is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("preprocessor config must be a JSON object");
    }
    String type = text(root, "image_processor_type");
    boolean next = type != null && type.startsWith("LlavaNext");
    List<Resolution> pinpoints = root.has("image_grid_pinpoints")
        ? pinpoints(root.get("image_grid_pinpoints"))
        : next ? DEFAULT_PINPOINTS : List.of();
    if (type != null && type.startsWith("CLIP")) {
      pinpoints = List.of(); // CLIPImageProcessor ignores pinpoints even if a config carries them
    }
    String aspect = text(root, "image_aspect_ratio");
    if (aspect == null) {
      aspect = text(root, "aspect_ratio_setting");
    }
    return new ImageProcessorConfig(
        type,
        bool(root, "do_resize", true),
        size(root.get("size")),
        root.path("resample").asInt(PIL_BICUBIC),
        bool(root, "do_center_crop", true),
        cropSize(root.get("crop_size")),
        bool(root, "do_rescale", true),
        root.path("rescale_factor").asDouble(1 / 255.0),
        bool(root, "do_normalize", true),
        triple(root, "image_mean", OPENAI_CLIP_MEAN),
        triple(root, "image_std", OPENAI_CLIP_STD),
        bool(root, "do_convert_rgb", true),
        pinpoints,
        aspect);
  }

  private static String text(JsonNode root, String field) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  private static boolean bool(JsonNode root, String field, boolean fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw new IllegalArgumentException(field + " must be true or false, got " + n);
    }
    return n.booleanValue();
  }

  private static Size size(JsonNode n) {
    if (n == null || n.isNull()) {
      return Size.shortestEdge(224);
    }
    if (n.isInt()) {
      return Size.shortestEdge(n.intValue()); // get_size_dict(int, default_to_square=False)
    }
    if (n.has("shortest_edge")) {
      return Size.shortestEdge(n.get("shortest_edge").asInt());
    }
    if (n.has("height") && n.has("width")) {
      return Size.exact(n.get("height").asInt(), n.get("width").asInt());
    }
    throw new IllegalArgumentException(
        "size must be {\"shortest_edge\": n} or {\"height\": h, \"width\": w}, got " + n);
  }

  private static Resolution cropSize(JsonNode n) {
    if (n == null || n.isNull()) {
      return new Resolution(224, 224);
    }
    if (n.isInt()) {
      return new Resolution(n.intValue(), n.intValue());
    }
    if (n.has("height") && n.has("width")) {
      return new Resolution(n.get("height").asInt(), n.get("width").asInt());
    }
    throw new IllegalArgumentException("crop_size must be n or {\"height\": h, \"width\": w}, got " + n);
  }

  private static double[] triple(JsonNode root, String field, double[] fallback) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return fallback.clone();
    }
    if (n.isNumber()) {
      return new double[] {n.doubleValue(), n.doubleValue(), n.doubleValue()};
    }
    if (!n.isArray() || n.size() != 3) {
      throw new IllegalArgumentException(field + " must be a number or 3 numbers (RGB), got " + n);
    }
    return new double[] {n.get(0).asDouble(), n.get(1).asDouble(), n.get(2).asDouble()};
  }

  private static List<Resolution> pinpoints(JsonNode n) {
    if (!n.isArray()) {
      throw new IllegalArgumentException("image_grid_pinpoints must be a list of [height, width], got " + n);
    }
    List<Resolution> out = new ArrayList<>();
    for (JsonNode p : n) {
      if (!p.isArray() || p.size() != 2) {
        throw new IllegalArgumentException("each image_grid_pinpoints entry must be [height, width], got " + p);
      }
      out.add(new Resolution(p.get(0).asInt(), p.get(1).asInt()));
    }
    return out;
  }
}
