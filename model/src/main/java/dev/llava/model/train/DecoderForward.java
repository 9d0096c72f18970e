package dev.llava.model.train;

import static dev.llava.model.train.Activations.linear;
import static dev.llava.model.train.Activations.rmsNorm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.TextConfig;
import dev.llava.model.nn.RotaryEmbedding;

/**
 * The Llama/Mistral decoder over a right-padded batch {@code [B, L, hidden]} without a KV cache: causal plus
 * key-padding mask (plus Mistral's sliding window), RoPE with rotate_half, GQA, SwiGLU, RMSNorm. Out of place
 * throughout so autograd can differentiate it; mirrors {@code nn.LlamaDecoder.prefill} / {@code nn.DecoderLayer}
 * (same q|k|v and gate|up fused weights, same query-heads-per-kv-head grouping), so both give the same logits.
 */
final class DecoderForward implements AutoCloseable {
  private final TextConfig config;
  private final LlavaWeights.Text w;
  private final RotaryEmbedding rope;
  private final int heads;
  private final int kvHeads;
  private final int groups;
  private final int headDim;
  private final int intermediate;
  private final float scale;
  private final float eps;

  DecoderForward(TextConfig config, LlavaWeights.Text weights, NDManager parent) {
    this.config = config;
    this.w = weights;
    this.rope = new RotaryEmbedding(config, parent);
    this.heads = config.numAttentionHeads();
    this.kvHeads = config.numKeyValueHeads();
    this.groups = config.kvGroups();
    this.headDim = config.headDim();
    this.intermediate = config.intermediateSize();
    this.scale = (float) (1.0 / Math.sqrt(headDim));
    this.eps = (float) config.rmsNormEps();
  }

  /**
   * @param embeds [B, L, hidden] input embeddings (text and image rows merged)
   * @param lengths real tokens per row; positions at or past a row's length are padding
   * @return final-normed hidden states [B, L, hidden] in embeds' manager
   */
  NDArray hidden(NDArray embeds, int[] lengths) {
    NDManager m = embeds.getManager();
    int b = (int) embeds.getShape().get(0);
    int l = (int) embeds.getShape().get(1);
    NDList table = rope.range(0, l, m); // cos, signed sin: [L, 1, d]
    NDArray mask = mask(m, b, l, lengths); // [B, 1, 1, L, L] additive
    NDArray x = embeds;
    for (LlavaWeights.DecoderLayer layer : w.layers()) x = layer(x, layer, table.get(0), table.get(1), mask);
    return rmsNorm(x, w.finalNorm(), eps);
  }

  /** Logits [..., V] of final-normed hidden states; result in their manager. */
  NDArray logits(NDArray hidden) {
    return linear(hidden, w.lmHead(), null);
  }

  private NDArray layer(NDArray x, LlavaWeights.DecoderLayer lw, NDArray cos, NDArray sinSigned, NDArray mask) {
    long b = x.getShape().get(0);
    long l = x.getShape().get(1);
    NDArray qkv = linear(rmsNorm(x, lw.inputNorm(), eps), lw.qkvWeight(), lw.qkvBias())
        .reshape(b, l, heads + 2L * kvHeads, headDim);
    NDArray q = rotate(qkv.get(headRange(0, heads)), cos, sinSigned); // [B, L, nH, d]
    NDArray k = rotate(qkv.get(headRange(heads, heads + kvHeads)), cos, sinSigned); // [B, L, nKv, d]
    NDArray v = qkv.get(headRange(heads + kvHeads, heads + 2L * kvHeads)); // [B, L, nKv, d]
    // [B, nKv, g * L, d]: the g query heads of one kv head side by side (HF repeat_kv order), K/V never repeated
    NDArray qh = q.mul(Activations.scalar(q, scale)).transpose(0, 2, 1, 3).reshape(b, kvHeads, groups * l, headDim);
    NDArray kT = k.transpose(0, 2, 3, 1); // [B, nKv, d, L]
    NDArray vv = v.transpose(0, 2, 1, 3); // [B, nKv, L, d]
    NDArray scores = qh.matMul(kT).reshape(b, kvHeads, groups, l, l).add(mask);
    NDArray probs = scores.softmax(-1).reshape(b, kvHeads, groups * l, l);
    NDArray context = probs.matMul(vv).reshape(b, heads, l, headDim).transpose(0, 2, 1, 3)
        .reshape(b, l, (long) heads * headDim);
    NDArray hidden = linear(context, lw.oWeight(), lw.oBias()).add(x);
    NDArray gateUp = linear(rmsNorm(hidden, lw.postAttentionNorm(), eps), lw.gateUpWeight(), lw.gateUpBias());
    NDArray gate = gateUp.get(new NDIndex().addEllipseDim().addSliceDim(0, intermediate));
    NDArray up = gateUp.get(new NDIndex().addEllipseDim().addSliceDim(intermediate, 2L * intermediate));
    NDArray mlp = linear(Activations.apply(config.hiddenAct(), gate).mul(up), lw.downWeight(), lw.downBias());
    return mlp.add(hidden);
  }

  /** x*cos + rotate_half(x)*sin with the sign folded into the table: x [B, L, h, d], tables [L, 1, d]. */
  private static NDArray rotate(NDArray x, NDArray cos, NDArray sinSigned) {
    long d = x.getShape().get(3);
    NDArray x1 = x.get(new NDIndex().addAllDim(3).addSliceDim(0, d / 2));
    NDArray x2 = x.get(new NDIndex().addAllDim(3).addSliceDim(d / 2, d));
    return x.mul(cos).add(NDArrays.concat(new NDList(x2, x1), 3).mul(sinSigned));
  }

  /**
   * Additive mask [B, 1, 1, L, L]: query i of row r may see key j when j <= i, j < lengths[r] and (Mistral) j is
   * inside the sliding window; blocked entries get float32's lowest value (softmax gives them exactly 0). Padded
   * queries still see the row's real keys, so no softmax row is empty.
   */
  private NDArray mask(NDManager m, int b, int l, int[] lengths) {
    NDArray rows = m.arange(0, l, 1, DataType.INT64).reshape(1, l, 1);
    NDArray cols = m.arange(0, l, 1, DataType.INT64).reshape(1, 1, l);
    long[] lens = new long[b];
    for (int i = 0; i < b; i++) lens[i] = lengths[i];
    NDArray blocked = cols.gt(rows).logicalOr(cols.gte(HostArrays.longs(m, lens, new ai.djl.ndarray.types.Shape(b, 1, 1)))); // [B, L, L]
    if (config.slidingWindow() != null) {
      blocked = blocked.logicalOr(cols.lte(rows.sub(config.slidingWindow())));
    }
    return blocked.toType(DataType.FLOAT32, false).mul(-Float.MAX_VALUE).reshape(b, 1, 1, l, l);
  }

  private static NDIndex headRange(long from, long to) {
    return new NDIndex().addAllDim(2).addSliceDim(from, to);
  }

  @Override
  public void close() {
    rope.close();
  }
}
