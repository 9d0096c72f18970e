package dev.llava.engine.lm;

import dev.llava.model.generate.SamplingParams;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.model.text.ChatMessage;
import dev.llava.model.text.ChatTemplate;
import dev.llava.model.text.ContentPart;
import dev.llava.proto.v1.EncodedImage;
import dev.llava.proto.v1.EncodedMessage;
import dev.llava.proto.v1.EncodedPart;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GenerateRequest} to {@link PreparedRequest} on the caller's thread, without DJL tensors: checks the
 * model and revision, renders the chat template (or takes the raw prompt), tokenizes with every image expanded
 * to its tokens, validates and decodes the image tensors, maps sampling. Every problem a client can cause is an
 * {@link IllegalArgumentException} naming what arrived and what was expected.
 */
final class RequestPreparer {
  private final LlavaRuntime runtime;
  private final LmEngineConfig config;
  private final ImageFeatureReader images;
  private final SamplingMapper sampling;
  private final AtomicLong ids = new AtomicLong();

  /** A rendered prompt: token ids and the layouts of its images, in order. */
  record Prompt(long[] ids, List<ImageLayout> layouts, List<EncodedImage> images) {
    int imageTokens() {
      return layouts.stream().mapToInt(ImageLayout::imageTokens).sum();
    }
  }

  RequestPreparer(LlavaRuntime runtime, LmEngineConfig config) {
    this.runtime = runtime;
    this.config = config;
    this.images = new ImageFeatureReader(runtime);
    this.sampling = new SamplingMapper(config);
  }

  PreparedRequest prepare(GenerateRequest request, long startNanos) {
    Prompt prompt = prompt(request);
    float[] features = null;
    if (!prompt.images().isEmpty()) {
      List<float[]> perImage = new ArrayList<>();
      int total = 0;
      for (int i = 0; i < prompt.images().size(); i++) {
        float[] f = images.features(i, prompt.images().get(i), prompt.layouts().get(i));
        perImage.add(f);
        total += f.length;
      }
      features = concat(perImage, total);
    }
    SamplingParams params = sampling.map(request.getSampling(), request.getStopping(), runtime.stopTokenIds());
    int kvTokens = Math.min(runtime.maxContext(), prompt.ids().length + params.maxNewTokens());
    String id = request.getRequestId().isEmpty() ? "gen-" + ids.incrementAndGet() : request.getRequestId();
    return new PreparedRequest(id, prompt.ids(), prompt.imageTokens(), features, prompt.layouts(), params,
        kvTokens, startNanos);
  }

  /** The prompt alone: model checks, template, tokens, layouts (image tensors shape-checked when present, not decoded). */
  Prompt prompt(GenerateRequest request) {
    checkModel(request.getModel());
    if (request.getMessagesCount() == 0) {
      throw new IllegalArgumentException("messages must hold at least one message, got none");
    }
    List<EncodedImage> encoded = new ArrayList<>();
    List<ChatMessage> messages = new ArrayList<>();
    for (int m = 0; m < request.getMessagesCount(); m++) {
      EncodedMessage message = request.getMessages(m);
      List<ContentPart> parts = new ArrayList<>();
      for (EncodedPart part : message.getPartsList()) {
        switch (part.getPartCase()) {
          case TEXT -> parts.add(ContentPart.text(part.getText()));
          case IMAGE -> {
            encoded.add(part.getImage());
            parts.add(ContentPart.image());
          }
          default -> throw new IllegalArgumentException("message " + m + " has an empty part (expected text or image)");
        }
      }
      messages.add(new ChatMessage(role(m, message.getRole()), parts));
    }
    List<ImageLayout> layouts = new ArrayList<>();
    for (int i = 0; i < encoded.size(); i++) {
      ImageLayout layout = images.layout(i, encoded.get(i));
      if (encoded.get(i).hasFeatures()) { // CountTokens may send layouts alone; Generate requires features
        images.checkShape(i, encoded.get(i), layout);
      }
      layouts.add(layout);
    }
    String text = request.getRawPrompt() ? rawPrompt(messages) : template(request.getTemplate()).prompt(messages);
    long[] ids = runtime.promptIds(text, layouts);
    if (ids.length >= runtime.maxContext()) {
      int imageTokens = layouts.stream().mapToInt(ImageLayout::imageTokens).sum();
      throw new IllegalArgumentException("prompt has " + ids.length + " tokens (" + imageTokens + " of them image "
          + "tokens), the model's context is " + runtime.maxContext() + " (at least one must remain for the answer)");
    }
    return new Prompt(ids, List.copyOf(layouts), List.copyOf(encoded));
  }

  private void checkModel(ModelRef model) {
    if (model.getName().isEmpty()) {
      throw new IllegalArgumentException("model.name is required; this server serves '" + config.modelName() + "'");
    }
    if (!model.getName().equals(config.modelName())) {
      throw new UnknownModelException("model '" + model.getName() + "' is not served here; this server serves '"
          + config.modelName() + "'");
    }
    if (!model.getRevision().isEmpty() && !model.getRevision().equals(runtime.revision())) {
      throw new RevisionMismatchException("model '" + model.getName() + "' revision '" + model.getRevision()
          + "' was requested (images encoded by it), but this server has revision '" + runtime.revision()
          + "' loaded");
    }
  }

  /** The request's template, else the checkpoint's own, else the configured default. */
  private ChatTemplate template(String name) {
    if (!name.isEmpty()) {
      return ChatTemplate.named(name);
    }
    return runtime.checkpointTemplate().orElseGet(() -> ChatTemplate.named(config.defaultTemplate()));
  }

  /** raw_prompt: one user message whose text is the prompt verbatim; its image parts bind to "<image>" markers. */
  private static String rawPrompt(List<ChatMessage> messages) {
    if (messages.size() != 1 || !messages.get(0).role().equals("user")) {
      throw new IllegalArgumentException("raw_prompt needs exactly one USER message, got " + messages.size()
          + " message(s)" + (messages.isEmpty() ? "" : " starting with role " + messages.get(0).role()));
    }
    return messages.get(0).text();
  }

  private static String role(int index, Role role) {
    return switch (role) {
      case SYSTEM -> "system";
      case USER -> "user";
      case ASSISTANT -> "assistant";
      default -> throw new IllegalArgumentException("message " + index + " has role " + role
          + "; expected SYSTEM, USER or ASSISTANT");
    };
  }

  private static float[] concat(List<float[]> parts, int total) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    float[] out = new float[total];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
