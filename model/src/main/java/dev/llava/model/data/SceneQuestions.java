package dev.llava.model.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Writes questions about a {@link Scene} and their answers, computed from the scene record. A
 * question is only asked when its answer is unambiguous: "What color is the circle?" needs exactly
 * one circle, "Where is the red object?" exactly one red object. Prompts follow LLaVA-1.5's
 * instruction formats (short-answer and multiple-choice suffixes, "Describe the image in detail.").
 */
public final class SceneQuestions {
  public static final String SHORT_ANSWER_SUFFIX = "Answer the question using a single word or phrase.";
  public static final String MULTIPLE_CHOICE_SUFFIX = "Answer with the option's letter from the given choices directly.";
  public static final String DESCRIBE_PROMPT = "Describe the image in detail.";
  public static final String OPTION_LETTERS = "ABCD";

  private static final String[] NUMBER_WORDS = {"zero", "one", "two", "three", "four"};
  // reading order for captions and descriptions, so equal scenes get equal text
  private static final List<Region> READING_ORDER =
      List.of(Region.TOP, Region.LEFT, Region.CENTER, Region.RIGHT, Region.BOTTOM);

  private SceneQuestions() {}

  /**
   * A multi-turn conversation of {@code turns} distinct pairs: mostly short-answer questions, some
   * multiple-choice, at most one detailed description.
   */
  public static List<QaPair> conversation(Scene scene, int turns, RandomGenerator random) {
    List<QaPair> pairs = new ArrayList<>(turns);
    boolean described = false;
    for (int attempt = 0; pairs.size() < turns && attempt < turns * 10; attempt++) {
      double pick = random.nextDouble();
      Optional<QaPair> pair;
      if (pick < 0.07 && !described) {
        pair = Optional.of(description(scene));
        described = true;
      } else if (pick < 0.27) {
        pair = multipleChoice(scene, random);
      } else {
        pair = shortAnswer(scene, random);
      }
      if (pair.isPresent() && pairs.stream().noneMatch(p -> p.question().equals(pair.get().question()))) {
        pairs.add(pair.get());
      }
    }
    return pairs;
  }

  /** One short-answer question of a random type that this scene can answer. */
  public static Optional<QaPair> shortAnswer(Scene scene, RandomGenerator random) {
    return switch (random.nextInt(5)) {
      case 0 -> color(scene, random).map(q -> q.shortAnswer(QuestionType.COLOR));
      case 1 -> shape(scene, random).map(q -> q.shortAnswer(QuestionType.SHAPE));
      case 2 -> Optional.of(count(scene, random).shortAnswer(QuestionType.COUNT));
      case 3 -> position(scene, random).map(q -> q.shortAnswer(QuestionType.POSITION));
      default -> Optional.of(yesNo(scene, random).shortAnswer(QuestionType.YES_NO));
    };
  }

  /** One multiple-choice question with three or four lettered options. */
  public static Optional<QaPair> multipleChoice(Scene scene, RandomGenerator random) {
    return switch (random.nextInt(4)) {
      case 0 -> color(scene, random).map(q -> q.choices(QuestionType.MC_COLOR, words(ShapeColor.values()), random));
      case 1 -> shape(scene, random).map(q -> q.choices(QuestionType.MC_SHAPE, words(ShapeKind.values()), random));
      case 2 -> Optional.of(count(scene, random).choices(QuestionType.MC_COUNT,
          List.of("0", "1", "2", "3", "4"), random));
      default -> position(scene, random).map(q -> q.choices(QuestionType.MC_POSITION, words(Region.values()), random));
    };
  }

  /** "There are two objects. A red circle at the top and a blue square on the right." */
  public static QaPair description(Scene scene) {
    int n = scene.objects().size();
    String count = n == 1 ? "There is one object. " : "There are " + NUMBER_WORDS[n] + " objects. ";
    return new QaPair(DESCRIBE_PROMPT, count + capitalize(objectList(scene)) + ".", QuestionType.DESCRIPTION);
  }

  /** Stage-1 caption: "A red circle on the left and a blue square at the top." */
  public static String caption(Scene scene) {
    return capitalize(objectList(scene)) + ".";
  }

  private static String objectList(Scene scene) {
    List<String> parts = scene.objects().stream()
        .sorted(Comparator.comparingInt(o -> READING_ORDER.indexOf(o.region())))
        .map(o -> "a " + o.noun() + " " + o.region().phrase())
        .toList();
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
  }

  // ---- question kinds: each returns the bare question and its one-word answer ----

  private record Bare(String question, String answer) {
    QaPair shortAnswer(QuestionType type) {
      return new QaPair(question + "\n" + SHORT_ANSWER_SUFFIX, answer, type);
    }

    QaPair choices(QuestionType type, List<String> vocabulary, RandomGenerator random) {
      List<String> distractors = new ArrayList<>(vocabulary);
      distractors.remove(answer);
      shuffle(distractors, random);
      int optionCount = Math.min(vocabulary.size(), random.nextDouble() < 0.5 ? 3 : 4);
      List<String> options = new ArrayList<>(distractors.subList(0, optionCount - 1));
      options.add(answer);
      shuffle(options, random);
      StringBuilder text = new StringBuilder(question);
      for (int i = 0; i < options.size(); i++) {
        text.append('\n').append(OPTION_LETTERS.charAt(i)).append(". ").append(options.get(i));
      }
      text.append('\n').append(MULTIPLE_CHOICE_SUFFIX);
      return new QaPair(text.toString(), String.valueOf(OPTION_LETTERS.charAt(options.indexOf(answer))), type);
    }
  }

  private static Optional<Bare> color(Scene scene, RandomGenerator random) {
    List<Supplier<Bare>> asks = new ArrayList<>();
    for (ShapeKind shape : ShapeKind.values()) {
      scene.unique(shape).ifPresent(o -> asks.add(() -> new Bare(
          pick(random, "What color is the " + shape.word() + "?", "What is the color of the " + shape.word() + "?"),
          o.color().word())));
    }
    for (SceneObject o : scene.objects()) {
      asks.add(() -> new Bare("What color is the object " + o.region().phrase() + "?", o.color().word()));
    }
    return any(asks, random);
  }

  private static Optional<Bare> shape(Scene scene, RandomGenerator random) {
    List<Supplier<Bare>> asks = new ArrayList<>();
    for (ShapeColor color : ShapeColor.values()) {
      scene.unique(color).ifPresent(o -> asks.add(() -> new Bare(
          pick(random, "What shape is the " + color.word() + " object?", "Which shape is " + color.word() + "?"),
          o.shape().word())));
    }
    for (SceneObject o : scene.objects()) {
      asks.add(() -> new Bare("What shape is " + o.region().phrase() + "?", o.shape().word()));
    }
    return any(asks, random);
  }

  private static Bare count(Scene scene, RandomGenerator random) {
    return switch (random.nextInt(3)) {
      case 0 -> new Bare(pick(random, "How many objects are there?", "How many shapes are in the image?"),
          Integer.toString(scene.objects().size()));
      case 1 -> {
        ShapeKind shape = ShapeKind.values()[random.nextInt(ShapeKind.values().length)];
        yield new Bare("How many " + shape.plural() + " are there?", Long.toString(scene.count(shape)));
      }
      default -> {
        ShapeColor color = ShapeColor.values()[random.nextInt(ShapeColor.values().length)];
        yield new Bare("How many " + color.word() + " objects are there?", Long.toString(scene.count(color)));
      }
    };
  }

  private static Optional<Bare> position(Scene scene, RandomGenerator random) {
    List<Supplier<Bare>> asks = new ArrayList<>();
    for (SceneObject o : scene.objects()) {
      scene.unique(o.shape()).ifPresent(u -> asks.add(() -> new Bare(
          pick(random, "Where is the " + u.shape().word() + "?", "Where is the " + u.shape().word() + " located?"),
          u.region().word())));
      scene.unique(o.color()).ifPresent(u -> asks.add(() -> new Bare(
          "Where is the " + u.color().word() + " object?", u.region().word())));
      scene.unique(o.color(), o.shape()).ifPresent(u -> asks.add(() -> new Bare(
          "Where is the " + u.noun() + "?", u.region().word())));
    }
    return any(asks, random);
  }

  // yes and no are equally likely; "no" asks about a colour/shape combination that is absent
  private static Bare yesNo(Scene scene, RandomGenerator random) {
    boolean wantYes = random.nextBoolean();
    List<Bare> candidates = new ArrayList<>();
    int form = random.nextInt(5); // 0..2 colour and shape, 3 shape only, 4 colour only
    for (ShapeColor color : ShapeColor.values()) {
      for (ShapeKind shape : ShapeKind.values()) {
        boolean present = form <= 2 ? scene.count(color, shape) > 0
            : form == 3 ? scene.count(shape) > 0 : scene.count(color) > 0;
        String question = form <= 2 ? "Is there a " + color.word() + " " + shape.word() + "?"
            : form == 3 ? "Is there a " + shape.word() + "?" : "Is there a " + color.word() + " object?";
        if (present == wantYes && candidates.stream().noneMatch(c -> c.question().equals(question))) {
          candidates.add(new Bare(question, present ? "yes" : "no"));
        }
      }
    }
    if (candidates.isEmpty()) {
      // e.g. "no" wanted for shape-only while all three shapes are present: ask about the first object
      SceneObject o = scene.objects().get(0);
      return new Bare("Is there a " + o.noun() + "?", "yes");
    }
    return candidates.get(random.nextInt(candidates.size()));
  }

  private static Optional<Bare> any(List<Supplier<Bare>> asks, RandomGenerator random) {
    return asks.isEmpty() ? Optional.empty() : Optional.of(asks.get(random.nextInt(asks.size())).get());
  }

  private static String pick(RandomGenerator random, String first, String second) {
    return random.nextBoolean() ? first : second;
  }

  private static List<String> words(ShapeColor[] values) {
    return Arrays.stream(values).map(ShapeColor::word).toList();
  }

  private static List<String> words(ShapeKind[] values) {
    return Arrays.stream(values).map(ShapeKind::word).toList();
  }

  private static List<String> words(Region[] values) {
    return Arrays.stream(values).map(Region::word).toList();
  }

  private static String capitalize(String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  private static <T> void shuffle(List<T> items, RandomGenerator random) {
    for (int i = items.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      items.set(i, items.set(j, items.get(i)));
    }
  }
}
