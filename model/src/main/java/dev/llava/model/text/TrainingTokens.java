package dev.llava.model.text;

/**
 * A training example's token ids and which positions the loss sees.
 *
 * @param inputIds prompt ids with every image placeholder expanded, {@code [tokens]}
 * @param trainable true where the token belongs to an assistant answer (including the separator
 *     that ends it, e.g. {@code </s>}); false for system/user text, image tokens and BOS,
 *     {@code [tokens]}
 */
public record TrainingTokens(long[] inputIds, boolean[] trainable) {
  /** transformers' ignore index for the cross-entropy loss. */
  public static final long IGNORE_INDEX = -100;

  public TrainingTokens {
    if (inputIds.length != trainable.length) {
      throw new IllegalArgumentException("mask has " + trainable.length + " entries for " + inputIds.length + " ids");
    }
  }

  /** Labels as transformers takes them: the id where trainable, {@link #IGNORE_INDEX} elsewhere (unshifted). */
  public long[] labels() {
    long[] labels = new long[inputIds.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = trainable[i] ? inputIds[i] : IGNORE_INDEX;
    }
    return labels;
  }

  public int trainableCount() {
    int n = 0;
    for (boolean t : trainable) {
      if (t) {
        n++;
      }
    }
    return n;
  }
}
