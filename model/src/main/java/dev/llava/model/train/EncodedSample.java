package dev.llava.model.train;

import dev.llava.model.image.ImageLayout;
import java.nio.file.Path;

/**
 * One training example after templating and tokenization: the ids with each {@code <image>} expanded to its
 * feature count, which positions the loss sees, and (for image samples) where the pixels come from. Pixels are
 * read per batch, not kept here.
 *
 * @param id the record id
 * @param inputIds [tokens]
 * @param trainable [tokens]: true on assistant tokens (answers and the separator that ends them)
 * @param image the image file, or null for a text-only sample
 * @param layout the image's tiles and token count, or null for a text-only sample
 */
public record EncodedSample(String id, long[] inputIds, boolean[] trainable, Path image, ImageLayout layout) {
  public EncodedSample {
    if (inputIds.length != trainable.length) {
      throw new IllegalArgumentException("sample " + id + ": " + inputIds.length + " ids but " + trainable.length
          + " mask entries");
    }
    if ((image == null) != (layout == null)) {
      throw new IllegalArgumentException("sample " + id + ": image and layout must both be set or both be null");
    }
  }

  public boolean hasImage() {
    return image != null;
  }

  public int length() {
    return inputIds.length;
  }

  /** Positions whose next token is trained on (labels shifted by one, as the causal LM loss does). */
  public int targetCount() {
    int n = 0;
    for (int i = 1; i < trainable.length; i++) if (trainable[i]) n++;
    return n;
  }
}
