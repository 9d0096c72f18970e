package dev.llava.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.image.PixelValues;
import java.util.ArrayList;
import java.util.List;

/**
 * The differentiable LLaVA forward over a padded batch, reading the same {@link LlavaWeights} the inference model
 * uses: CLIP up to the feature layer, projector, NeXT packing with {@code image_newline}, image rows merged at
 * the image-token positions, then the decoder over {@code [B, L]} with causal + padding mask and no KV cache.
 * {@link #logits} equals {@code LlavaModel.prefill(..., allPositions = true)} row by row (tested on both
 * fixtures); {@link #lossSum} is what training differentiates.
 *
 * <p>Every result lives in the manager passed in; close it after the backward pass.
 */
public final class TrainingForward implements AutoCloseable {
  private final LlavaConfig config;
  private final LlavaWeights weights;
  private final VisionForward vision; // null without the VISION part
  private final FeaturePacking packing; // null without the PROJECTOR part
  private final DecoderForward decoder;

  /** Builds the forward over {@code weights} (which must hold the TEXT part); RoPE tables live under parent. */
  public TrainingForward(LlavaWeights weights, NDManager parent) {
    this.config = weights.config();
    this.weights = weights;
    var parts = weights.parts();
    this.vision = parts.contains(dev.llava.model.checkpoint.ModelPart.VISION)
        ? new VisionForward(config, weights.vision()) : null;
    this.packing = parts.contains(dev.llava.model.checkpoint.ModelPart.PROJECTOR)
        ? new FeaturePacking(config, weights.projector(), weights.imageNewline()) : null;
    this.decoder = new DecoderForward(config.textConfig(), weights.text(), parent);
  }

  public LlavaConfig config() {
    return config;
  }

  /** Full logits [B, L, V] (padding rows included) in {@code scope}. */
  public NDArray logits(TrainingBatch batch, NDManager scope) {
    return decoder.logits(hidden(batch, scope));
  }

  /**
   * Sum over the batch of {@code -log p(token[t+1] | tokens[..t])} at every position whose next token is
   * trainable (labels shifted by one; -100 elsewhere in HF's terms), as a scalar in {@code scope}. Divide by the
   * global batch's {@link TrainingBatch#targetCount()} total to get the mean token loss. Only the trained rows go
   * through lm_head, which saves most of its cost when image tokens dominate.
   */
  public NDArray lossSum(TrainingBatch batch, NDManager scope) {
    int l = batch.maxLength();
    int n = batch.targetCount();
    if (n == 0) return scope.zeros(new Shape());
    long[] rows = new long[n];
    long[] targets = new long[n];
    int at = 0;
    for (int b = 0; b < batch.size(); b++) {
      EncodedSample s = batch.samples().get(b);
      for (int p = 0; p + 1 < s.length(); p++) {
        if (s.trainable()[p + 1]) {
          rows[at] = (long) b * l + p;
          targets[at++] = s.inputIds()[p + 1];
        }
      }
    }
    NDArray hidden = hidden(batch, scope);
    NDArray flat = hidden.reshape(batch.size() * (long) l, hidden.getShape().get(2));
    NDArray index = HostArrays.longs(scope, rows);
    NDArray picked = index.getNDArrayInternal().embedding(index, flat, SparseFormat.DENSE).singletonOrThrow();
    NDArray logProbs = decoder.logits(picked).logSoftmax(-1); // [n, V]
    NDArray target = HostArrays.longs(scope, targets, new Shape(n, 1));
    return logProbs.gather(target, 1).sum().neg();
  }

  /** Final-normed hidden states [B, L, hidden] in scope. */
  NDArray hidden(TrainingBatch batch, NDManager scope) {
    int b = batch.size();
    int l = batch.maxLength();
    NDArray imageRows = imageRows(batch, scope); // [image tokens in batch, hidden] or null
    long imageId = config.imageTokenIndex();
    long[] lookup = new long[b * l];
    long[] gather = new long[b * l];
    long nextImageRow = (long) b * l;
    long vocab = config.textConfig().vocabSize();
    for (int i = 0; i < b; i++) {
      EncodedSample s = batch.samples().get(i);
      int imageTokens = 0;
      for (int p = 0; p < l; p++) {
        int flat = i * l + p;
        long id = p < s.length() ? s.inputIds()[p] : 0; // padding reads row 0; the mask hides it
        if (id == imageId) {
          imageTokens++;
          gather[flat] = nextImageRow++;
        } else {
          if (id < 0 || id >= vocab) {
            throw new IllegalArgumentException("sample " + s.id() + ": token id " + id + " at position " + p
                + " is outside the vocabulary [0, " + vocab + ")");
          }
          lookup[flat] = id;
          gather[flat] = flat;
        }
      }
      int expected = s.hasImage() ? s.layout().imageTokens() : 0;
      if (imageTokens != expected) {
        throw new IllegalArgumentException("sample " + s.id() + ": image tokens: " + imageTokens
            + ", image features: " + expected);
      }
    }
    NDArray ids = HostArrays.longs(scope, lookup);
    NDArray text = ids.getNDArrayInternal().embedding(ids, weights.text().embedTokens(), SparseFormat.DENSE)
        .singletonOrThrow(); // [B*L, hidden]
    NDArray merged = text;
    if (imageRows != null) {
      // HF's masked_scatter as a gather over [text rows; image rows], which autograd differentiates to both
      NDArray table = NDArrays.concat(new NDList(text, imageRows), 0);
      NDArray index = HostArrays.longs(scope, gather);
      merged = index.getNDArrayInternal().embedding(index, table, SparseFormat.DENSE).singletonOrThrow();
    }
    NDArray embeds = merged.reshape(b, l, config.textConfig().hiddenSize());
    return decoder.hidden(embeds, batch.lengths());
  }

  /** CLIP -> projector -> packing for the batch's images, or null without images. */
  private NDArray imageRows(TrainingBatch batch, NDManager scope) {
    List<ImageLayout> layouts = batch.layouts();
    if (layouts.isEmpty()) return null;
    if (vision == null || packing == null) {
      throw new IllegalStateException("a batch with images needs the VISION and PROJECTOR parts (loaded: "
          + weights.parts() + ")");
    }
    List<PixelValues> pixels = new ArrayList<>();
    for (PixelValues p : batch.pixels()) if (p != null) pixels.add(p);
    int tiles = pixels.stream().mapToInt(PixelValues::tiles).sum();
    PixelValues first = pixels.get(0);
    float[] all = new float[tiles * first.tileLength()];
    int at = 0;
    for (PixelValues p : pixels) {
      System.arraycopy(p.data(), 0, all, at, p.data().length);
      at += p.data().length;
    }
    NDArray input = HostArrays.floats(scope, all, new Shape(tiles, PixelValues.CHANNELS, first.height(), first.width()));
    return packing.pack(packing.project(vision.forward(input)), layouts);
  }

  @Override
  public void close() {
    decoder.close();
  }
}
