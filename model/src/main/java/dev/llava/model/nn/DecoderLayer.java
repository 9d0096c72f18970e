package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.HiddenAct;
import dev.llava.model.config.TextConfig;
import java.util.List;

/**
 * One Llama/Mistral decoder layer (HF LlamaDecoderLayer): pre-RMSNorm self-attention with RoPE and
 * GQA, then pre-RMSNorm SwiGLU MLP, each with a residual. q|k|v and gate|up are single matmuls.
 *
 * <p>Every intermediate lives in a per-call sub-manager that is closed before returning, so a
 * layer's peak memory does not add up across layers.
 */
final class DecoderLayer {
  /** Query rows per attention block in prefill: bounds the [heads, rows, keys] score matrix. */
  private static final long SCORE_ELEMENTS_PER_BLOCK = 1L << 26;

  private final int index;
  private final int heads;
  private final int kvHeads;
  private final int groups;
  private final int headDim;
  private final int intermediate;
  private final float scale;
  private final Integer slidingWindow;
  private final HiddenAct act;
  private final RmsNorm inputNorm;
  private final Linear qkvProj; // [hidden] -> [(nH + 2 nKv) d]
  private final Linear oProj;
  private final RmsNorm postAttentionNorm;
  private final Linear gateUpProj; // [hidden] -> [2 I]
  private final Linear downProj;

  DecoderLayer(int index, TextConfig config, LlavaWeights.DecoderLayer w) {
    this.index = index;
    this.heads = config.numAttentionHeads();
    this.kvHeads = config.numKeyValueHeads();
    this.groups = config.kvGroups();
    this.headDim = config.headDim();
    this.intermediate = config.intermediateSize();
    this.scale = (float) (1.0 / Math.sqrt(headDim));
    this.slidingWindow = config.slidingWindow();
    this.act = config.hiddenAct();
    this.inputNorm = new RmsNorm(w.inputNorm(), config.rmsNormEps());
    this.qkvProj = new Linear(w.qkvWeight(), w.qkvBias());
    this.oProj = new Linear(w.oWeight(), w.oBias());
    this.postAttentionNorm = new RmsNorm(w.postAttentionNorm(), config.rmsNormEps());
    this.gateUpProj = new Linear(w.gateUpWeight(), w.gateUpBias());
    this.downProj = new Linear(w.downWeight(), w.downBias());
  }

  /**
   * Prefill of {@code n} tokens of one sequence at positions [cache.length(), +n).
   *
   * @param x [n, hidden]
   * @param cos [n, 1, d] and {@code sinSigned} [n, 1, d] for those positions
   * @param mask additive [n, keys] mask over cache positions [keyFrom, cache.length() + n)
   * @return [n, hidden] in x's manager
   */
  NDArray prefill(NDArray x, KvCache cache, NDArray cos, NDArray sinSigned, NDArray mask, int keyFrom) {
    int n = (int) x.getShape().get(0);
    try (NDManager scope = NDManager.subManagerOf(x)) {
      x.tempAttach(scope);
      NDArray qkv = qkvProj.apply(inputNorm.apply(x)).reshape(n, heads + 2 * kvHeads, headDim);
      NDArray qk = RotaryEmbedding.apply(qkv.get(headRange(0, heads + kvHeads)), cos, sinSigned);
      NDArray q = qk.get(headRange(0, heads)); // [n, nH, d]
      NDArray k = qk.get(headRange(heads, heads + kvHeads)); // [n, nKv, d]
      NDArray v = qkv.get(headRange(heads + kvHeads, heads + 2 * kvHeads)); // [n, nKv, d]
      cache.write(index, k.transpose(1, 2, 0), v.transpose(1, 0, 2));
      int keyTo = cache.length() + n;
      NDArray kT = cache.keysT(index, keyFrom, keyTo, scope); // [nKv, d, keys]
      NDArray vv = cache.values(index, keyFrom, keyTo, scope); // [nKv, keys, d]
      int keys = keyTo - keyFrom;

      // Query blocks keep the score matrix bounded for long prompts (e.g. 2k-token NeXT images).
      int block = (int) Math.max(1, Math.min(n, SCORE_ELEMENTS_PER_BLOCK / ((long) heads * keys)));
      NDList contexts = new NDList();
      for (int start = 0; start < n; start += block) {
        int rows = Math.min(block, n - start);
        NDArray qBlock = q.get(new NDIndex().addSliceDim(start, start + rows)); // [rows, nH, d]
        // [nKv, g * rows, d]: query heads of one kv head side by side, so K/V are never repeated.
        NDArray qh = qBlock.mul(scale).transpose(1, 0, 2).reshape(kvHeads, (long) groups * rows, headDim);
        NDArray scores = qh.matMul(kT).reshape(kvHeads, groups, rows, keys);
        NDArray maskBlock = mask.get(new NDIndex().addSliceDim(start, start + rows)); // [rows, keys]
        NDArray probs = scores.addi(maskBlock).softmax(-1).reshape(kvHeads, (long) groups * rows, keys);
        NDArray ctx = probs.matMul(vv).reshape(heads, rows, headDim).transpose(1, 0, 2); // [rows, nH, d]
        contexts.add(ctx);
      }
      NDArray context = (contexts.size() == 1 ? contexts.get(0) : NDArrays.concat(contexts, 0))
          .reshape(n, (long) heads * headDim);
      NDArray hidden = oProj.apply(context).addi(x);
      return scope.ret(mlp(hidden).addi(hidden));
    }
  }

  /**
   * One new token for each of B sequences, each at its own cache position.
   *
   * @param x [B, hidden]
   * @param cos [B, 1, d] and {@code sinSigned} [B, 1, d] at each sequence's position
   * @return [B, hidden] in x's manager
   */
  NDArray decode(NDArray x, List<KvCache> caches, NDArray cos, NDArray sinSigned) {
    int b = caches.size();
    try (NDManager scope = NDManager.subManagerOf(x)) {
      x.tempAttach(scope);
      NDArray qkv = qkvProj.apply(inputNorm.apply(x)).reshape(b, heads + 2 * kvHeads, headDim);
      NDArray qk = RotaryEmbedding.apply(qkv.get(headRange(0, heads + kvHeads)), cos, sinSigned);
      NDArray q = qk.get(headRange(0, heads)).mul(scale).reshape(b, kvHeads, groups, headDim);
      // Shaped so one sequence's slice is exactly the cache region it fills: [nKv, d, 1] and [nKv, 1, d].
      NDArray k = qk.get(headRange(heads, heads + kvHeads)).reshape(b, kvHeads, headDim, 1);
      NDArray v = qkv.get(headRange(heads + kvHeads, heads + 2 * kvHeads)).reshape(b, kvHeads, 1, headDim);
      NDList contexts = new NDList(b);
      for (int i = 0; i < b; i++) {
        KvCache cache = caches.get(i);
        int pos = cache.length();
        cache.write(index, TorchOps.select(k, i, scope), TorchOps.select(v, i, scope));
        int from = slidingWindow == null ? 0 : Math.max(0, pos + 1 - slidingWindow);
        NDArray kT = cache.keysT(index, from, pos + 1, scope); // [nKv, d, keys]
        NDArray vv = cache.values(index, from, pos + 1, scope); // [nKv, keys, d]
        NDArray probs = TorchOps.select(q, i, scope).matMul(kT).softmax(-1); // [nKv, g, keys]
        contexts.add(probs.matMul(vv)); // [nKv, g, d]
      }
      NDArray context = NDArrays.stack(contexts).reshape(b, (long) heads * headDim);
      NDArray hidden = oProj.apply(context).addi(x);
      return scope.ret(mlp(hidden).addi(hidden));
    }
  }

  /** down(act(gate(h)) * up(h)) on the post-attention-normed residual stream. */
  private NDArray mlp(NDArray hidden) {
    NDArray gateUp = gateUpProj.apply(postAttentionNorm.apply(hidden)); // [.., 2I]
    NDArray gate = gateUp.get(new NDIndex().addEllipseDim().addSliceDim(0, intermediate));
    NDArray up = gateUp.get(new NDIndex().addEllipseDim().addSliceDim(intermediate, 2L * intermediate));
    return downProj.apply(Activation.apply(act, gate).muli(up));
  }

  private static NDIndex headRange(long from, long to) {
    return new NDIndex().addAllDim().addSliceDim(from, to);
  }
}
