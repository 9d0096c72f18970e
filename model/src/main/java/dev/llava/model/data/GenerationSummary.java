package dev.llava.model.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

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

  /** The summary as pretty JSON, for a CLI to print. */
  public String toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("out_dir", outDir.toString());
    node.put("train_json", trainJson.toString());
    node.put("test_json", testJson.toString());
    node.put("captions_json", captionsJson.toString());
    node.put("train_images", trainImages);
    node.put("test_images", testImages);
    node.put("text_only_records", textOnlyRecords);
    ObjectNode types = node.putObject("questions_by_type");
    new TreeMap<>(questionsByType).forEach(types::put);
    node.put("elapsed_ms", elapsedMillis);
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a tree of plain values", e);
    }
  }
}
