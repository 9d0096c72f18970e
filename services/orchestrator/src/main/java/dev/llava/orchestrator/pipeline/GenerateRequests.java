package dev.llava.orchestrator.pipeline;

import dev.llava.proto.v1.ChatMessage;
import dev.llava.proto.v1.ChatPart;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.EncodedMessage;
import dev.llava.proto.v1.EncodedPart;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.ModelRef;
import java.util.Iterator;

/** Builds projector-lm's request: the client's messages with every image replaced by its encoding, in order. */
final class GenerateRequests {
  private GenerateRequests() {}

  static GenerateRequest build(ChatRequest request, String requestId, ModelRef model, EncodedImages encoded) {
    GenerateRequest.Builder out = GenerateRequest.newBuilder()
        .setModel(model)
        .setTemplate(request.getTemplate())
        .setRequestId(requestId);
    if (request.hasSampling()) {
      out.setSampling(request.getSampling());
    }
    if (request.hasStopping()) {
      out.setStopping(request.getStopping());
    }
    Iterator<dev.llava.proto.v1.EncodedImage> images = encoded.images().iterator();
    for (ChatMessage message : request.getMessagesList()) {
      EncodedMessage.Builder m = EncodedMessage.newBuilder().setRole(message.getRole());
      for (ChatPart part : message.getPartsList()) {
        if (part.hasImage()) {
          m.addParts(EncodedPart.newBuilder().setImage(images.next()));
        } else {
          m.addParts(EncodedPart.newBuilder().setText(part.getText()));
        }
      }
      out.addMessages(m);
    }
    return out.build();
  }
}
