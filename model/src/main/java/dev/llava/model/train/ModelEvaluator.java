package dev.llava.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.llava.model.data.AccuracyReport;
import dev.llava.model.data.QuestionSample;
import dev.llava.model.data.VqaEvaluator;
import dev.llava.model.generate.SamplingParams;
import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.ProcessedImage;
import dev.llava.model.runtime.Generation;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.model.text.ChatMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

/**
 * Held-out accuracy through the real inference path: the checkpoint loaded by {@link LlavaRuntime}, each question
 * asked on its own with the checkpoint's template (or vicuna_v1), images preprocessed and encoded as the services
 * do, greedy decoding with {@link Generation} until EOS or {@code maxNewTokens}, scored by {@link VqaEvaluator}.
 * Consecutive questions about one image reuse its packed features.
 */
public final class ModelEvaluator implements AutoCloseable {
  /** LLaVA's short answers are a word or a letter; a few tokens are enough. */
  public static final int DEFAULT_MAX_NEW_TOKENS = 8;

  private final LlavaRuntime runtime;
  private final int maxNewTokens;
  private final ImageDecoder decoder = new ImageDecoder();
  private NDManager imageScope;
  private Path cachedImage;
  private NDArray cachedRows;
  private List<dev.llava.model.image.ImageLayout> cachedLayouts;

  public ModelEvaluator(LlavaRuntime runtime, int maxNewTokens) {
    this.runtime = runtime;
    this.maxNewTokens = maxNewTokens;
  }

  /** Loads {@code test.json}-style questions and scores the first {@code limit} (0: all). */
  public static AccuracyReport evaluate(Path checkpoint, Path questionsJson, int limit, IntConsumer progress)
      throws IOException {
    List<QuestionSample> samples = VqaEvaluator.questions(questionsJson);
    if (limit > 0 && limit < samples.size()) samples = samples.subList(0, limit);
    try (LlavaRuntime runtime = LlavaRuntime.load(checkpoint);
        ModelEvaluator evaluator = new ModelEvaluator(runtime, DEFAULT_MAX_NEW_TOKENS)) {
      return evaluator.evaluate(samples, progress);
    }
  }

  public AccuracyReport evaluate(List<QuestionSample> samples, IntConsumer progress) {
    return evaluate(samples, progress, (sample, answer) -> {});
  }

  /** As {@link #evaluate(List, IntConsumer)}, handing every (question, answer) to {@code onAnswer} as it comes. */
  public AccuracyReport evaluate(List<QuestionSample> samples, IntConsumer progress,
      BiConsumer<QuestionSample, String> onAnswer) {
    int[] done = {0};
    return VqaEvaluator.evaluate(samples, s -> {
      String answer = answer(s);
      onAnswer.accept(s, answer);
      progress.accept(++done[0]);
      return answer;
    });
  }

  /** The model's answer to one question (greedy, stop at EOS), as text. */
  public String answer(QuestionSample sample) {
    try {
      if (!sample.image().equals(cachedImage)) encode(sample.image());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + sample.image(), e);
    }
    long[] ids = runtime.chatPromptIds(List.of(ChatMessage.userWithImages(1, sample.question())), "", cachedLayouts);
    SamplingParams params = SamplingParams.greedy(maxNewTokens, runtime.stopTokenIds());
    return Generation.run(runtime, ids, cachedRows, params, text -> {}).text().strip();
  }

  private void encode(Path image) throws IOException {
    if (imageScope != null) imageScope.close();
    ProcessedImage processed = runtime.imageProcessor().process(decoder.decode(image));
    imageScope = NDManager.newBaseManager(runtime.model().device());
    cachedLayouts = List.of(processed.layout());
    float[] features = runtime.encodeTiles(processed.pixels().data(), processed.pixels().tiles());
    cachedRows = runtime.packFeatures(features, cachedLayouts, imageScope);
    cachedImage = image;
  }

  @Override
  public void close() {
    if (imageScope != null) imageScope.close();
  }
}
