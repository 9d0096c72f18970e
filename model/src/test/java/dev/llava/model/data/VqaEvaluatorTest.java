package dev.llava.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VqaEvaluatorTest {
  @TempDir
  static Path dir;
  static List<QuestionSample> samples;

  @BeforeAll
  static void generate() throws IOException {
    GenerationSummary summary = ShapesDatasetGenerator.generate(dir, new ShapesDatasetGenerator.Config(10, 20, 11, 3, 5, 50, 2));
    samples = VqaEvaluator.questions(summary.testJson());
  }

  @Test
  void extractsEveryScoredAnswerAsASingleTurnQuestion() throws IOException {
    JsonNode test = new ObjectMapper().readTree(dir.resolve("test.json").toFile());
    int scored = 0;
    for (JsonNode record : test) {
      for (JsonNode type : record.get("meta").get("types")) {
        scored += QuestionType.fromId(type.asText()).scored() ? 1 : 0;
      }
    }
    assertEquals(scored, samples.size());
    for (QuestionSample sample : samples) {
      assertTrue(sample.prompt().startsWith("<image>\n"));
      assertFalse(sample.question().contains("<image>"), sample.question());
      assertTrue(Files.isRegularFile(sample.image()), sample.image().toString());
      assertTrue(sample.type().scored());
      if (sample.type().format() == AnswerFormat.MULTIPLE_CHOICE) {
        assertTrue(sample.optionCount() == 3 || sample.optionCount() == 4, sample.question());
        assertTrue(sample.answer().charAt(0) < 'A' + sample.optionCount(), sample.answer());
      } else {
        assertEquals(0, sample.optionCount());
      }
    }
    QuestionSample first = samples.get(0);
    assertEquals("test_000000#0", first.id());
    assertEquals(dir.resolve("images/test_000000.png"), first.image());
  }

  @Test
  void perfectModelScoresOneEvenWhenItPhrasesAnswersLoosely() {
    // "Two." / "The answer is B" style outputs must still count, as in LLaVA's scorers
    AccuracyReport report = VqaEvaluator.evaluate(samples, s -> switch (s.type().format()) {
      case MULTIPLE_CHOICE -> "The answer is " + s.answer() + ".";
      default -> "The " + spelled(s.answer()) + "!";
    });
    assertEquals(samples.size(), report.overall().correct());
    assertEquals(1.0, report.overall().accuracy());
    assertTrue(report.mistakes().isEmpty());
  }

  @Test
  void constantModelScoresExactlyTheShareOfItsAnswer() {
    long yes = samples.stream().filter(s -> s.answer().equals("yes")).count();
    long letterA = samples.stream().filter(s -> s.answer().equals("A")).count();
    long shortAnswers = samples.stream().filter(s -> s.type().format() == AnswerFormat.SHORT_ANSWER).count();

    AccuracyReport report = VqaEvaluator.evaluate(samples, s -> s.type().format() == AnswerFormat.MULTIPLE_CHOICE ? "A" : "Yes.");

    assertEquals(new AccuracyReport.Tally((int) shortAnswers, (int) yes), report.shortAnswer());
    assertEquals(new AccuracyReport.Tally(samples.size() - (int) shortAnswers, (int) letterA), report.multipleChoice());
    Map<String, Integer> perTypeN = new TreeMap<>();
    samples.forEach(s -> perTypeN.merge(s.type().id(), 1, Integer::sum));
    assertEquals(perTypeN.keySet(), report.perType().keySet());
    assertEquals((int) yes, report.perType().get("yes_no").correct());
    assertEquals(0, report.perType().get("color").correct());
    assertEquals(20, report.mistakes().size());
  }

  @Test
  void reportJsonHasTheAgreedShape() throws IOException {
    List<QuestionSample> two = List.of(
        new QuestionSample("r#0", dir.resolve("x.png"), "How many?\n" + SceneQuestions.SHORT_ANSWER_SUFFIX, "2",
            QuestionType.COUNT, 0),
        new QuestionSample("r#1", dir.resolve("x.png"), "Color?\nA. red\nB. blue\n" + SceneQuestions.MULTIPLE_CHOICE_SUFFIX,
            "B", QuestionType.MC_COLOR, 2));
    AccuracyReport report = VqaEvaluator.evaluate(two, s -> s.type() == QuestionType.COUNT ? "two" : "(A) red");
    JsonNode json = new ObjectMapper().readTree(report.toJson());
    assertEquals(1, json.get("short_answer").get("n").asInt());
    assertEquals(1, json.get("short_answer").get("correct").asInt());
    assertEquals(1.0, json.get("short_answer").get("accuracy").asDouble());
    assertEquals(0.0, json.get("multiple_choice").get("accuracy").asDouble());
    assertEquals(0.5, json.get("overall").get("accuracy").asDouble());
    assertEquals(1, json.get("per_type").get("count").get("correct").asInt());
    assertEquals(0, json.get("per_type").get("mc_color").get("correct").asInt());
    assertEquals("(A) red", json.get("mistakes").get(0).get("predicted").asText());
    assertEquals("B", json.get("mistakes").get(0).get("expected").asText());
  }

  private static String spelled(String answer) {
    return switch (answer) {
      case "0" -> "zero";
      case "1" -> "one";
      case "2" -> "two";
      case "3" -> "three";
      case "4" -> "four";
      default -> answer.substring(0, 1).toUpperCase() + answer.substring(1);
    };
  }
}
