package dev.llava.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The conversation file the Quarkus tests train on, under the test profile's data root (target/test-data). */
public final class TestData {
  private TestData() {}

  /** Ten LLaVA conversations; the demo recipe with global_batch_size 2 makes that five steps. */
  public static Path trainJson() {
    Path file = Path.of("target", "test-data", "train.json").toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
      StringBuilder json = new StringBuilder("[");
      for (int i = 0; i < 10; i++) {
        json.append(i == 0 ? "" : ",").append("{\"id\":\"").append(i).append("\",\"image\":\"").append(i)
            .append(".png\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image>\\nWhat is it?\"},")
            .append("{\"from\":\"gpt\",\"value\":\"a cube\"}]}");
      }
      return Files.writeString(file, json.append("]").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
