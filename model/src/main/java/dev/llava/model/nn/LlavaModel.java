package dev.llava.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.checkpoint.CheckpointLoader;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.image.ImageLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * HF LlavaForConditionalGeneration / LlavaNextForConditionalGeneration split into the steps a
 * server runs separately: encode image tiles, project and pack them, merge them into the prompt
 * embeddings, prefill, then batched decode steps.
 *
 * <p>Memory: each method's result lives in the manager named in its Javadoc; the caller closes it.
 * Weights, RoPE tables and caches created by {@link #newCache} belong to this model and are freed
 * by {@link #close()}.
 */
public final class LlavaModel implements AutoCloseable {
  private final LlavaConfig config;
  private final NDManager manager;
  private final LlavaWeights weights;
  private final ClipVisionTower vision; // null unless VISION was loaded
  private final MultiModalProjector projector; // null unless PROJECTOR was loaded
  private final NextFeaturePacker packer;
  private final LlamaDecoder decoder; // null unless TEXT was loaded

  private final NDManager ownedRoot; // the base manager load() created, or null

  /** Wraps loaded weights; the model takes ownership of them and closes them in {@link #close()}. */
  public LlavaModel(LlavaWeights weights) {
    this(weights, null);
  }

  private LlavaModel(LlavaWeights weights, NDManager ownedRoot) {
    this.config = weights.config();
    this.weights = weights;
    this.manager = weights.manager();
    this.ownedRoot = ownedRoot;
    Set<ModelPart> parts = weights.parts();
    this.vision = parts.contains(ModelPart.VISION) ? new ClipVisionTower(config, weights.vision()) : null;
    boolean projects = parts.contains(ModelPart.PROJECTOR);
    this.projector = projects ? new MultiModalProjector(config, weights.projector()) : null;
    this.packer = projects ? new NextFeaturePacker(weights.imageNewline()) : null;
    this.decoder = parts.contains(ModelPart.TEXT) ? new LlamaDecoder(config.textConfig(), weights.text(), manager) : null;
  }

  /** Loads every part of the checkpoint in {@code dir} onto {@link Devices#preferred()}. */
  public static LlavaModel load(Path dir) throws IOException {
    return load(dir, Devices.preferred(), ModelPart.all());
  }

  /** Loads {@code parts} of the checkpoint in {@code dir} (see {@link CheckpointLoader}) onto {@code device}. */
  public static LlavaModel load(Path dir, Device device, Set<ModelPart> parts) throws IOException {
    NDManager root = NDManager.newBaseManager(device);
    try {
      return new LlavaModel(CheckpointLoader.load(dir, LlavaConfig.load(dir), root, parts), root);
    } catch (IOException | RuntimeException e) {
      root.close();
      throw e;
    }
  }

  public LlavaConfig config() {
    return config;
  }

  public Device device() {
    return manager.getDevice();
  }

  public Set<ModelPart> parts() {
    return weights.parts();
  }

  /**
   * CLIP features of image tiles: pixels [tiles, 3, S, S] -> [tiles, P, vision hidden] with
   * P = 576 (strategy default) or 577 (full), in pixels' manager (on the model's device).
   */
  public NDArray encodeImages(NDArray pixels) {
    require(vision, ModelPart.VISION);
    return onDevice(pixels, vision::forward);
  }

  /** Projector only: [..., vision hidden] -> [..., text hidden] in features' manager. */
  public NDArray project(NDArray features) {
    require(projector, ModelPart.PROJECTOR);
    return onDevice(features, projector::apply);
  }

  /**
   * Projects all images' tile features [total tiles, P, vision hidden] and packs them per
   * {@code layouts} (one per image, in prompt order) into [total image tokens, text hidden]:
   * the rows that replace the {@code <image>} tokens, in order. Result in features' manager.
   */
  public NDArray projectAndPack(NDArray features, List<ImageLayout> layouts) {
    require(projector, ModelPart.PROJECTOR);
    return onDevice(features, f -> {
      try (NDArray projected = projector.apply(f)) {
        return packer.pack(projected, layouts);
      }
    });
  }

  /**
   * Prompt embeddings [ids.length, text hidden] in {@code out}: token embeddings, except that the
   * k-th position holding {@code image_token_index} takes row k of {@code packed} (HF's
   * masked_scatter). {@code packed} may be null for text-only prompts.
   */
  public NDArray embedWithImages(long[] inputIds, NDArray packed, NDManager out) {
    require(decoder, ModelPart.TEXT);
    List<Long> positions = new ArrayList<>();
    long[] lookup = inputIds.clone();
    for (int i = 0; i < lookup.length; i++) {
      if (lookup[i] == config.imageTokenIndex()) {
        positions.add((long) i);
        lookup[i] = 0; // the placeholder's own embedding is never used (its id may even be >= vocab)
      }
    }
    long rows = packed == null ? 0 : packed.getShape().get(0);
    if (positions.size() != rows) {
      throw new IllegalArgumentException("image tokens: " + positions.size() + ", image features: " + rows);
    }
    try (NDManager scope = out.newSubManager(device())) {
      NDArray embeds = decoder.embed(lookup, scope);
      if (rows > 0) {
        int hidden = config.textConfig().hiddenSize();
        if (packed.getShape().dimension() != 2 || packed.getShape().get(1) != hidden) {
          throw new IllegalArgumentException("image features must be [rows, " + hidden + "], got " + packed.getShape());
        }
        NDArray index = scope.create(positions.stream().mapToLong(Long::longValue).toArray());
        NDArray rowsOnDevice = packed.getDevice().equals(device()) ? packed : packed.toDevice(device(), false);
        embeds.set(new NDIndex("{}", index), rowsOnDevice);
        if (rowsOnDevice != packed) rowsOnDevice.close();
      }
      return scope.ret(embeds);
    }
  }

  /** A KV cache for one sequence, owned by this model; close it when the sequence ends. */
  public KvCache newCache(int initialCapacity) {
    require(decoder, ModelPart.TEXT);
    return decoder.newCache(initialCapacity, manager);
  }

  /**
   * Runs prompt embeddings [n, text hidden] at positions [cache.length(), +n), filling the cache.
   * Returns logits [n, vocab] ({@code allPositions}) or [1, vocab] (last position) in embeds' manager.
   */
  public NDArray prefill(NDArray embeds, KvCache cache, boolean allPositions) {
    require(decoder, ModelPart.TEXT);
    Shape s = embeds.getShape();
    if (s.dimension() != 2 || s.get(1) != config.textConfig().hiddenSize()) {
      throw new IllegalArgumentException("prefill expects embeddings [tokens, " + config.textConfig().hiddenSize()
          + "], got " + s);
    }
    return onDevice(embeds, e -> decoder.prefill(e, cache, allPositions));
  }

  /**
   * One decoding step for B sequences of any lengths: token i is appended to cache i. Returns
   * logits [B, vocab] in {@code out} (on the model's device).
   */
  public NDArray decode(long[] nextTokenPerSeq, List<KvCache> caches, NDManager out) {
    require(decoder, ModelPart.TEXT);
    return decoder.decode(nextTokenPerSeq, caches, out);
  }

  /**
   * Greedy decoding with a KV cache: up to {@code maxNew} new tokens after the prompt, stopping
   * after an eos token (which is included). {@code packed} may be null for text-only prompts.
   */
  public long[] greedy(long[] inputIds, NDArray packed, int maxNew) {
    List<Integer> eos = config.textConfig().eosTokenIds();
    long[] out = new long[maxNew];
    int produced = 0;
    try (NDManager scope = manager.newSubManager(); KvCache cache = newCache(inputIds.length + maxNew)) {
      NDArray logits = prefill(embedWithImages(inputIds, packed, scope), cache, false);
      while (produced < maxNew) {
        long next = logits.argMax().getLong();
        logits.close();
        out[produced++] = next;
        if (eos.contains((int) next) || produced == maxNew) break;
        logits = decode(new long[] {next}, List.of(cache), scope);
      }
    }
    return java.util.Arrays.copyOf(out, produced);
  }

  private interface Step {
    NDArray apply(NDArray input);
  }

  /** Runs {@code step} on {@code input} moved to the model's device; result in input's manager. */
  private NDArray onDevice(NDArray input, Step step) {
    if (input.getDevice().equals(device())) return step.apply(input);
    try (NDManager scope = NDManager.subManagerOf(input)) {
      input.tempAttach(scope);
      return scope.ret(step.apply(input.toDevice(device(), false)));
    }
  }

  private static void require(Object part, ModelPart which) {
    if (part == null) throw new IllegalStateException("this model was loaded without " + which);
  }

  @Override
  public void close() {
    if (decoder != null) decoder.close();
    weights.close();
    if (ownedRoot != null) ownedRoot.close();
  }
}
