package dev.llava.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.llava.model.Fixtures;
import dev.llava.model.checkpoint.CheckpointLoader;
import dev.llava.model.checkpoint.LlavaWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Autograd's gradient of the training loss against central finite differences, per tensor, along the gradient's
 * own direction: {@code (L(w + e*g/|g|) - L(w - e*g/|g|)) / 2e} must equal {@code |g|}. A gradient that is
 * missing a path (detached image features, a packing step done on host arrays), scaled, or of another function
 * fails here, while "some gradient arrives" tests still pass. Checked on the LLaVA-NeXT fixture (AnyRes tiles,
 * image_newline) for every part: CLIP from the patch embedding up, the projector, the decoder and lm_head.
 */
class GradientCheckTest {
  private static final Set<String> CHECKED = Set.of("vision.patch_embedding", "vision.position_embedding",
      "vision.layers.0.qkv.weight", "vision.layers.0.fc1.weight", "projector.linear_1.weight", "image_newline",
      "projector.linear_2.weight", "text.embed_tokens", "text.layers.0.qkv.weight", "text.layers.0.gate_up.weight",
      "text.norm", "text.lm_head");

  @Test
  void autogradMatchesFiniteDifferencesInEveryPart() throws IOException {
    Path dir = Fixtures.llavaNext();
    try (NDManager root = NDManager.newBaseManager();
        LlavaWeights weights = CheckpointLoader.load(dir, root);
        TrainingForward forward = new TrainingForward(weights, root)) {
      TrainingBatch batch = TrainingForwardTest.lastTokensTrained(dir, 6);
      List<TrainableParameters.Parameter> params = TrainableParameters.of(weights).all().stream()
          .filter(p -> CHECKED.contains(p.name())).toList();
      assertTrue(params.size() == CHECKED.size(), "checked tensors found: " + params.size());
      params.forEach(p -> p.array().setRequiresGradient(true));
      List<String> failures = new ArrayList<>();
      try (NDManager m = root.newSubManager()) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(forward.lossSum(batch, m));
        }
        for (TrainableParameters.Parameter p : params) {
          NDArray g = p.array().getGradient().duplicate();
          g.attach(m);
          AdamW.zeroGradient(p.array());
          double norm = Math.sqrt(g.square().sum().getFloat());
          NDArray direction = g.div(norm);
          double eps = 1e-2;
          p.array().addi(direction.mul(eps));
          double plus = loss(forward, batch, m);
          p.array().subi(direction.mul(2 * eps));
          double minus = loss(forward, batch, m);
          p.array().addi(direction.mul(eps));
          double numeric = (plus - minus) / (2 * eps);
          double relative = Math.abs(numeric - norm) / Math.max(norm, 1e-6);
          System.out.printf("%-32s |g| %.5g  finite difference %.5g  relative error %.2g%n", p.name(), norm,
              numeric, relative);
          if (!(norm > 0) || relative > 0.05) failures.add(p.name() + " |g|=" + norm + " fd=" + numeric);
        }
      } finally {
        params.forEach(p -> p.array().setRequiresGradient(false));
      }
      assertTrue(failures.isEmpty(), "autograd disagrees with finite differences: " + failures);
    }
  }

  private static double loss(TrainingForward forward, TrainingBatch batch, NDManager parent) {
    try (NDManager m = parent.newSubManager()) {
      return forward.lossSum(batch, m).getFloat();
    }
  }
}
