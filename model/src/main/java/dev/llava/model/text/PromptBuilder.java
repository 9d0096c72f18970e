package dev.llava.model.text;

import java.util.List;

/**
 * Token ids of a prompt with every {@code <image>} expanded to as many image tokens as the image
 * has features (576 for LLaVA-1.5, size-dependent for LLaVA-NeXT; the caller passes one count per
 * image, in prompt order).
 *
 * <p>transformers' processors expand the text ({@code "<image>" -> "<image>" * N}) and tokenise
 * the result. Because {@code <image>} is an added special token, the tokenizer splits the text
 * around it and each copy becomes exactly one id with nothing between copies, so tokenising the
 * unexpanded prompt and splicing N ids in place gives the same ids without tokenising thousands of
 * placeholders ({@link #build} vs {@link #buildByExpandingText}; tests check they agree).
 *
 * <p>Special tokens follow {@link LlavaTokenizer#encodePrompt}: BOS is added unless the prompt
 * already starts with it (a chat template that writes {@code {{ bos_token }}}).
 */
public final class PromptBuilder {
  private final LlavaTokenizer tokenizer;
  private final SpecialToken image;

  public PromptBuilder(LlavaTokenizer tokenizer) {
    this.tokenizer = tokenizer;
    this.image = tokenizer.requireImage();
  }

  /** Ids of {@code prompt} with image {@code i}'s placeholder expanded to {@code imageTokens[i]} ids. */
  public long[] build(String prompt, int[] imageTokens) {
    checkCounts(prompt, imageTokens);
    return splice(tokenizer.encodePrompt(prompt), imageTokens);
  }

  /** The processor's way: expand the text first, then tokenise it all. Same ids as {@link #build}. */
  public long[] buildByExpandingText(String prompt, int[] imageTokens) {
    checkCounts(prompt, imageTokens);
    return tokenizer.encodePrompt(expandText(prompt, imageTokens));
  }

  /** {@code prompt} with the i-th placeholder repeated {@code imageTokens[i]} times. */
  public String expandText(String prompt, int[] imageTokens) {
    checkCounts(prompt, imageTokens);
    String marker = image.content();
    StringBuilder b = new StringBuilder(prompt.length() + marker.length() * sum(imageTokens));
    int from = 0;
    for (int count : imageTokens) {
      int at = prompt.indexOf(marker, from);
      b.append(prompt, from, at).append(marker.repeat(count));
      from = at + marker.length();
    }
    return b.append(prompt.substring(from)).toString();
  }

  /**
   * Ids and loss mask of a rendered conversation: tokens overlapping an assistant span are
   * trainable (transformers' assistant mask rule, which also catches a {@code "▁A"} token that
   * starts on the space before the answer); image tokens never are.
   */
  public TrainingTokens buildTraining(RenderedChat chat, int[] imageTokens) {
    String text = chat.text();
    checkCounts(text, imageTokens);
    boolean startsWithBos = tokenizer.bos().map(b -> text.startsWith(b.content())).orElse(false);
    EncodedText encoded = tokenizer.encodeWithOffsets(text, !startsWithBos);
    boolean[] trainable = new boolean[encoded.size()];
    List<TextSpan> spans = chat.assistantSpans();
    for (int t = 0; t < trainable.length; t++) {
      int start = encoded.starts()[t];
      if (start < 0 || encoded.ids()[t] == image.id()) {
        continue;
      }
      for (TextSpan s : spans) {
        if (s.overlaps(start, encoded.ends()[t])) {
          trainable[t] = true;
          break;
        }
      }
    }
    long[] ids = splice(encoded.ids(), imageTokens);
    boolean[] mask = new boolean[ids.length];
    int out = 0;
    int img = 0;
    for (int t = 0; t < trainable.length; t++) {
      if (encoded.ids()[t] == image.id()) {
        out += imageTokens[img++];
      } else {
        mask[out++] = trainable[t];
      }
    }
    return new TrainingTokens(ids, mask);
  }

  /** Number of image placeholders in {@code prompt} (non-overlapping occurrences). */
  public int countMarkers(String prompt) {
    String marker = image.content();
    int n = 0;
    for (int at = prompt.indexOf(marker); at >= 0; at = prompt.indexOf(marker, at + marker.length())) {
      n++;
    }
    return n;
  }

  private void checkCounts(String prompt, int[] imageTokens) {
    int markers = countMarkers(prompt);
    if (markers != imageTokens.length) {
      throw new IllegalArgumentException("prompt has " + markers + " '" + image.content() + "' marker(s) but "
          + imageTokens.length + " image(s) were given; each image needs exactly one marker");
    }
    for (int i = 0; i < imageTokens.length; i++) {
      if (imageTokens[i] < 1) {
        throw new IllegalArgumentException("image " + i + " must expand to at least 1 token, got "
            + imageTokens[i]);
      }
    }
  }

  private long[] splice(long[] ids, int[] imageTokens) {
    int found = 0;
    for (long id : ids) {
      if (id == image.id()) {
        found++;
      }
    }
    if (found != imageTokens.length) {
      // Only possible if the tokenizer does not treat the marker as one added token.
      throw new IllegalStateException("tokenised prompt has " + found + " image ids (" + image.id() + ") for "
          + imageTokens.length + " '" + image.content() + "' markers");
    }
    long[] out = new long[ids.length - found + sum(imageTokens)];
    int at = 0;
    int img = 0;
    for (long id : ids) {
      if (id == image.id()) {
        for (int k = 0; k < imageTokens[img]; k++) {
          out[at++] = id;
        }
        img++;
      } else {
        out[at++] = id;
      }
    }
    return out;
  }

  private static int sum(int[] counts) {
    int s = 0;
    for (int c : counts) {
      s = Math.addExact(s, c);
    }
    return s;
  }
}
