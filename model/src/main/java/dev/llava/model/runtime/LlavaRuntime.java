package dev.llava.model.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.generate.SamplingParams;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.image.ImageProcessorConfig;
import dev.llava.model.image.LlavaImageProcessor;
import dev.llava.model.image.Resolution;
import dev.llava.model.nn.Devices;
import dev.llava.model.nn.LlavaModel;
import dev.llava.model.text.ChatMessage;
import dev.llava.model.text.ChatTemplate;
import dev.llava.model.text.LlavaTokenizer;
import dev.llava.model.text.PromptBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One loaded checkpoint directory with everything needed to serve it: the network (the parts asked for), the
 * image processor, and, when the text part is loaded, the tokenizer and chat template. The services, the CLI
 * and the trainer all go through this class, so preprocessing and prompt building are identical everywhere.
 */
public final class LlavaRuntime implements AutoCloseable {
  /** Used when a request names no template and the checkpoint ships none (LLaVA-1.5's evaluation template). */
  public static final String DEFAULT_TEMPLATE = "vicuna_v1";

  private final Path dir;
  private final LlavaConfig config;
  private final LlavaModel model;
  private final LlavaImageProcessor images;
  private final LlavaTokenizer tokenizer; // null without TEXT
  private final ChatTemplate checkpointTemplate; // null when the checkpoint has none
  private final String revision;

  private LlavaRuntime(Path dir, LlavaConfig config, LlavaModel model, LlavaImageProcessor images,
      LlavaTokenizer tokenizer, ChatTemplate checkpointTemplate, String revision) {
    this.dir = dir;
    this.config = config;
    this.model = model;
    this.images = images;
    this.tokenizer = tokenizer;
    this.checkpointTemplate = checkpointTemplate;
    this.revision = revision;
  }

  public static LlavaRuntime load(Path dir) throws IOException {
    return load(dir, ModelPart.all());
  }

  /** Loads {@code parts} of the checkpoint in {@code dir} on the preferred device (CUDA when present). */
  public static LlavaRuntime load(Path dir, Set<ModelPart> parts) throws IOException {
    requireCheckpointDir(dir);
    LlavaConfig config = LlavaConfig.load(dir);
    LlavaImageProcessor images = imageProcessor(dir, config);
    LlavaTokenizer tokenizer = parts.contains(ModelPart.TEXT) ? LlavaTokenizer.load(dir) : null;
    try {
      ChatTemplate template = parts.contains(ModelPart.TEXT) ? ChatTemplate.fromCheckpoint(dir).orElse(null) : null;
      LlavaModel model = LlavaModel.load(dir, Devices.preferred(), parts);
      return new LlavaRuntime(dir, config, model, images, tokenizer, template, ModelRevision.of(dir));
    } catch (IOException | RuntimeException e) {
      if (tokenizer != null) {
        tokenizer.close();
      }
      throw e;
    }
  }

  /**
   * The checkpoint's image processor: {@code preprocessor_config.json} when present, otherwise the processor
   * HF would build for the model type (CLIP at the tower's image size; AnyRes with the config's pinpoints).
   * Needs no weights, so pre-flight token counting is cheap.
   */
  public static LlavaImageProcessor imageProcessor(Path dir, LlavaConfig config) throws IOException {
    Path file = dir.resolve("preprocessor_config.json");
    ImageProcessorConfig pc;
    if (Files.isRegularFile(file)) {
      pc = ImageProcessorConfig.load(file);
    } else if (config.isNext()) {
      List<Resolution> pinpoints = config.imageGridPinpoints().stream()
          .map(p -> new Resolution(p.get(0), p.get(1))).toList();
      pc = ImageProcessorConfig.llavaNext(config.visionConfig().imageSize(), pinpoints);
    } else {
      pc = ImageProcessorConfig.llava15(config.visionConfig().imageSize());
    }
    if (config.isNext() && !pc.anyRes()) {
      throw new IOException(file + ": model_type llava_next needs AnyRes preprocessing (image_grid_pinpoints)");
    }
    return new LlavaImageProcessor(pc, config.visionConfig().patchSize(), config.visionFeatureSelectStrategy());
  }

  static void requireCheckpointDir(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": not a checkpoint directory (expected config.json and *.safetensors)");
    }
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      throw new IOException(dir + ": no config.json (expected a Hugging Face LLaVA checkpoint directory)");
    }
  }

  public Path dir() {
    return dir;
  }

  public LlavaConfig config() {
    return config;
  }

  public LlavaModel model() {
    return model;
  }

  public LlavaImageProcessor imageProcessor() {
    return images;
  }

  public String revision() {
    return revision;
  }

  public LlavaTokenizer tokenizer() {
    if (tokenizer == null) {
      throw new IllegalStateException("this runtime was loaded without the text part (no tokenizer)");
    }
    return tokenizer;
  }

  /** Largest prompt + answer length the text model supports. */
  public int maxContext() {
    return config.textConfig().maxPositionEmbeddings();
  }

  /** The named template, or (empty name) the checkpoint's own, or {@link #DEFAULT_TEMPLATE}. */
  public ChatTemplate template(String name) {
    if (name == null || name.isEmpty()) {
      return checkpointTemplate != null ? checkpointTemplate : ChatTemplate.named(DEFAULT_TEMPLATE);
    }
    return ChatTemplate.named(name);
  }

  public Optional<ChatTemplate> checkpointTemplate() {
    return Optional.ofNullable(checkpointTemplate);
  }

  /** Renders {@code messages} with the template and tokenizes, expanding each image to its token count. */
  public long[] chatPromptIds(List<ChatMessage> messages, String templateName, List<ImageLayout> layouts) {
    return promptIds(template(templateName).prompt(messages), layouts);
  }

  /** Tokenizes a rendered prompt whose {@code <image>} markers stand for {@code layouts}, in order. */
  public long[] promptIds(String prompt, List<ImageLayout> layouts) {
    int[] counts = layouts.stream().mapToInt(ImageLayout::imageTokens).toArray();
    return new PromptBuilder(tokenizer()).build(prompt, counts);
  }

  /** Stop ids for generation: the tokenizer's EOS plus the config's and generation_config's. */
  public Set<Long> stopTokenIds() {
    Set<Long> ids = new HashSet<>(tokenizer().eosTokenIds());
    config.textConfig().eosTokenIds().forEach(i -> ids.add((long) i));
    return ids;
  }

  /** Tokens of CLIP features per tile (576 at 336/14 with the default strategy). */
  public int patchesPerTile() {
    return config.visionTokensPerTile();
  }

  public int visionWidth() {
    return config.visionConfig().hiddenSize();
  }

  /**
   * CLIP features for a batch of tiles: pixels {@code [tiles, 3, S, S]} to {@code [tiles, P, visionWidth]},
   * returned as a flat float array. Native memory is freed before returning.
   */
  public float[] encodeTiles(float[] pixels, int tiles) {
    int s = images.config().cropSize().height();
    try (NDManager scope = NDManager.newBaseManager(model.device())) {
      NDArray input = scope.create(pixels, new Shape(tiles, 3, s, s));
      return model.encodeImages(input).toFloatArray();
    }
  }

  /**
   * Projects and packs the features of several images (their tiles concatenated in prompt order,
   * {@code [totalTiles, P, visionWidth]}) into the rows that replace the image tokens:
   * {@code [sum of imageTokens, textHidden]}, in {@code out}.
   */
  public NDArray packFeatures(float[] features, List<ImageLayout> layouts, NDManager out) {
    int tiles = layouts.stream().mapToInt(ImageLayout::numTiles).sum();
    long expected = (long) tiles * patchesPerTile() * visionWidth();
    if (features.length != expected) {
      throw new IllegalArgumentException("image features hold " + features.length + " values, expected " + tiles
          + " tiles x " + patchesPerTile() + " x " + visionWidth() + " = " + expected);
    }
    NDArray f = out.create(features, new Shape(tiles, patchesPerTile(), visionWidth()));
    return model.projectAndPack(f, layouts);
  }

  /**
   * A sequence ready to be prefilled: prompt embeddings with the packed image rows merged in at the image-token
   * positions. {@code packed} may be null for a text-only prompt; it is not consumed.
   */
  public Sequence newSequence(String id, long[] promptIds, NDArray packed, SamplingParams params, TokenSink sink) {
    int imageTokens = 0;
    for (long t : promptIds) {
      if (t == config.imageTokenIndex()) {
        imageTokens++;
      }
    }
    try (NDManager scope = NDManager.newBaseManager(model.device())) {
      NDArray embeds = model.embedWithImages(promptIds, packed, scope);
      return new Sequence(id, promptIds, imageTokens, embeds, model, params, tokenizer(), sink, maxContext());
    }
  }

  @Override
  public void close() {
    model.close();
    if (tokenizer != null) {
      tokenizer.close();
    }
  }
}
