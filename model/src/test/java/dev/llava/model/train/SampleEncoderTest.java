package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.llava.model.Fixtures;
import dev.llava.model.checkpoint.CheckpointLoader;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.data.LlavaRecord;
import dev.llava.model.data.Turn;
import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.LlavaImageProcessor;
import dev.llava.model.image.PixelValues;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.model.text.ChatTemplate;
import dev.llava.model.text.LlavaTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which label positions contribute to the loss: only assistant answers and the separator closing each. */
class SampleEncoderTest {
  static final Path DIR = Fixtures.llava15();
  static final Path IMAGE = DIR.resolve("expected/image_0.png");
  static LlavaTokenizer tokenizer;
  static LlavaImageProcessor processor;

  @BeforeAll
  static void load() throws Exception {
    tokenizer = LlavaTokenizer.load(DIR);
    processor = LlavaRuntime.imageProcessor(DIR, LlavaConfig.load(DIR));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  static LlavaRecord twoTurns() {
    return new LlavaRecord("r1", "image_0.png", List.of(Turn.human("What color is it?\n<image>"), Turn.gpt("Red."),
        Turn.human("And the shape?"), Turn.gpt("A circle.")), null);
  }

  static EncodedSample encode(String template, LlavaRecord record, Path image, int maxLength) {
    SampleEncoder.Outcome o = new SampleEncoder(tokenizer, ChatTemplate.named(template), processor, maxLength)
        .encode(record, image);
    return assertInstanceOf(SampleEncoder.Encoded.class, o, () -> o.toString()).sample();
  }

  /** The trained tokens, decoded run by run. */
  static List<String> trainedRuns(EncodedSample s) {
    List<String> runs = new ArrayList<>();
    List<Long> run = new ArrayList<>();
    for (int i = 0; i <= s.length(); i++) {
      if (i < s.length() && s.trainable()[i]) {
        run.add(s.inputIds()[i]);
      } else if (!run.isEmpty()) {
        runs.add(tokenizer.decode(run.stream().mapToLong(Long::longValue).toArray(), false).stripLeading());
        run.clear();
      }
    }
    return runs;
  }

  @Test
  void vicunaTrainsOnAnswersAndTheirClosingSeparatorOnly() {
    EncodedSample s = encode("vicuna_v1", twoTurns(), IMAGE, 4096);
    assertEquals(List.of("Red.</s>", "A circle.</s>"), trainedRuns(s));
    long imageId = tokenizer.requireImage().id();
    int images = 0;
    int lastImage = -1;
    for (int i = 0; i < s.length(); i++) {
      if (s.inputIds()[i] == imageId) {
        images++;
        lastImage = i;
        assertFalse(s.trainable()[i], "image token " + i + " trained");
      }
    }
    assertEquals(s.layout().imageTokens(), images);
    assertEquals(1, s.inputIds()[0], "BOS first");
    assertFalse(s.trainable()[0], "BOS is not trained");
    int firstTrained = 0;
    while (!s.trainable()[firstTrained]) firstTrained++;
    assertTrue(firstTrained > lastImage, "nothing before the first answer (system, USER turn, image) is trained");
    long eos = tokenizer.eos().orElseThrow().id();
    long trainedEos = 0;
    for (int i = 0; i < s.length(); i++) if (s.trainable()[i] && s.inputIds()[i] == eos) trainedEos++;
    assertEquals(2, trainedEos, "one </s> per answer");
  }

  @Test
  void plainTemplateTrainsOnTheCaptionAndNewline() {
    LlavaRecord caption = new LlavaRecord("c1", "image_0.png",
        List.of(Turn.human("<image>\n"), Turn.gpt("A red circle on the left.")), null);
    EncodedSample s = encode("plain", caption, IMAGE, 4096);
    assertEquals(List.of("A red circle on the left.\n"), trainedRuns(s));
    assertEquals(1 + s.layout().imageTokens() + s.trainable().length - 1 - s.layout().imageTokens(), s.length());
  }

  /** The loss sums -log p over exactly the shifted trainable positions of the full logits. */
  @Test
  void lossCountsExactlyTheTrainablePositions() throws Exception {
    EncodedSample s = encode("vicuna_v1", twoTurns(), IMAGE, 4096);
    PixelValues px = processor.process(new ImageDecoder().decode(IMAGE)).pixels();
    TrainingBatch batch = new TrainingBatch(List.of(s), Arrays.asList(px));
    try (NDManager root = NDManager.newBaseManager(); LlavaWeights w = CheckpointLoader.load(DIR, root);
        TrainingForward f = new TrainingForward(w, root); NDManager m = root.newSubManager()) {
      double loss = f.lossSum(batch, m).getFloat();
      NDArray logProbs = f.logits(batch, m).logSoftmax(-1);
      float[] lp = logProbs.toFloatArray();
      int vocab = (int) logProbs.getShape().get(2);
      double manual = 0;
      int counted = 0;
      for (int p = 0; p + 1 < s.length(); p++) {
        if (s.trainable()[p + 1]) {
          manual -= lp[p * vocab + (int) s.inputIds()[p + 1]];
          counted++;
        }
      }
      int trainable = 0;
      for (boolean t : s.trainable()) if (t) trainable++;
      assertEquals(trainable, counted);
      assertEquals(trainable, s.targetCount());
      assertEquals(manual, loss, 1e-3 * Math.abs(manual));
    }
  }

  @Test
  void tooLongSamplesAreCutWhenAnAnswerFitsAndSkippedOtherwise() {
    EncodedSample full = encode("vicuna_v1", twoTurns(), IMAGE, 4096);
    int firstTrained = 0;
    while (!full.trainable()[firstTrained]) firstTrained++;
    EncodedSample cut = encode("vicuna_v1", twoTurns(), IMAGE, firstTrained + 2);
    assertEquals(firstTrained + 2, cut.length());
    assertTrue(cut.targetCount() > 0);

    SampleEncoder tight = new SampleEncoder(tokenizer, ChatTemplate.named("vicuna_v1"), processor, 100);
    SampleEncoder.Outcome o = tight.encode(twoTurns(), IMAGE);
    SampleEncoder.Skipped skipped = assertInstanceOf(SampleEncoder.Skipped.class, o);
    assertTrue(skipped.reason().startsWith("too long"), skipped.reason());

    SampleEncoder.Outcome noAnswer = new SampleEncoder(tokenizer, ChatTemplate.named("vicuna_v1"), processor,
        firstTrained).encode(twoTurns(), IMAGE);
    assertInstanceOf(SampleEncoder.Skipped.class, noAnswer);

    SampleEncoder.Outcome missing = tight.encode(twoTurns(), DIR.resolve("no-such.png"));
    assertTrue(((SampleEncoder.Skipped) missing).reason().startsWith("unreadable image"));
  }

  @Test
  void turnRotationTrainsEachAnswerOnceStraightAfterTheImage(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("train.json");
    java.nio.file.Files.writeString(json, "[{\"id\": \"r1\", \"image\": \"image_0.png\", \"conversations\": ["
        + "{\"from\": \"human\", \"value\": \"What color is it?\\n<image>\"}, {\"from\": \"gpt\", \"value\": \"Red.\"},"
        + "{\"from\": \"human\", \"value\": \"And the shape?\"}, {\"from\": \"gpt\", \"value\": \"A circle.\"}]},"
        + "{\"id\": \"t1\", \"conversations\": [{\"from\": \"human\", \"value\": \"Hi\"},"
        + " {\"from\": \"gpt\", \"value\": \"Hello.\"}]}]");
    dev.llava.model.data.LlavaConversationDataset dataset = dev.llava.model.data.LlavaConversationDataset.load(json,
        DIR.resolve("expected"), dev.llava.model.data.LlavaConversationDataset.Options.defaults());
    SampleEncoder encoder = new SampleEncoder(tokenizer, ChatTemplate.named("vicuna_v1"), processor, 4096);

    TrainingData plain = TrainingData.encode(dataset, false, encoder);
    TrainingData rotated = TrainingData.encode(dataset, true, encoder);

    assertEquals(List.of("r1", "t1"), plain.samples().stream().map(EncodedSample::id).toList());
    assertEquals(List.of("r1", "r1@1", "t1"), rotated.samples().stream().map(EncodedSample::id).toList());
    EncodedSample second = rotated.samples().get(1);
    assertEquals(List.of("A circle.</s>", "Red.</s>"), trainedRuns(second));
    long imageId = tokenizer.requireImage().id();
    int firstImage = -1;
    int firstTrained = -1;
    for (int i = 0; i < second.length(); i++) {
      if (firstImage < 0 && second.inputIds()[i] == imageId) firstImage = i;
      if (firstTrained < 0 && second.trainable()[i]) firstTrained = i;
    }
    assertTrue(firstImage >= 0 && firstImage < firstTrained, "the image comes before the first (rotated) answer");
    assertEquals(java.util.Arrays.stream(plain.samples().get(0).inputIds()).filter(id -> id == imageId).count(),
        java.util.Arrays.stream(second.inputIds()).filter(id -> id == imageId).count(), "the whole image, once");
  }
}
