package dev.llava.model.image;

import dev.llava.model.config.FeatureSelectStrategy;
/**
 * The image side of {@code LlavaProcessor} / {@code LlavaNextProcessor}: picks CLIP (LLaVA-1.5) or
 * AnyRes (LLaVA-NeXT, when the config has grid pinpoints) and pairs the pixels with the
 * {@link ImageLayout} that the prompt expansion and feature packing use.
 * Stateless after construction and safe to share between threads.
 */
public final class LlavaImageProcessor {
  private final ImageProcessorConfig config;
  private final int patchSize;
  private final FeatureSelectStrategy strategy;
  private final ClipImageProcessor clip;
  private final AnyResTiler tiler;

  /**
   * @param config the model's {@code preprocessor_config.json}
   * @param patchSize the vision tower's {@code patch_size}
   * @param strategy the model's {@code vision_feature_select_strategy}
   */
  public LlavaImageProcessor(ImageProcessorConfig config, int patchSize, FeatureSelectStrategy strategy) {
    this.config = config;
    this.patchSize = patchSize;
    this.strategy = strategy;
    this.clip = new ClipImageProcessor(config);
    this.tiler = config.anyRes() ? new AnyResTiler(config) : null;
    ImageLayouts.of(1, 1, config, patchSize, strategy); // fail now on an inconsistent geometry
  }

  public ImageProcessorConfig config() {
    return config;
  }

  /** The layout (and token count) of an image of this size, without its pixels. */
  public ImageLayout layout(int height, int width) {
    return ImageLayouts.of(height, width, config, patchSize, strategy);
  }

  public ProcessedImage process(RgbImage image) {
    PixelValues pixels = tiler != null ? tiler.process(image) : clip.preprocess(image);
    return new ProcessedImage(pixels, layout(image.height(), image.width()));
  }
}
