package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.TextConfig;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * HF LlamaForCausalLM / MistralForCausalLM on DJL: embeddings, decoder layers, final RMSNorm,
 * lm_head. Two entry points share the layers: {@link #prefill} (one sequence, many tokens, causal
 * mask) and {@link #decode} (one token for each of several sequences of different lengths).
 */
public final class LlamaDecoder implements AutoCloseable {
  private final TextConfig config;
  private final NDArray embedTokens; // [V, hidden]
  private final List<DecoderLayer> layers;
  private final RmsNorm finalNorm;
  private final Linear lmHead; // [V, hidden]
  private final RotaryEmbedding rope;

  public LlamaDecoder(TextConfig config, LlavaWeights.Text weights, NDManager parent) {
    this.config = config;
    this.embedTokens = weights.embedTokens();
    List<DecoderLayer> list = new ArrayList<>();
    for (int i = 0; i < weights.layers().size(); i++) list.add(new DecoderLayer(i, config, weights.layers().get(i)));
    this.layers = List.copyOf(list);
    this.finalNorm = new RmsNorm(weights.finalNorm(), config.rmsNormEps());
    this.lmHead = new Linear(weights.lmHead(), null);
    this.rope = new RotaryEmbedding(config, parent);
  }

  public TextConfig config() {
    return config;
  }

  /** A cache for one sequence with room for {@code capacity} tokens before it grows. */
  public KvCache newCache(int capacity, NDManager parent) {
    return new KvCache(config, parent, capacity);
  }

  /** Token embeddings [ids.length, hidden] in {@code into} (which must be on the model's device). */
  public NDArray embed(long[] ids, NDManager into) {
    for (long id : ids) {
      if (id < 0 || id >= config.vocabSize()) {
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
      }
    }
    NDArray index = into.create(ids);
    return index.getNDArrayInternal().embedding(index, embedTokens, SparseFormat.DENSE).singletonOrThrow();
  }

  /**
   * Runs {@code embeds} [n, hidden] through the model at positions [cache.length(), +n), appending
   * to the cache. Returns logits [n, V] ({@code allPositions}) or [1, V] for the last position,
   * in embeds' manager.
   */
  public NDArray prefill(NDArray embeds, KvCache cache, boolean allPositions) {
    int n = (int) embeds.getShape().get(0);
    if (n == 0) throw new IllegalArgumentException("prefill needs at least one token, got 0");
    int start = cache.length();
    cache.reserve(n);
    try (NDManager scope = NDManager.subManagerOf(embeds)) {
      embeds.tempAttach(scope);
      NDList table = rope.range(start, n, scope);
      int keyFrom = config.slidingWindow() == null ? 0 : Math.max(0, start + 1 - config.slidingWindow());
      NDArray mask = causalMask(scope, start, n, keyFrom);
      NDArray x = embeds;
      for (DecoderLayer layer : layers) {
        NDArray next = layer.prefill(x, cache, table.get(0), table.get(1), mask, keyFrom);
        if (x != embeds) x.close();
        x = next;
      }
      cache.advance(n);
      NDArray last = allPositions ? x : x.get(new NDIndex().addSliceDim(n - 1, n));
      return scope.ret(lmHead.apply(finalNorm.apply(last)));
    }
  }

  /**
   * One decoding step for B sequences: {@code tokens[i]} is appended to {@code caches.get(i)}
   * (each at its own position). Returns logits [B, V] in {@code out}.
   */
  public NDArray decode(long[] tokens, List<KvCache> caches, NDManager out) {
    if (tokens.length != caches.size()) {
      throw new IllegalArgumentException("decode got " + tokens.length + " tokens for " + caches.size() + " caches");
    }
    try (NDManager scope = out.newSubManager(embedTokens.getDevice())) {
      return scope.ret(decodeEmbeds(embed(tokens, scope), caches));
    }
  }

  /** Like {@link #decode} but from input embeddings [B, hidden]; logits in embeds' manager. */
  public NDArray decodeEmbeds(NDArray embeds, List<KvCache> caches) {
    Map<KvCache, Boolean> distinct = new IdentityHashMap<>();
    long[] positions = new long[caches.size()];
    for (int i = 0; i < positions.length; i++) {
      if (distinct.put(caches.get(i), Boolean.TRUE) != null) {
        throw new IllegalArgumentException("decode got the same KvCache twice (sequence " + i + ")");
      }
      caches.get(i).reserve(1);
      positions[i] = caches.get(i).length();
    }
    try (NDManager scope = NDManager.subManagerOf(embeds)) {
      embeds.tempAttach(scope);
      NDList table = rope.gather(positions, scope);
      NDArray x = embeds;
      for (DecoderLayer layer : layers) {
        NDArray next = layer.decode(x, caches, table.get(0), table.get(1));
        if (x != embeds) x.close();
        x = next;
      }
      for (KvCache c : caches) c.advance(1);
      return scope.ret(lmHead.apply(finalNorm.apply(x)));
    }
  }

  /**
   * Additive mask [n, keys] for queries at positions start..start+n-1 over keys keyFrom..start+n-1:
   * 0 where attention is allowed (causal, and inside the sliding window if any), float32's lowest
   * value elsewhere (as HF's {@code torch.finfo(dtype).min}: softmax gives those keys exactly 0).
   */
  private NDArray causalMask(NDManager m, int start, int n, int keyFrom) {
    NDArray rows = m.arange(start, start + n, 1, DataType.INT64).reshape(n, 1);
    NDArray cols = m.arange(keyFrom, start + n, 1, DataType.INT64).reshape(1, start + n - keyFrom);
    NDArray blocked = cols.gt(rows);
    if (config.slidingWindow() != null) {
      blocked = blocked.logicalOr(cols.lte(rows.sub(config.slidingWindow())));
    }
    return blocked.toType(DataType.FLOAT32, false).muli(-Float.MAX_VALUE);
  }

  @Override
  public void close() {
    rope.close();
  }
}
