package dev.llava.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.model.io.Npy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/llava's checkpoint commands on the reference fixtures (same entry point as the script). */
class ModelCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path FIXTURES = Path.of(System.getProperty("llava.shared.dir", "../../shared"), "fixtures");
  private static final Path V15 = FIXTURES.resolve("tiny-llava-1.5");
  private static final Path NEXT = FIXTURES.resolve("tiny-llava-next");

  @TempDir
  Path tmp;

  record Run(int status, String out, String err) {}

  private static Run llava(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String prompt(Path fixture) throws Exception {
    return JSON.readTree(fixture.resolve("expected/expected.json").toFile()).get("prompt").asText();
  }

  @Test
  void generateJsonGivesTheReferenceGreedyTokens() throws Exception {
    Run r = llava("generate", "--model", V15.toString(), "--image", V15.resolve("expected/image_0.png").toString(),
        "--prompt", prompt(V15), "--raw", "--max-new-tokens", "8", "--json");
    assertEquals(0, r.status(), r.err());
    JsonNode o = JSON.readTree(r.out());
    long[] ids = new long[o.get("token_ids").size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = o.get("token_ids").get(i).asLong();
    }
    assertArrayEquals(Npy.read(V15.resolve("expected/greedy_ids.npy")).toLongs(), ids);
    assertEquals(Npy.read(V15.resolve("expected/input_ids.npy")).shape()[1], o.get("prompt_tokens").asLong());
    assertEquals(576, o.get("image_tokens").get(0).asInt());
    assertEquals("length", o.get("finish_reason").asText());
  }

  @Test
  void preprocessFeaturesAndLogitsMatchTheReference() throws Exception {
    String image = V15.resolve("expected/image_0.png").toString();
    Path pixels = tmp.resolve("pixels.npy");
    Path features = tmp.resolve("features.npy");
    Path logits = tmp.resolve("logits.npy");
    assertEquals(0, llava("preprocess", "--model", V15.toString(), "--image", image, "--out", pixels.toString()).status());
    assertEquals(0, llava("features", "--model", V15.toString(), "--image", image, "--out", features.toString()).status());
    Run r = llava("logits", "--model", V15.toString(), "--input-ids", V15.resolve("expected/input_ids.npy").toString(),
        "--image", image, "--out", logits.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals(0.0, maxDiff(pixels, V15.resolve("expected/pixel_values.npy")), "pixels bit-exact");
    assertTrue(maxDiff(features, V15.resolve("expected/image_features.npy")) <= 1e-4);
    assertTrue(maxDiff(logits, V15.resolve("expected/logits.npy")) <= 1e-3);
  }

  @Test
  void countTokensNeedsOnlyTheConfigs() throws Exception {
    Path configsOnly = tmp.resolve("configs-only");
    Files.createDirectories(configsOnly);
    Files.copy(NEXT.resolve("config.json"), configsOnly.resolve("config.json"));
    Files.copy(NEXT.resolve("preprocessor_config.json"), configsOnly.resolve("preprocessor_config.json"));
    Run bySize = llava("count-tokens", "--model", configsOnly.toString(), "--width", "1001", "--height", "699");
    assertEquals(0, bySize.status(), bySize.err());
    JsonNode o = JSON.readTree(bySize.out());
    assertEquals(2242, o.get("image_tokens").asInt());
    assertEquals("[2,2]", o.get("grid").toString());
    assertEquals("[34,48]", o.get("unpadded_grid").toString());
    Run byImage = llava("count-tokens", "--model", configsOnly.toString(), "--image",
        NEXT.resolve("expected/image_0.png").toString());
    assertEquals(bySize.out(), byImage.out());
  }

  @Test
  void tokenizeAddsBosAsThePostProcessorSays() throws Exception {
    JsonNode expected = JSON.readTree(NEXT.resolve("expected/expected.json").toFile());
    Run r = llava("tokenize", "--model", NEXT.toString(), "--text", expected.get("prompt").asText());
    assertEquals(0, r.status(), r.err());
    assertEquals(expected.get("prompt_token_ids_before_expansion").toString(), r.out().trim());
  }

  @Test
  void badInputExitsNonZeroWithOneLineNamingWhatWasExpected() throws Exception {
    Run noDir = llava("generate", "--model", tmp.resolve("missing").toString(), "--prompt", "hi");
    assertEquals(2, noDir.status());
    assertTrue(noDir.err().contains("is not a directory"), noDir.err());

    Path corrupt = tmp.resolve("corrupt.png");
    Files.write(corrupt, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    Run badImage = llava("generate", "--model", V15.toString(), "--image", corrupt.toString(), "--prompt", "hi");
    assertEquals(2, badImage.status());
    assertTrue(badImage.err().startsWith("llava generate: --image " + corrupt), badImage.err());
    assertEquals(1, badImage.err().strip().lines().count(), badImage.err());

    Path wrongType = checkpointCopy("wrong-type");
    ObjectNode config = (ObjectNode) JSON.readTree(V15.resolve("config.json").toFile());
    config.put("model_type", "blip2");
    JSON.writeValue(wrongType.resolve("config.json").toFile(), config);
    Run unknown = llava("generate", "--model", wrongType.toString(), "--prompt", "hi");
    assertEquals(1, unknown.status());
    assertTrue(unknown.err().contains("'blip2'") && unknown.err().contains("llava_next"), unknown.err());

    // an index whose weight map lacks the lm_head: the loader names the missing key
    Path missing = checkpointCopy("missing-tensor");
    Files.delete(missing.resolve("model.safetensors"));
    Files.createSymbolicLink(missing.resolve("model-00001-of-00001.safetensors"), V15.resolve("model.safetensors"));
    ObjectNode index = JSON.createObjectNode();
    ObjectNode weightMap = index.putObject("weight_map");
    byte[] header = headerOf(V15.resolve("model.safetensors"));
    for (Iterator<String> it = JSON.readTree(header).fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!key.equals("__metadata__") && !key.contains("lm_head")) {
        weightMap.put(key, "model-00001-of-00001.safetensors");
      }
    }
    JSON.writeValue(missing.resolve("model.safetensors.index.json").toFile(), index);
    Run noHead = llava("generate", "--model", missing.toString(), "--prompt", "hi");
    assertEquals(1, noHead.status());
    assertTrue(noHead.err().contains("lm_head"), noHead.err());
  }

  private Path checkpointCopy(String name) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(V15)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.createSymbolicLink(dir.resolve(f.getFileName()), f.toAbsolutePath());
      }
    }
    Files.delete(dir.resolve("config.json"));
    Files.copy(V15.resolve("config.json"), dir.resolve("config.json"));
    return dir;
  }

  private static byte[] headerOf(Path safetensors) throws Exception {
    byte[] all = Files.readAllBytes(safetensors);
    long n = java.nio.ByteBuffer.wrap(all, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    return java.util.Arrays.copyOfRange(all, 8, 8 + (int) n);
  }

  private static double maxDiff(Path a, Path b) throws Exception {
    float[] x = Npy.read(a).toFloats();
    float[] y = Npy.read(b).toFloats();
    assertEquals(y.length, x.length, "element count");
    double max = 0;
    for (int i = 0; i < x.length; i++) {
      max = Math.max(max, Math.abs(x[i] - y[i]));
    }
    return max;
  }
}
