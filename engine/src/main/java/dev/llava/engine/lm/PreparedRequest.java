package dev.llava.engine.lm;

import dev.llava.model.generate.SamplingParams;
import dev.llava.model.image.ImageLayout;
import java.util.List;

/**
 * A validated generation request, still free of native memory: everything the scheduler thread needs to build
 * the {@code Sequence} when it admits it (projecting features and embedding the prompt are DJL work and happen
 * there, so a waiting request costs only heap).
 *
 * @param promptIds the rendered, tokenized prompt with every image expanded to its image tokens
 * @param imageTokens how many of {@code promptIds} are image tokens
 * @param imageFeatures every image's pre-projector tiles concatenated in prompt order,
 *     {@code [sum of tiles, patchesPerTile, visionWidth]} row-major; null without images
 * @param layouts one per image, in prompt order
 * @param kvTokens KV-cache tokens the sequence may need: min(context, prompt + max_new_tokens)
 * @param startNanos {@link System#nanoTime()} when the request arrived (TTFT and total time count from here)
 */
public record PreparedRequest(String id, long[] promptIds, int imageTokens, float[] imageFeatures,
    List<ImageLayout> layouts, SamplingParams params, int kvTokens, long startNanos) {

  public PreparedRequest {
    layouts = List.copyOf(layouts);
    if (layouts.isEmpty() != (imageFeatures == null)) {
      throw new IllegalArgumentException("image features and layouts must come together: " + layouts.size()
          + " layouts, features " + (imageFeatures == null ? "absent" : "present"));
    }
  }
}
