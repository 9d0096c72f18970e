package dev.llava.model.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;

/**
 * Writes the synthetic "coloured shapes" dataset a tiny LLaVA can learn in minutes:
 *
 * <pre>
 * outDir/
 *   images/train_000000.png ...   train split images
 *   images/test_000000.png ...    held-out split images (never in train.json or captions.json)
 *   captions.json                 stage 1: {"<image>\n" -> "A red circle on the left."} per train image
 *   train.json                    stage 2: multi-turn VQA / multiple choice / description per train
 *                                 image, plus a few text-only records
 *   test.json                     held-out stage-2 records, same format
 *   dataset_info.json             seed, counts, question types
 * </pre>
 *
 * <p>Every record is standard LLaVA data ({@code id}, {@code image}, {@code conversations}) plus a
 * {@code meta} object: {@code types} holds the {@link QuestionType#id()} of each gpt answer in order,
 * {@code scene} the objects (see {@link SceneJson}).
 *
 * <p>Deterministic: image {@code i} of a split draws everything from its own generator seeded by
 * (seed, split, i), so the output is byte-identical for a seed whatever the thread count.
 */
public final class ShapesDatasetGenerator {
  public static final int DEFAULT_TRAIN_IMAGES = 2000;
  public static final int DEFAULT_TEST_IMAGES = 200;
  public static final String IMAGES_DIR = "images";
  public static final String TRAIN_JSON = "train.json";
  public static final String TEST_JSON = "test.json";
  public static final String CAPTIONS_JSON = "captions.json";
  public static final String INFO_JSON = "dataset_info.json";

  /**
   * @param trainImages images in the train split (each gives one train.json and one captions.json record)
   * @param testImages images in the held-out split
   * @param seed everything derives from it
   * @param minTurns fewest question/answer pairs per conversation (1 gives single-turn data)
   * @param maxTurns most question/answer pairs per conversation
   * @param textOnlyEvery one text-only record after every this many train records (0: none)
   * @param threads image render/encode threads
   */
  public record Config(int trainImages, int testImages, long seed, int minTurns, int maxTurns, int textOnlyEvery,
      int threads) {
    public Config {
      if (trainImages < 1 || testImages < 1) {
        throw new IllegalArgumentException("need at least one train and one test image, got train=" + trainImages
            + " test=" + testImages);
      }
      if (minTurns < 1 || maxTurns < minTurns) {
        throw new IllegalArgumentException("turns per conversation must satisfy 1 <= min <= max, got min="
            + minTurns + " max=" + maxTurns);
      }
    }

    /** Demo sizes: 2000 train / 200 test images, 3-5 turns, 2% text-only, all cores. */
    public static Config defaults(long seed) {
      return new Config(DEFAULT_TRAIN_IMAGES, DEFAULT_TEST_IMAGES, seed, 3, 5, 50,
          Runtime.getRuntime().availableProcessors());
    }

    /** This configuration with other split sizes. */
    public Config withImages(int train, int test) {
      return new Config(train, test, seed, minTurns, maxTurns, textOnlyEvery, threads);
    }
  }

  private enum Split {
    TRAIN(0x7452L),
    TEST(0x7E57L);

    final long salt;

    Split(long salt) {
      this.salt = salt;
    }

    String prefix() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private record Sample(String name, Scene scene, List<QaPair> pairs) {}

  private ShapesDatasetGenerator() {}

  /**
   * {@code java ... ShapesDatasetGenerator <outDir> [trainImages=2000] [seed=0]}: writes the dataset
   * (test split = trainImages / 10) and prints the summary, including the wall time.
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: ShapesDatasetGenerator <outDir> [trainImages=" + DEFAULT_TRAIN_IMAGES + "] [seed=0]");
      System.exit(2);
    }
    int count = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_TRAIN_IMAGES;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 0;
    System.out.println(generate(Path.of(args[0]), count, seed).toJson());
  }

  /** {@code count} train images and {@code max(1, count / 10)} test images, other settings as {@link Config#defaults}. */
  public static GenerationSummary generate(Path outDir, int count, long seed) throws IOException {
    return generate(outDir, Config.defaults(seed).withImages(count, Math.max(1, count / 10)));
  }

  public static GenerationSummary generate(Path outDir, Config config) throws IOException {
    long start = System.nanoTime();
    Files.createDirectories(outDir.resolve(IMAGES_DIR));
    Map<String, Integer> byType = new TreeMap<>();
    List<Sample> train;
    List<Sample> test;
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, config.threads()));
    try {
      train = renderSplit(outDir, Split.TRAIN, config.trainImages(), config, pool);
      test = renderSplit(outDir, Split.TEST, config.testImages(), config, pool);
    } finally {
      pool.shutdownNow();
    }

    int textOnly = 0;
    SplittableRandom textRandom = new SplittableRandom(mix(config.seed(), 0x7E77L, 0));
    try (LlavaJsonWriter out = LlavaJsonWriter.open(outDir.resolve(TRAIN_JSON))) {
      for (int i = 0; i < train.size(); i++) {
        out.write(imageRecord(train.get(i), byType));
        if (config.textOnlyEvery() > 0 && (i + 1) % config.textOnlyEvery() == 0) {
          out.write(textOnlyRecord(textOnly++, textRandom, byType));
        }
      }
    }
    try (LlavaJsonWriter out = LlavaJsonWriter.open(outDir.resolve(TEST_JSON))) {
      for (Sample sample : test) {
        out.write(imageRecord(sample, byType));
      }
    }
    try (LlavaJsonWriter out = LlavaJsonWriter.open(outDir.resolve(CAPTIONS_JSON))) {
      for (Sample sample : train) {
        out.write(captionRecord(sample));
      }
    }
    writeInfo(outDir, config, textOnly, byType);
    return new GenerationSummary(outDir, outDir.resolve(TRAIN_JSON), outDir.resolve(TEST_JSON),
        outDir.resolve(CAPTIONS_JSON), train.size(), test.size(), textOnly, byType,
        (System.nanoTime() - start) / 1_000_000);
  }

  // scenes and questions are drawn inside each task from the image's own generator, so thread
  // scheduling cannot change any output
  private static List<Sample> renderSplit(Path outDir, Split split, int count, Config config, ExecutorService pool)
      throws IOException {
    List<Future<Sample>> futures = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int index = i;
      futures.add(pool.submit(() -> {
        RandomGenerator random = new SplittableRandom(mix(config.seed(), split.salt, index));
        Scene scene = SceneSampler.sample(random);
        int turns = random.nextInt(config.minTurns(), config.maxTurns() + 1);
        List<QaPair> pairs = SceneQuestions.conversation(scene, turns, random);
        String name = String.format("%s_%06d", split.prefix(), index);
        BufferedImage image = SceneRenderer.render(scene);
        PngEncoder.write(image, outDir.resolve(IMAGES_DIR).resolve(name + ".png"));
        return new Sample(name, scene, pairs);
      }));
    }
    List<Sample> samples = new ArrayList<>(count);
    for (Future<Sample> future : futures) {
      samples.add(join(future));
    }
    return samples;
  }

  private static LlavaRecord imageRecord(Sample sample, Map<String, Integer> byType) {
    List<Turn> turns = new ArrayList<>();
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    ArrayNode types = meta.putArray("types");
    for (QaPair pair : sample.pairs()) {
      // LLaVA-1.5 puts the image marker at the start of the first human turn only
      turns.add(Turn.human(turns.isEmpty() ? LlavaRecord.IMAGE_MARKER + "\n" + pair.question() : pair.question()));
      turns.add(Turn.gpt(pair.answer()));
      types.add(pair.type().id());
      byType.merge(pair.type().id(), 1, Integer::sum);
    }
    meta.set("scene", SceneJson.toJson(sample.scene()));
    return new LlavaRecord(sample.name(), imagePath(sample), turns, meta);
  }

  private static LlavaRecord captionRecord(Sample sample) {
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.putArray("types").add(QuestionType.CAPTION.id());
    meta.set("scene", SceneJson.toJson(sample.scene()));
    return new LlavaRecord(sample.name() + "_caption", imagePath(sample),
        List.of(Turn.human(LlavaRecord.IMAGE_MARKER + "\n"), Turn.gpt(SceneQuestions.caption(sample.scene()))),
        meta);
  }

  private static LlavaRecord textOnlyRecord(int index, RandomGenerator random, Map<String, Integer> byType) {
    QaPair pair = TextOnlyQuestions.sample(random);
    ObjectNode meta = JsonNodeFactory.instance.objectNode();
    meta.putArray("types").add(pair.type().id());
    byType.merge(pair.type().id(), 1, Integer::sum);
    return new LlavaRecord(String.format("text_%06d", index), null,
        List.of(Turn.human(pair.question()), Turn.gpt(pair.answer())), meta);
  }

  private static String imagePath(Sample sample) {
    return IMAGES_DIR + "/" + sample.name() + ".png";
  }

  private static void writeInfo(Path outDir, Config config, int textOnly, Map<String, Integer> byType)
      throws IOException {
    ObjectNode info = JsonNodeFactory.instance.objectNode();
    info.put("generator", ShapesDatasetGenerator.class.getSimpleName());
    info.put("seed", config.seed());
    info.put("train_images", config.trainImages());
    info.put("test_images", config.testImages());
    info.put("text_only_records", textOnly);
    info.put("image_folder", ".");
    info.put("stage1", CAPTIONS_JSON);
    info.put("stage2", TRAIN_JSON);
    info.put("held_out", TEST_JSON);
    ObjectNode types = info.putObject("question_types");
    byType.forEach(types::put);
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(outDir.resolve(INFO_JSON).toFile(), info);
  }

  private static Sample join(Future<Sample> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating images", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      throw new IllegalStateException("image generation failed", e.getCause());
    }
  }

  // SplittableRandom mixes its seed again, so a cheap odd-multiplier combination is enough here
  static long mix(long seed, long salt, long index) {
    return seed * 0x9E3779B97F4A7C15L + salt * 0xC2B2AE3D27D4EB4FL + index;
  }
}
