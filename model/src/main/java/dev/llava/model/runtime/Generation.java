package dev.llava.model.runtime;

import ai.djl.ndarray.NDArray;
import dev.llava.model.generate.FinishReason;
import dev.llava.model.generate.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs one sequence to completion through the same prefill/decode path the continuous batcher uses, for the CLI,
 * evaluation and tests.
 */
public final class Generation {
  /**
   * @param text the answer (stop strings and EOS removed)
   * @param tokenIds the generated ids, EOS included when it was produced
   */
  public record Result(String text, long[] tokenIds, FinishReason finishReason, int promptTokens, int imageTokens) {}

  private Generation() {}

  public static Result run(LlavaRuntime runtime, long[] promptIds, NDArray packed, SamplingParams params,
      Consumer<String> onText) {
    StringBuilder text = new StringBuilder();
    List<Long> ids = new ArrayList<>();
    FinishReason[] reason = new FinishReason[1];
    TokenSink sink = new TokenSink() {
      @Override
      public void onToken(long tokenId, String delta) {
        ids.add(tokenId);
        emit(delta);
      }

      @Override
      public void onFinish(FinishReason r, String trailing, int promptTokens, int completionTokens) {
        reason[0] = r;
        emit(trailing);
      }

      private void emit(String delta) {
        if (!delta.isEmpty()) {
          text.append(delta);
          onText.accept(delta);
        }
      }
    };
    try (Sequence seq = runtime.newSequence("generate", promptIds, packed, params, sink)) {
      seq.prefillStep(runtime.model(), promptIds.length);
      List<Sequence> batch = List.of(seq);
      while (!seq.finished()) {
        DecodeStep.run(runtime.model(), batch);
      }
      long[] generated = seq.generatedIds();
      return new Result(text.toString(), generated, reason[0], seq.promptLength(), seq.imageTokens());
    }
  }
}
