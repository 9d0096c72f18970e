package dev.llava.model.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Scores a model on held-out questions the way LLaVA's eval scripts do: short answers by exact
 * match after {@link AnswerNormalizer} (LLaVA's STVQA/TextVQA processor with one gold answer),
 * multiple choice by the letter {@link ChoiceLetterExtractor} finds. Every question is asked on its
 * own as a single-turn prompt, even when the file stores it inside a multi-turn conversation.
 */
public final class VqaEvaluator {
  private static final int MAX_MISTAKES = 20;
  private static final Pattern OPTION_LINE = Pattern.compile("(?m)^[A-Z]\\. ");

  private VqaEvaluator() {}

  /** Scored questions of a held-out file such as {@code test.json}; images resolve against its folder. */
  public static List<QuestionSample> questions(Path json) throws IOException {
    return questions(LlavaConversationDataset.load(json));
  }

  /**
   * One sample per gpt answer whose {@code meta.types} entry is a scored type (short answer or
   * multiple choice). Records without {@code meta.types} (data from elsewhere) are skipped.
   */
  public static List<QuestionSample> questions(LlavaConversationDataset dataset) {
    List<QuestionSample> samples = new ArrayList<>();
    for (LlavaRecord record : dataset.records()) {
      JsonNode types = record.meta() == null ? null : record.meta().get("types");
      if (types == null || !types.isArray() || !record.hasImage()) {
        continue;
      }
      int answers = record.conversations().size() / 2;
      if (types.size() != answers) {
        throw new IllegalArgumentException("record '" + record.id() + "': meta.types has " + types.size()
            + " entries for " + answers + " gpt answers, expected one per answer");
      }
      for (int i = 0; i < answers; i++) {
        QuestionType type = QuestionType.fromId(types.get(i).asText());
        if (!type.scored()) {
          continue;
        }
        String question = LlavaRecord.withoutImageMarker(record.conversations().get(2 * i).value());
        String answer = record.conversations().get(2 * i + 1).value();
        int options = type.format() == AnswerFormat.MULTIPLE_CHOICE ? (int) OPTION_LINE.matcher(question).results().count() : 0;
        samples.add(new QuestionSample(record.id() + "#" + i, dataset.imagePath(record), question, answer, type, options));
      }
    }
    return samples;
  }

  /** Asks {@code model} every question once, in order, and tallies the answers. */
  public static AccuracyReport evaluate(List<QuestionSample> samples, Function<QuestionSample, String> model) {
    AccuracyReport.Tally shortAnswer = new AccuracyReport.Tally(0, 0);
    AccuracyReport.Tally multipleChoice = new AccuracyReport.Tally(0, 0);
    Map<String, AccuracyReport.Tally> perType = new HashMap<>();
    List<AccuracyReport.Mistake> mistakes = new ArrayList<>();
    for (QuestionSample sample : samples) {
      String prediction = model.apply(sample);
      boolean correct = isCorrect(sample, prediction);
      if (sample.type().format() == AnswerFormat.MULTIPLE_CHOICE) {
        multipleChoice = multipleChoice.plus(correct);
      } else {
        shortAnswer = shortAnswer.plus(correct);
      }
      perType.merge(sample.type().id(), new AccuracyReport.Tally(1, correct ? 1 : 0),
          (a, b) -> new AccuracyReport.Tally(a.n() + b.n(), a.correct() + b.correct()));
      if (!correct && mistakes.size() < MAX_MISTAKES) {
        mistakes.add(new AccuracyReport.Mistake(sample.id(), sample.type().id(), sample.question(), sample.answer(),
            prediction));
      }
    }
    return new AccuracyReport(shortAnswer, multipleChoice, perType, mistakes);
  }

  /** Whether one prediction answers one sample; null predictions are wrong. */
  public static boolean isCorrect(QuestionSample sample, String prediction) {
    if (prediction == null) {
      return false;
    }
    return switch (sample.type().format()) {
      case MULTIPLE_CHOICE -> {
        Optional<Character> letter = ChoiceLetterExtractor.extract(prediction, Math.max(1, sample.optionCount()));
        yield letter.isPresent() && sample.answer().strip().equals(String.valueOf(letter.get()));
      }
      case SHORT_ANSWER -> AnswerNormalizer.normalize(prediction).equals(AnswerNormalizer.normalize(sample.answer()));
      case FREE_TEXT -> throw new IllegalArgumentException("question " + sample.id() + " of type "
          + sample.type().id() + " is free text, not scored by exact match");
    };
  }
}
