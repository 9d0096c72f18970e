package dev.llava.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.model.data.QuestionSample;
import dev.llava.model.data.VqaEvaluator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Every answer of an evaluation, one JSON object per line ({@code id, type, question, expected, predicted, correct}),
 * so error analysis can look at all mistakes and at the scene of each question rather than the report's first few.
 */
final class PredictionLog implements AutoCloseable {
  /** The file {@code bin/llava train} writes beside {@code eval.json}. */
  static final String FILE = "predictions.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedWriter writer;

  PredictionLog(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
  }

  /** Appends one answer; {@code predicted} may be null (scored wrong, written as JSON null). */
  void record(QuestionSample sample, String predicted) {
    ObjectNode line = JSON.createObjectNode();
    line.put("id", sample.id());
    line.put("type", sample.type().id());
    line.put("question", sample.question());
    line.put("expected", sample.answer());
    line.put("predicted", predicted);
    line.put("correct", VqaEvaluator.isCorrect(sample, predicted));
    try {
      writer.write(JSON.writeValueAsString(line));
      writer.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write predictions", e);
    }
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
