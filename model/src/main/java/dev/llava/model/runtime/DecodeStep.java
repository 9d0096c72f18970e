package dev.llava.model.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.llava.model.nn.KvCache;
import dev.llava.model.nn.LlavaModel;
import java.util.ArrayList;
import java.util.List;

/**
 * One decoding iteration for a batch of sequences of different lengths: each feeds its last sampled token,
 * the model runs them together (one batched forward), and each samples its next token from its row.
 */
public final class DecodeStep {
  private DecodeStep() {}

  /** Runs one step for every sequence in DECODE state; returns how many took part. */
  public static int run(LlavaModel model, List<Sequence> sequences) {
    List<Sequence> batch = new ArrayList<>(sequences.size());
    for (Sequence s : sequences) {
      if (s.state() == Sequence.State.DECODE) {
        batch.add(s);
      }
    }
    if (batch.isEmpty()) {
      return 0;
    }
    long[] tokens = new long[batch.size()];
    List<KvCache> caches = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      tokens[i] = batch.get(i).lastToken();
      caches.add(batch.get(i).cache());
    }
    float[] logits;
    int vocab;
    try (NDManager scope = NDManager.newBaseManager(model.device())) {
      NDArray out = model.decode(tokens, caches, scope); // [B, vocab]
      vocab = (int) out.getShape().get(1);
      logits = out.toFloatArray();
    }
    for (int i = 0; i < batch.size(); i++) {
      float[] row = new float[vocab];
      System.arraycopy(logits, i * vocab, row, 0, vocab);
      batch.get(i).accept(row);
    }
    return batch.size();
  }
}
