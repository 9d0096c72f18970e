package dev.llava.model.data;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link ShapesDatasetGenerator#generate} wrote.
 *
 * @param outDir the dataset root, i.e. LLaVA's {@code image_folder} (image paths are relative to it)
 * @param trainJson stage-2 instruction data over the train images ({@code train.json})
 * @param testJson held-out instruction data over the test images ({@code test.json})
 * @param captionsJson stage-1 captions over the train images ({@code captions.json})
 * @param trainImages PNGs written for the train split
 * @param testImages PNGs written for the test split
 * @param textOnlyRecords text-only records mixed into train.json
 * @param questionsByType question/answer pairs per {@link QuestionType#id()}, train and test together
 * @param elapsedMillis wall time of the whole generation
 */
public record GenerationSummary(
    Path outDir,
    Path trainJson,
    Path testJson,
    Path captionsJson,
    int trainImages,
    int testImages,
    int textOnlyRecords,
    Map<String, Integer> questionsByType,
    long elapsedMillis) {

  public GenerationSummary {
    questionsByType = Map.copyOf(questionsByType);
  }
}
