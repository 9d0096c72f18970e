package dev.llava.engine.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.generate.FinishReason;
import dev.llava.model.runtime.Generation;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.DType;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GenerateResponse;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Streamed answers over gRPC equal the single-sequence reference path, alone and in a busy batch. */
class GeneratorStreamingTest {

  private static Path fixture(String name) {
    return LmFixtures.root().resolve(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-llava-1.5", "tiny-llava-next"})
  void streamedGreedyAnswerEqualsTheReferenceGenerationTextAndIds(String name) throws Exception {
    Path dir = fixture(name);
    try (LlavaRuntime ref = LlavaRuntime.load(dir);
        InProcessGenerator server = new InProcessGenerator(dir, LmEngineConfig.defaults(TestPrompts.MODEL))) {
      TestPrompts.Image image = TestPrompts.fixtureImage(ref);
      String prompt = "What is shown in this image?";
      Generation.Result want = TestPrompts.reference(ref, prompt, List.of(image), 12, false, DType.FLOAT16);

      StreamResult got = new StreamResult();
      server.async().generate(TestPrompts.request(prompt, List.of(image), 12, false, DType.FLOAT16), got);
      assertEquals(Status.Code.OK, got.await().getCode(), () -> got.done.join().toString());

      assertEquals(want.text(), got.text());
      assertArrayEquals(want.tokenIds(), got.tokenIds());
      assertTrue(got.chunks.size() > 1, "streamed in " + got.chunks.size() + " chunk(s)");
      GenerateResponse last = got.last();
      assertEquals(dev.llava.proto.v1.FinishReason.valueOf(want.finishReason().name()), last.getFinishReason());
      assertEquals(want.promptTokens(), last.getUsage().getPromptTokens());
      assertEquals(image.layout().imageTokens(), last.getUsage().getImageTokens());
      assertEquals(want.tokenIds().length, last.getUsage().getCompletionTokens());
      assertEquals(want.promptTokens() + want.tokenIds().length, last.getUsage().getTotalTokens());
      assertTrue(last.getTimings().getTotalMs() >= last.getTimings().getFirstTokenMs());
      assertTrue(last.getTimings().getProjectMs() > 0, "project time " + last.getTimings());
      assertTrue(last.getTimings().getPrefillMs() > 0, "prefill time " + last.getTimings());

      // CountTokens gives the same prompt size without generating
      CountTokensResponse count = server.blocking().countTokens(
          TestPrompts.request(prompt, List.of(image), 12, false, DType.FLOAT16));
      assertEquals(want.promptTokens(), count.getPromptTokens());
      assertEquals(List.of(image.layout().imageTokens()), count.getImageTokensList());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-llava-1.5", "tiny-llava-next"})
  void sixteenConcurrentStreamsOfDifferentLengthsEachEqualTheirUnbatchedAnswer(String name) throws Exception {
    Path dir = fixture(name);
    // small prefill chunks so prompts take several iterations and overlap with other sequences' decoding
    LmEngineConfig config = LmEngineConfig.defaults(TestPrompts.MODEL).withScheduler(16, 65536, 64, 256);
    try (LlavaRuntime ref = LlavaRuntime.load(dir, EnumSet.of(ModelPart.PROJECTOR, ModelPart.TEXT));
        InProcessGenerator server = new InProcessGenerator(dir, config)) {
      String[] questions = {"Describe the image.", "What color is the sky?", "hello", "Count the objects please",
          "Is there a cat?", "Write a short poem about boats.", "Why?", "List three animals."};
      int[][] sizes = {{336, 336}, {500, 300}, {200, 900}, {640, 480}};
      List<GenerateRequest> requests = new ArrayList<>();
      List<Generation.Result> wants = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String q = questions[i % questions.length] + " (" + i + ")";
        int maxNew = 3 + (i * 7) % 29;
        boolean raw = i % 5 == 4;
        List<TestPrompts.Image> images = new ArrayList<>();
        if (i % 3 == 0) {
          int[] hw = sizes[i % sizes.length];
          images.add(TestPrompts.randomImage(ref, hw[0], hw[1], i));
        }
        if (i == 9) { // two images in one prompt (AnyRes images are ~1.7-2.9k tokens: one fits the 4k context)
          images.add(TestPrompts.randomImage(ref, 300, 700, 100));
          if (!ref.config().isNext()) {
            images.add(TestPrompts.randomImage(ref, 700, 300, 101));
          }
        }
        String prompt = raw ? "<image>\n".repeat(images.size()) + "USER: " + q + " ASSISTANT:" : q;
        DType dtype = i % 2 == 0 ? DType.FLOAT32 : DType.FLOAT16;
        requests.add(TestPrompts.request(prompt, images, maxNew, raw, dtype));
        wants.add(TestPrompts.reference(ref, prompt, images, maxNew, raw, dtype));
      }

      List<StreamResult> results = new ArrayList<>();
      for (GenerateRequest r : requests) {
        StreamResult s = new StreamResult();
        server.async().generate(r, s);
        results.add(s);
      }
      for (int i = 0; i < 16; i++) {
        StreamResult got = results.get(i);
        Generation.Result want = wants.get(i);
        assertEquals(Status.Code.OK, got.await().getCode(), "stream " + i + ": " + got.done.join());
        assertArrayEquals(want.tokenIds(), got.tokenIds(), "stream " + i + " token ids");
        assertEquals(want.text(), got.text(), "stream " + i + " text");
        assertEquals(want.promptTokens(), got.last().getUsage().getPromptTokens(), "stream " + i);
        assertEquals(want.imageTokens(), got.last().getUsage().getImageTokens(), "stream " + i);
        assertEquals(want.finishReason() == FinishReason.LENGTH
            ? dev.llava.proto.v1.FinishReason.LENGTH : dev.llava.proto.v1.FinishReason.STOP,
            got.last().getFinishReason(), "stream " + i);
      }

      ContinuousBatcher b = server.engine.batcher();
      System.out.printf("%s: %d decode steps, %d with batch > 1, largest batch %d%n", name, b.decodeSteps(),
          b.batchedDecodeSteps(), b.largestDecodeBatch());
      assertTrue(b.largestDecodeBatch() > 1, "no decode step batched more than one sequence");
      assertTrue(server.registry.get("llava.lm.batch.size").summary().max() > 1);
      server.awaitIdle(); // every slot and all KV budget released
      double generated = server.registry.get("llava.lm.generation.tokens").counter().count();
      assertEquals(wants.stream().mapToInt(w -> w.tokenIds().length).sum(), (int) generated);
      double prompt = server.registry.get("llava.lm.prompt.tokens").counter().count();
      assertEquals(wants.stream().mapToInt(Generation.Result::promptTokens).sum(), (int) prompt);
      assertEquals(16, server.registry.get("llava.lm.time.to.first.token").timer().count());
    }
  }
}
