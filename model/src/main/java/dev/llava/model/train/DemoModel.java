package dev.llava.model.train;

import static dev.llava.model.checkpoint.LlavaWeights.*;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.model.checkpoint.LlavaWeights.KeyLayout;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.image.ImageProcessorConfig;
import dev.llava.model.image.Resolution;
import dev.llava.model.io.SafetensorsDtype;
import dev.llava.model.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fresh tiny LLaVA-NeXT, written as a Hugging Face checkpoint directory so that training, saving, serving and
 * evaluation all go through the same loader as real checkpoints: a small CLIP at a small tile size with AnyRes
 * pinpoints scaled to that tile ({@code [[t,2t],[2t,t],[2t,2t],[3t,t],[t,3t]]}, so images are tiled exactly as
 * LLaVA-NeXT tiles them), the 2-layer GELU projector with {@code image_newline}, a small Llama with GQA, and a BPE
 * tokenizer trained on the corpus ({@link TokenizerBuilder}).
 *
 * <p>Initialisation is deterministic from the seed: normal(0, 0.02) for matrices and embeddings (HF's
 * {@code initializer_range}), zero biases, unit norms, {@code image_newline ~ normal(0, 1/sqrt(hidden))} as
 * LlavaNextForConditionalGeneration draws it.
 */
public final class DemoModel {
  private static final KeyLayout KEYS = KeyLayout.CLASSIC;
  private static final double STD = 0.02;

  /**
   * The model's shape. The vision tower uses every CLIP layer ({@code vision_feature_layer = -1}).
   *
   * @param tile CLIP input size t; patches per tile are (t / patch)^2
   * @param vocabSize target BPE vocabulary (without {@code <image>} / {@code <pad>})
   */
  public record Size(int tile, int patch, int visionHidden, int visionLayers, int visionHeads,
      int visionIntermediate, int textHidden, int textLayers, int textHeads, int textKvHeads,
      int textIntermediate, int maxPositions, int vocabSize) {

    /**
     * The demo recipe's model: 64 px tiles of 4x4 patches, about 1 M parameters. (A 2x2 AnyRes grid packs to
     * about 90 image tokens, half of what 96 px tiles give: 1.5x the training throughput on two CPU cores.)
     */
    public static Size demo() {
      return new Size(64, 16, 96, 3, 4, 256, 128, 3, 4, 2, 384, 1024, 1000);
    }

    /**
     * LLaVA-NeXT's real vision geometry, CLIP ViT-L/14 at 336 px (24 layers, hidden 1024, 16 heads, MLP 4096; the
     * AnyRes pinpoints come out as LLaVA-NeXT's own) on the demo's small decoder: randomly initialised, for load
     * tests and benchmarks that need a real tower's encoding cost (about 300 M parameters, 1.2 GB).
     */
    public static Size vitL336() {
      return new Size(336, 14, 1024, 24, 16, 4096, 128, 3, 4, 2, 384, 4096, 1000);
    }

    /** An even smaller model for tests. */
    public static Size tiny() {
      return new Size(64, 16, 32, 2, 2, 64, 48, 2, 4, 2, 96, 1024, 600);
    }
  }

  private DemoModel() {}

  /** Writes the checkpoint into {@code dir} and returns it. */
  public static Path create(Path dir, Size size, Iterable<String> corpus, long seed) throws IOException {
    Files.createDirectories(dir);
    TokenizerBuilder tokenizer = TokenizerBuilder.train(corpus, size.vocabSize());
    tokenizer.write(dir, size.maxPositions());
    ObjectNode config = config(size, tokenizer);
    HfSideFiles.write(config, dir.resolve("config.json"));
    LlavaConfig parsed = LlavaConfig.fromJson(config);
    int t = size.tile();
    List<Resolution> pinpoints = List.of(new Resolution(t, 2 * t), new Resolution(2 * t, t),
        new Resolution(2 * t, 2 * t), new Resolution(3 * t, t), new Resolution(t, 3 * t));
    HfSideFiles.write(HfSideFiles.preprocessorConfig(ImageProcessorConfig.llavaNext(t, pinpoints)),
        dir.resolve("preprocessor_config.json"));
    HfSideFiles.write(HfSideFiles.processorConfig(parsed, TokenizerBuilder.IMAGE), dir.resolve("processor_config.json"));
    HfSideFiles.write(HfSideFiles.generationConfig(parsed), dir.resolve("generation_config.json"));
    weights(size, tokenizer.totalVocabSize(), new SplittableRandom(seed)).write(dir.resolve("model.safetensors"));
    return dir;
  }

  static ObjectNode config(Size s, TokenizerBuilder tokenizer) {
    ObjectNode c = HfSideFiles.JSON.createObjectNode();
    c.putArray("architectures").add("LlavaNextForConditionalGeneration");
    c.put("model_type", "llava_next");
    c.put("ignore_index", -100);
    c.put("image_token_index", tokenizer.imageTokenId());
    ArrayNode pins = c.putArray("image_grid_pinpoints");
    int t = s.tile();
    for (int[] p : new int[][] {{t, 2 * t}, {2 * t, t}, {2 * t, 2 * t}, {3 * t, t}, {t, 3 * t}}) {
      pins.addArray().add(p[0]).add(p[1]);
    }
    c.put("image_seq_length", (t / s.patch()) * (t / s.patch()));
    c.put("multimodal_projector_bias", true);
    c.put("pad_token_id", tokenizer.padTokenId());
    c.put("projector_hidden_act", "gelu");
    c.put("tie_word_embeddings", false);
    c.put("torch_dtype", "float32");
    c.put("vision_feature_layer", -1);
    c.put("vision_feature_select_strategy", "default");
    c.put("vocab_size", tokenizer.totalVocabSize());
    ObjectNode text = c.putObject("text_config");
    text.put("model_type", "llama");
    text.put("hidden_size", s.textHidden());
    text.put("intermediate_size", s.textIntermediate());
    text.put("num_hidden_layers", s.textLayers());
    text.put("num_attention_heads", s.textHeads());
    text.put("num_key_value_heads", s.textKvHeads());
    text.put("head_dim", s.textHidden() / s.textHeads());
    text.put("hidden_act", "silu");
    text.put("max_position_embeddings", s.maxPositions());
    text.put("rms_norm_eps", 1e-5);
    text.put("rope_theta", 10000.0);
    text.put("vocab_size", tokenizer.totalVocabSize());
    text.put("bos_token_id", 1);
    text.put("eos_token_id", 2);
    text.put("pad_token_id", tokenizer.padTokenId());
    text.put("tie_word_embeddings", false);
    text.put("attention_bias", false);
    text.put("mlp_bias", false);
    text.put("torch_dtype", "float32");
    ObjectNode vision = c.putObject("vision_config");
    vision.put("model_type", "clip_vision_model");
    vision.put("hidden_size", s.visionHidden());
    vision.put("intermediate_size", s.visionIntermediate());
    vision.put("num_hidden_layers", s.visionLayers());
    vision.put("num_attention_heads", s.visionHeads());
    vision.put("num_channels", 3);
    vision.put("image_size", t);
    vision.put("patch_size", s.patch());
    vision.put("hidden_act", "quick_gelu");
    vision.put("layer_norm_eps", 1e-5);
    return c;
  }

  private static SafetensorsWriter weights(Size s, int vocab, SplittableRandom random) {
    Init w = new Init(random);
    int hv = s.visionHidden();
    int positions = (s.tile() / s.patch()) * (s.tile() / s.patch()) + 1;
    w.normal(KEYS.vision(PATCH_EMBEDDING), STD, hv, 3, s.patch(), s.patch());
    w.normal(KEYS.vision(CLASS_EMBEDDING), STD, hv);
    w.normal(KEYS.vision(POSITION_EMBEDDING), STD, positions, hv);
    w.layerNorm(KEYS.vision(PRE_LAYERNORM), hv);
    for (int i = 0; i < s.visionLayers(); i++) {
      w.layerNorm(KEYS.visionLayer(i, LAYER_NORM_1), hv);
      for (String proj : List.of(ATTN_Q, ATTN_K, ATTN_V, ATTN_OUT)) w.linear(KEYS.visionLayer(i, proj), hv, hv, true);
      w.layerNorm(KEYS.visionLayer(i, LAYER_NORM_2), hv);
      w.linear(KEYS.visionLayer(i, FC1), s.visionIntermediate(), hv, true);
      w.linear(KEYS.visionLayer(i, FC2), hv, s.visionIntermediate(), true);
    }
    w.layerNorm(KEYS.vision(POST_LAYERNORM), hv); // never read by LLaVA, present in every CLIP checkpoint
    int ht = s.textHidden();
    w.linear(KEYS.projector(LINEAR_1), ht, hv, true);
    w.linear(KEYS.projector(LINEAR_2), ht, ht, true);
    w.normal(KEYS.imageNewline(), 1 / Math.sqrt(ht), ht);
    w.normal(KEYS.text(EMBED_TOKENS), STD, vocab, ht);
    int headDim = ht / s.textHeads();
    for (int i = 0; i < s.textLayers(); i++) {
      w.ones(KEYS.textLayer(i, INPUT_LAYERNORM), ht);
      w.linear(KEYS.textLayer(i, Q_PROJ), s.textHeads() * headDim, ht, false);
      w.linear(KEYS.textLayer(i, K_PROJ), s.textKvHeads() * headDim, ht, false);
      w.linear(KEYS.textLayer(i, V_PROJ), s.textKvHeads() * headDim, ht, false);
      w.linear(KEYS.textLayer(i, O_PROJ), ht, s.textHeads() * headDim, false);
      w.ones(KEYS.textLayer(i, POST_ATTENTION_LAYERNORM), ht);
      w.linear(KEYS.textLayer(i, GATE_PROJ), s.textIntermediate(), ht, false);
      w.linear(KEYS.textLayer(i, UP_PROJ), s.textIntermediate(), ht, false);
      w.linear(KEYS.textLayer(i, DOWN_PROJ), ht, s.textIntermediate(), false);
    }
    w.ones(KEYS.text(FINAL_NORM), ht);
    w.normal(KEYS.lmHead(), STD, vocab, ht);
    return w.out;
  }

  /** Draws tensors in a fixed order from one generator. */
  private static final class Init {
    final SafetensorsWriter out = new SafetensorsWriter();
    final SplittableRandom random;

    Init(SplittableRandom random) {
      this.random = random;
    }

    void normal(String key, double std, long... shape) {
      float[] v = new float[size(shape)];
      for (int i = 0; i < v.length; i++) v[i] = (float) (random.nextGaussian() * std);
      out.add(key, v, shape, SafetensorsDtype.F32);
    }

    void fill(String key, float value, long... shape) {
      float[] v = new float[size(shape)];
      Arrays.fill(v, value);
      out.add(key, v, shape, SafetensorsDtype.F32);
    }

    void ones(String key, long n) {
      fill(key, 1f, n);
    }

    void layerNorm(String prefix, long n) {
      fill(prefix + WEIGHT, 1f, n);
      fill(prefix + BIAS, 0f, n);
    }

    void linear(String prefix, long outFeatures, long inFeatures, boolean bias) {
      normal(prefix + WEIGHT, STD, outFeatures, inFeatures);
      if (bias) fill(prefix + BIAS, 0f, outFeatures);
    }

    private static int size(long[] shape) {
      long n = 1;
      for (long d : shape) n *= d;
      return Math.toIntExact(n);
    }
  }
}
