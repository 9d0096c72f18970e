package dev.llava.model.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Held-out accuracy, overall, per answer format and per question type.
 *
 * @param shortAnswer normalized exact match over short-answer questions
 * @param multipleChoice letter match over multiple-choice questions
 * @param perType per {@link QuestionType#id()}, sorted by id
 * @param mistakes the first few wrong answers, for eyeballing
 */
public record AccuracyReport(Tally shortAnswer, Tally multipleChoice, Map<String, Tally> perType,
    List<Mistake> mistakes) {

  /** Correct answers out of n; accuracy is 0 for n == 0. */
  public record Tally(int n, int correct) {
    public double accuracy() {
      return n == 0 ? 0 : (double) correct / n;
    }

    Tally plus(boolean isCorrect) {
      return new Tally(n + 1, correct + (isCorrect ? 1 : 0));
    }
  }

  /** One wrong answer: what was asked, expected and predicted. */
  public record Mistake(String id, String type, String question, String expected, String predicted) {}

  public AccuracyReport {
    perType = Map.copyOf(new TreeMap<>(perType));
    mistakes = List.copyOf(mistakes);
  }

  public Tally overall() {
    return new Tally(shortAnswer.n() + multipleChoice.n(), shortAnswer.correct() + multipleChoice.correct());
  }

  /**
   * {"overall": {"n","correct","accuracy"}, "short_answer": {..}, "multiple_choice": {..},
   * "per_type": {"color": {..}, ...}, "mistakes": [{"id","type","question","expected","predicted"}]}
   */
  public String toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    put(node.putObject("overall"), overall());
    put(node.putObject("short_answer"), shortAnswer);
    put(node.putObject("multiple_choice"), multipleChoice);
    ObjectNode types = node.putObject("per_type");
    new TreeMap<>(perType).forEach((type, tally) -> put(types.putObject(type), tally));
    var list = node.putArray("mistakes");
    for (Mistake m : mistakes) {
      list.addObject().put("id", m.id()).put("type", m.type()).put("question", m.question())
          .put("expected", m.expected()).put("predicted", m.predicted());
    }
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a tree of plain values", e);
    }
  }

  private static void put(ObjectNode node, Tally tally) {
    node.put("n", tally.n());
    node.put("correct", tally.correct());
    node.put("accuracy", tally.accuracy());
  }
}
