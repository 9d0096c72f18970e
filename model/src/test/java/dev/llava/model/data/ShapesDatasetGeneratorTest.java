package dev.llava.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapesDatasetGeneratorTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int TRAIN = 150;
  private static final int TEST = 30;

  @TempDir
  static Path dir;
  static GenerationSummary summary;
  static JsonNode train;
  static JsonNode test;
  static JsonNode captions;

  @BeforeAll
  static void generate() throws IOException {
    summary = ShapesDatasetGenerator.generate(dir, new ShapesDatasetGenerator.Config(TRAIN, TEST, 7, 3, 5, 50, 2));
    train = MAPPER.readTree(dir.resolve("train.json").toFile());
    test = MAPPER.readTree(dir.resolve("test.json").toFile());
    captions = MAPPER.readTree(dir.resolve("captions.json").toFile());
    System.out.println("generated " + (TRAIN + TEST) + " images in " + summary.elapsedMillis() + " ms");
  }

  @Test
  void writesTheDocumentedLayout() throws IOException {
    assertEquals(TRAIN, summary.trainImages());
    assertEquals(TEST, summary.testImages());
    assertEquals(TRAIN / 50, summary.textOnlyRecords());
    assertEquals(TRAIN + TRAIN / 50, train.size());
    assertEquals(TEST, test.size());
    assertEquals(TRAIN, captions.size());
    try (Stream<Path> images = Files.list(dir.resolve("images"))) {
      assertEquals(TRAIN + TEST, images.count());
    }
    assertTrue(Files.isRegularFile(dir.resolve("images/train_000000.png")));
    assertTrue(Files.isRegularFile(dir.resolve("images/test_000029.png")));
    JsonNode info = MAPPER.readTree(dir.resolve("dataset_info.json").toFile());
    assertEquals(7, info.get("seed").asLong());
    assertEquals("captions.json", info.get("stage1").asText());
  }

  @Test
  void sameSeedGivesIdenticalBytesWhateverTheThreadCount(@TempDir Path other) throws IOException {
    ShapesDatasetGenerator.generate(other, new ShapesDatasetGenerator.Config(TRAIN, TEST, 7, 3, 5, 50, 1));
    for (String file : List.of("train.json", "test.json", "captions.json", "dataset_info.json",
        "images/train_000000.png", "images/train_000149.png", "images/test_000013.png")) {
      assertArrayEquals(Files.readAllBytes(dir.resolve(file)), Files.readAllBytes(other.resolve(file)), file);
    }
  }

  @Test
  void differentSeedGivesDifferentData(@TempDir Path other) throws IOException {
    ShapesDatasetGenerator.generate(other, new ShapesDatasetGenerator.Config(10, 2, 8, 3, 5, 50, 2));
    assertFalse(Arrays.equals(Files.readAllBytes(dir.resolve("images/train_000000.png")),
        Files.readAllBytes(other.resolve("images/train_000000.png"))));
    JsonNode otherTrain = MAPPER.readTree(other.resolve("train.json").toFile());
    assertFalse(train.get(0).get("meta").equals(otherTrain.get(0).get("meta")));
  }

  @Test
  void everyAnswerFollowsFromTheSceneMetadata() {
    int checked = 0;
    for (JsonNode records : List.of(train, test)) {
      for (JsonNode record : records) {
        if (!record.has("image")) {
          continue;
        }
        SceneAnswerOracle oracle = new SceneAnswerOracle(record.get("meta").get("scene"));
        JsonNode turns = record.get("conversations");
        JsonNode types = record.get("meta").get("types");
        assertEquals(turns.size() / 2, types.size(), record.get("id").asText());
        for (int i = 0; i < types.size(); i++) {
          String human = turns.get(2 * i).get("value").asText();
          assertEquals(i == 0, human.startsWith("<image>\n"), "marker only at the start of the first turn");
          String question = human.replace("<image>\n", "");
          String answer = turns.get(2 * i + 1).get("value").asText();
          String type = types.get(i).asText();
          if (type.equals("description")) {
            checkDescription(oracle, answer);
          } else {
            assertEquals(oracle.answer(question, type), answer, record.get("id").asText() + ": " + question);
            assertTrue(question.endsWith(type.startsWith("mc_") ? SceneQuestions.MULTIPLE_CHOICE_SUFFIX
                : SceneQuestions.SHORT_ANSWER_SUFFIX), question);
          }
          checked++;
        }
      }
    }
    assertTrue(checked > 3 * (TRAIN + TEST), "checked " + checked + " answers");
  }

  private static void checkDescription(SceneAnswerOracle oracle, String answer) {
    int n = oracle.objects().size();
    String count = n == 1 ? "There is one object. " : "There are " + SceneAnswerOracle.numberWord(n) + " objects. ";
    assertTrue(answer.startsWith(count), answer);
    for (SceneAnswerOracle.Obj o : oracle.objects()) {
      String phrase = switch (o.position()) {
        case "left", "right" -> "on the " + o.position();
        case "center" -> "in the center";
        default -> "at the " + o.position();
      };
      assertTrue(answer.toLowerCase().contains("a " + o.color() + " " + o.shape() + " " + phrase), answer);
    }
  }

  @Test
  void captionsNameEveryObjectOfTheirTrainImage() {
    for (int i = 0; i < captions.size(); i++) {
      JsonNode caption = captions.get(i);
      assertEquals(String.format("images/train_%06d.png", i), caption.get("image").asText());
      assertEquals("<image>\n", caption.get("conversations").get(0).get("value").asText());
      String text = caption.get("conversations").get(1).get("value").asText();
      SceneAnswerOracle oracle = new SceneAnswerOracle(caption.get("meta").get("scene"));
      for (SceneAnswerOracle.Obj o : oracle.objects()) {
        assertTrue(text.toLowerCase().contains(o.color() + " " + o.shape()), text);
      }
      assertEquals(oracle.objects().size(), text.split(" (?:on|at|in) the ").length - 1, text);
    }
  }

  @Test
  void objectsSitInsideTheirRegionWithoutOverlap() {
    for (JsonNode record : concat(train, test)) {
      JsonNode scene = record.get("meta").get("scene");
      int w = scene.get("width").asInt();
      int h = scene.get("height").asInt();
      assertTrue(w >= 224 && w <= 900 && h >= 224 && h <= 900, w + "x" + h);
      List<JsonNode> objects = new ArrayList<>();
      scene.get("objects").forEach(objects::add);
      for (JsonNode o : objects) {
        double x = o.get("x").asDouble();
        double y = o.get("y").asDouble();
        double r = o.get("radius").asDouble();
        assertEquals(o.get("position").asText(), Region.of(x, y, w, h).orElseThrow().word());
        // the centre keeps clear of grid lines by at least 15% of a cell: position is unambiguous
        double cw = w / 3.0;
        double ch = h / 3.0;
        double fx = x / cw - Math.floor(x / cw);
        double fy = y / ch - Math.floor(y / ch);
        assertTrue(fx > 0.15 && fx < 0.85 && fy > 0.15 && fy < 0.85, "centre near a grid line: " + o);
        for (JsonNode p : objects) {
          if (p != o) {
            double d = Math.hypot(x - p.get("x").asDouble(), y - p.get("y").asDouble());
            assertTrue(d > r + p.get("radius").asDouble(), "overlap: " + o + " " + p);
          }
        }
      }
    }
  }

  @Test
  void everyShapeColourPositionCountAndTypeOccurs() {
    Set<String> shapes = new HashSet<>();
    Set<String> colours = new HashSet<>();
    Set<String> positions = new HashSet<>();
    Set<Integer> objectCounts = new HashSet<>();
    Set<String> backgrounds = new HashSet<>();
    Map<String, Integer> types = new TreeMap<>();
    Map<String, Integer> answers = new TreeMap<>();
    for (JsonNode record : train) {
      record.get("meta").get("types").forEach(t -> types.merge(t.asText(), 1, Integer::sum));
      if (!record.has("image")) {
        continue;
      }
      JsonNode scene = record.get("meta").get("scene");
      backgrounds.add(scene.get("background").asText());
      objectCounts.add(scene.get("objects").size());
      for (JsonNode o : scene.get("objects")) {
        shapes.add(o.get("shape").asText());
        colours.add(o.get("color").asText());
        positions.add(o.get("position").asText());
      }
      JsonNode turns = record.get("conversations");
      for (int i = 0; i < turns.size() / 2; i++) {
        String type = record.get("meta").get("types").get(i).asText();
        if (type.equals("count") || type.equals("yes_no")) {
          answers.merge(type + "=" + turns.get(2 * i + 1).get("value").asText(), 1, Integer::sum);
        }
      }
    }
    assertEquals(Set.of("circle", "square", "triangle"), shapes);
    assertEquals(Set.of("red", "green", "blue", "yellow"), colours);
    assertEquals(Set.of("left", "right", "top", "bottom", "center"), positions);
    assertEquals(Set.of(1, 2, 3, 4), objectCounts);
    assertEquals(Set.of("plain_light", "plain_dark", "tinted", "gradient", "noisy"), backgrounds);
    for (QuestionType type : QuestionType.values()) {
      if (type != QuestionType.CAPTION) {
        assertTrue(types.containsKey(type.id()), "no " + type.id() + " in " + types);
      }
    }
    for (String count : List.of("0", "1", "2", "3", "4")) {
      assertTrue(answers.containsKey("count=" + count), "no count answer " + count + " in " + answers);
    }
    int yes = answers.getOrDefault("yes_no=yes", 0);
    int no = answers.getOrDefault("yes_no=no", 0);
    assertTrue(yes > 0.35 * (yes + no) && no > 0.35 * (yes + no), "yes/no balance " + yes + "/" + no);
  }

  @Test
  void splitsShareNoImage() throws IOException {
    Set<String> trainImages = new HashSet<>();
    Set<String> trainHashes = new HashSet<>();
    for (JsonNode record : train) {
      if (record.has("image")) {
        trainImages.add(record.get("image").asText());
        trainHashes.add(Arrays.toString(Files.readAllBytes(dir.resolve(record.get("image").asText()))));
      }
    }
    for (JsonNode record : captions) {
      assertTrue(trainImages.contains(record.get("image").asText()));
    }
    for (JsonNode record : test) {
      String image = record.get("image").asText();
      assertTrue(image.startsWith("images/test_"), image);
      assertFalse(trainImages.contains(image));
      assertFalse(trainHashes.contains(Arrays.toString(Files.readAllBytes(dir.resolve(image)))), image);
    }
  }

  @Test
  void pixelsShowTheObjectColoursOnANeutralBackground() throws IOException {
    int checked = 0;
    for (JsonNode record : test) {
      BufferedImage image = ImageIO.read(dir.resolve(record.get("image").asText()).toFile());
      JsonNode scene = record.get("meta").get("scene");
      assertEquals(scene.get("width").asInt(), image.getWidth());
      assertEquals(scene.get("height").asInt(), image.getHeight());
      for (JsonNode o : scene.get("objects")) {
        int rgb = image.getRGB((int) o.get("x").asDouble(), (int) o.get("y").asDouble()) & 0xFFFFFF;
        assertEquals(ShapeColor.fromWord(o.get("color").asText()), ShapeColor.classify(rgb),
            record.get("id").asText() + " centre of " + o + " is " + Integer.toHexString(rgb));
        checked++;
      }
      // corner cells never hold objects: the background there must not read as an object colour
      int corner = image.getRGB(image.getWidth() / 6, image.getHeight() / 6) & 0xFFFFFF;
      assertNull(ShapeColor.classify(corner), record.get("id").asText() + " background " + Integer.toHexString(corner));
    }
    assertTrue(checked >= TEST);
  }

  @Test
  void textOnlyRecordsHaveNoImageAndNoMarker() {
    int textOnly = 0;
    for (JsonNode record : train) {
      if (!record.has("image")) {
        textOnly++;
        assertEquals("text_only", record.get("meta").get("types").get(0).asText());
        assertFalse(record.toString().contains("<image>"));
        assertNotNull(record.get("conversations").get(1).get("value").asText());
      }
    }
    assertEquals(summary.textOnlyRecords(), textOnly);
  }

  private static List<JsonNode> concat(JsonNode a, JsonNode b) {
    List<JsonNode> all = new ArrayList<>();
    a.forEach(r -> {
      if (r.has("image")) {
        all.add(r);
      }
    });
    b.forEach(all::add);
    return all;
  }
}
