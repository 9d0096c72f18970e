package dev.llava.model.train;

import dev.llava.model.data.LlavaRecord;
import dev.llava.model.data.Turn;
import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.ImageHeader;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.image.LlavaImageProcessor;
import dev.llava.model.text.ChatMessage;
import dev.llava.model.text.ChatTemplate;
import dev.llava.model.text.LlavaTokenizer;
import dev.llava.model.text.PromptBuilder;
import dev.llava.model.text.RenderedChat;
import dev.llava.model.text.TrainingTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * LLaVA conversation records to training samples, as LLaVA's {@code preprocess_multimodal} + {@code preprocess}
 * do: the {@code <image>} marker moves to the front of its turn, the conversation is rendered with the template
 * (assistant answers plus their closing separator are the trained spans), tokenized with every image expanded
 * to its feature count (from the image size alone, via the model's processor), and labels are masked elsewhere.
 *
 * <p>Too-long samples: if everything up to the end of the image tokens and at least one trained token fit in
 * {@code maxLength}, the sample is cut at {@code maxLength}; otherwise it is skipped. Neither is fatal.
 */
public final class SampleEncoder {

  /** What became of one record. */
  public sealed interface Outcome permits Encoded, Skipped {}

  /** A usable sample; {@code truncated} when it was cut to the maximum length. */
  public record Encoded(EncodedSample sample, boolean truncated) implements Outcome {}

  /** A record that cannot be trained on, and why (one line). */
  public record Skipped(String id, String reason) implements Outcome {}

  private final LlavaTokenizer tokenizer;
  private final PromptBuilder prompts;
  private final ChatTemplate template;
  private final LlavaImageProcessor processor;
  private final int maxLength;
  private final ImageDecoder decoder = new ImageDecoder();

  public SampleEncoder(LlavaTokenizer tokenizer, ChatTemplate template, LlavaImageProcessor processor,
      int maxLength) {
    this.tokenizer = tokenizer;
    this.prompts = new PromptBuilder(tokenizer);
    this.template = template;
    this.processor = processor;
    this.maxLength = maxLength;
  }

  /** @param image the record's image file, or null for a text-only record */
  public Outcome encode(LlavaRecord record, Path image) {
    ImageLayout layout = null;
    if (image != null) {
      try {
        ImageHeader header = decoder.probe(Files.readAllBytes(image));
        layout = processor.layout(header.height(), header.width());
      } catch (IOException | RuntimeException e) {
        return new Skipped(record.id(), "unreadable image " + image + ": " + e.getMessage());
      }
    }
    TrainingTokens tokens;
    try {
      RenderedChat chat = template.renderForTraining(messages(record));
      tokens = prompts.buildTraining(chat, layout == null ? new int[0] : new int[] {layout.imageTokens()});
    } catch (RuntimeException e) {
      return new Skipped(record.id(), "cannot render with template " + template.name() + ": " + e.getMessage());
    }
    long[] ids = tokens.inputIds();
    boolean[] trainable = tokens.trainable();
    boolean truncated = false;
    if (ids.length > maxLength) {
      int lastImage = -1;
      for (int i = 0; i < ids.length; i++) if (ids[i] == imageTokenId()) lastImage = i;
      ids = Arrays.copyOf(ids, maxLength);
      trainable = Arrays.copyOf(trainable, maxLength);
      truncated = true;
      if (lastImage >= maxLength) {
        return new Skipped(record.id(), "too long: " + tokens.inputIds().length + " tokens, the image tokens alone"
            + " end at " + (lastImage + 1) + " > max_length " + maxLength);
      }
    }
    EncodedSample sample = new EncodedSample(record.id(), ids, trainable, layout == null ? null : image, layout);
    if (sample.targetCount() == 0) {
      return new Skipped(record.id(), truncated
          ? "too long: " + tokens.inputIds().length + " tokens, no answer token within max_length " + maxLength
          : "no assistant tokens to train on");
    }
    return new Encoded(sample, truncated);
  }

  private long imageTokenId() {
    return tokenizer.requireImage().id();
  }

  /** Record turns as chat messages; the image marker becomes an image slot at the front of its turn. */
  static List<ChatMessage> messages(LlavaRecord record) {
    List<ChatMessage> out = new ArrayList<>();
    for (Turn t : record.conversations()) {
      if (t.from() == Turn.Role.GPT) {
        out.add(ChatMessage.assistant(t.value()));
      } else if (t.value().contains(LlavaRecord.IMAGE_MARKER)) {
        out.add(ChatMessage.userWithImages(1, LlavaRecord.withoutImageMarker(t.value())));
      } else {
        out.add(ChatMessage.user(t.value()));
      }
    }
    return out;
  }
}
