package dev.llava.loadtest;

import dev.llava.model.data.SceneRenderer;
import dev.llava.model.data.SceneSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A reproducible request mix: shape-scene images of varied sizes and aspect ratios (so AnyRes picks different
 * grids), a fraction of them repeats of earlier images (feature-cache hits), and short questions the demo model
 * answers.
 */
public final class Workload {
  private static final String[] QUESTIONS = {
      "What color is the circle? Answer the question using a single word or phrase.",
      "How many objects are there? Answer the question using a single word or phrase.",
      "What shape is on the left? Answer the question using a single word or phrase.",
      "Describe the image in detail.",
  };

  private Workload() {}

  /**
   * @param cachedFraction share of requests that resend one of a small set of earlier images
   */
  public static List<RequestSpec> generate(int requests, double cachedFraction, int maxTokens, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<byte[]> seen = new ArrayList<>();
    List<RequestSpec> out = new ArrayList<>(requests);
    for (int i = 0; i < requests; i++) {
      boolean cached = !seen.isEmpty() && random.nextDouble() < cachedFraction;
      byte[] image;
      if (cached) {
        image = seen.get(random.nextInt(Math.min(seen.size(), 4))); // a small hot set
      } else {
        image = png(SceneRenderer.render(SceneSampler.sample(random.split())));
        seen.add(image);
      }
      out.add(new RequestSpec(i, image, cached, QUESTIONS[random.nextInt(QUESTIONS.length)], maxTokens));
    }
    return out;
  }

  private static byte[] png(java.awt.image.BufferedImage image) {
    try {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      javax.imageio.ImageIO.write(image, "png", bytes);
      return bytes.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
