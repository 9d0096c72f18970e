package dev.llava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.model.data.LlavaConversationDataset;
import dev.llava.model.data.LlavaRecord;
import dev.llava.model.data.Turn;
import dev.llava.model.train.DemoModel;
import dev.llava.model.train.TrainingProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/llava data / train / eval through the same entry point as the script, on a tiny fresh model. */
class TrainCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  record Run(int status, String out, String err) {}

  private static Run llava(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream progress = TrainCommands.progress;
    TrainCommands.progress = new PrintStream(err, true, StandardCharsets.UTF_8);
    try {
      int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      TrainCommands.progress = progress;
    }
  }

  @Test
  void trainFromASpecFileThenEvaluate() throws Exception {
    Path data = tmp.resolve("data");
    Run made = llava("data", "shapes", "--out", data.toString(), "--count", "12", "--seed", "5");
    assertEquals(0, made.status(), made.err());
    assertEquals(12, JSON.readTree(made.out()).get("train_images").asInt());

    List<String> corpus = new ArrayList<>();
    for (LlavaRecord r : LlavaConversationDataset.load(data.resolve("train.json")).records()) {
      for (Turn t : r.conversations()) corpus.add(t.value().replace("<image>", " "));
    }
    corpus.add("A chat between a curious user and an artificial intelligence assistant. USER: ASSISTANT:");
    Path model = DemoModel.create(tmp.resolve("model"), DemoModel.Size.tiny(), corpus, 5);

    Path out = tmp.resolve("out");
    ObjectNode spec = JSON.createObjectNode();
    spec.put("recipe", "stage2");
    spec.put("base_model_dir", model.toString());
    spec.put("data_path", data.resolve("train.json").toString());
    spec.put("output_dir", out.toString());
    spec.put("template", "vicuna_v1");
    spec.put("global_batch_size", 2);
    spec.put("micro_batch_size", 1);
    spec.put("max_steps", 2);
    spec.put("learning_rate", 1e-3);
    Path specFile = tmp.resolve("spec.json");
    Files.writeString(specFile, spec.toString());

    Run trained = llava("train", "--spec-json", specFile.toString());
    assertEquals(0, trained.status(), trained.err());
    JsonNode summary = JSON.readTree(trained.out());
    assertEquals(2, summary.get("steps").asInt());
    assertEquals(out.toString(), summary.get("checkpoint").asText());
    assertTrue(trained.err().contains("step 1/2 [") && trained.err().contains("step 2/2 ["), trained.err());
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));

    Path predictions = tmp.resolve("preds/all.jsonl");
    Run eval = llava("eval", "--model", out.toString(), "--data", data.resolve("test.json").toString(), "--limit", "3",
        "--predictions", predictions.toString());
    assertEquals(0, eval.status(), eval.err());
    JsonNode report = JSON.readTree(eval.out());
    assertEquals(3, report.get("overall").get("n").asInt());
    assertTrue(report.has("per_type"));
    // every answer is logged, right or wrong, and the log agrees with the report's tally
    List<String> lines = Files.readAllLines(predictions);
    assertEquals(3, lines.size());
    int correct = 0;
    for (String line : lines) {
      JsonNode p = JSON.readTree(line);
      assertTrue(p.get("id").asText().contains("#") && p.has("question") && p.has("expected") && p.has("predicted"),
          line);
      if (p.get("correct").asBoolean()) correct++;
    }
    assertEquals(report.get("overall").get("correct").asInt(), correct);
  }

  @Test
  void usageErrorsSayWhatWasExpected() throws Exception {
    Run r = llava("train", "--recipe", "nope", "--out", tmp.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("--recipe must be one of [demo, stage1, stage2]"), r.err());
    r = llava("train", "--recipe", "stage2", "--data", "x.json");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("missing required option --model"), r.err());
    assertDemoFlagRefused("--adam-beta2", "1.5", "adam_beta2 must be in (0, 1), got 1.5");
    assertDemoFlagRefused("--vision-steps", "0", "--vision-steps");
    assertDemoFlagRefused("--fresh-images", "-1", "--fresh-images must be >= 0 (0: no phase 3), got -1");
    assertDemoFlagRefused("--fresh-lr", "0", "--fresh-lr must be > 0");
    r = llava("data", "pictures");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("expected 'data shapes"), r.err());
    Path spec = tmp.resolve("bad.json");
    Files.writeString(spec, "{\"recipe\": \"stage2\", \"learning_rat\": 0.1}");
    r = llava("train", "--spec-json", spec.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("unknown field 'learning_rat'"), r.err());
  }

  /** {@code bin/llava train --recipe demo FLAG VALUE} fails with {@code message} before it draws any data. */
  private void assertDemoFlagRefused(String flag, String value, String message) {
    Path never = tmp.resolve("never");
    Run r = llava("train", "--recipe", "demo", "--out", never.toString(), flag, value);
    assertEquals(2, r.status());
    assertTrue(r.err().contains(message), r.err());
    assertTrue(Files.notExists(never), flag + " refused before generating any data");
  }

  @Test
  void initModelWritesALoadableRandomCheckpointOfTheNamedSize() throws Exception {
    Path dir = tmp.resolve("random-tiny");
    Run r = llava("init-model", "--out", dir.toString(), "--size", "tiny", "--seed", "3");
    assertEquals(0, r.status(), r.err());
    assertEquals("tiny", JSON.readTree(r.out()).get("size").asText());
    try (dev.llava.model.runtime.LlavaRuntime runtime = dev.llava.model.runtime.LlavaRuntime.load(dir)) {
      assertEquals(16, runtime.patchesPerTile(), "64 px tiles of 16 px patches");
    }
    r = llava("init-model", "--out", tmp.resolve("x").toString(), "--size", "huge");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("--size must be one of [demo, tiny, vit-l-336], got 'huge'"), r.err());
  }

  @Test
  void progressWithoutATerminalIsPlainLines() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ProgressBar bar = new ProgressBar(new PrintStream(buffer, true, StandardCharsets.UTF_8), false);
    for (int step = 1; step <= 200; step++) {
      bar.update(new TrainingProgress(step, 200, 2.5, 1e-3, 12.5, 0.8, step * 500L));
    }
    bar.finish();
    List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(51, lines.size(), "first step and every fourth");
    assertTrue(lines.stream().noneMatch(l -> l.contains("\r")));
    assertEquals("step 100/200 [############............] loss 2.5000 lr 1.00e-03 12.5 samples/s ETA 00:50",
        lines.get(25));
  }
}
