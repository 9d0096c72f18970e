package dev.llava.orchestrator.pipeline;

import com.google.protobuf.ByteString;
import dev.llava.orchestrator.images.ImageResolver;
import dev.llava.orchestrator.routing.BackendClient;
import dev.llava.proto.v1.ChatMessage;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.EncodeRequest;
import dev.llava.proto.v1.EncodeResponse;
import dev.llava.proto.v1.EncodedImage;
import dev.llava.proto.v1.ImageInput;
import dev.llava.proto.v1.ModelRef;
import io.grpc.Deadline;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Resolves and encodes a request's images, each image independently and all in parallel: fetch/decode in
 * the orchestrator, then one VisionEncoder.Encode call per image. The first failure cancels the rest.
 */
final class ImagePhase {
  private final ImageResolver resolver;
  private final BackendClient backends;
  private final Executor executor;
  private final List<CompletableFuture<?>> running = new ArrayList<>();

  ImagePhase(ImageResolver resolver, BackendClient backends, Executor executor) {
    this.resolver = resolver;
    this.backends = backends;
    this.executor = executor;
  }

  private record OneImage(EncodeResponse response, double fetchMs, double encodeMs) {}

  CompletableFuture<EncodedImages> run(ChatRequest request, ModelRef model, Deadline deadline) {
    List<CompletableFuture<OneImage>> perImage = new ArrayList<>();
    int index = 0;
    for (int m = 0; m < request.getMessagesCount(); m++) {
      ChatMessage message = request.getMessages(m);
      for (int p = 0; p < message.getPartsCount(); p++) {
        if (!message.getParts(p).hasImage()) {
          continue;
        }
        index++;
        String what = "image " + index + " (messages[" + m + "].parts[" + p + "])";
        perImage.add(one(message.getParts(p).getImage(), what, model, deadline));
      }
    }
    if (perImage.isEmpty()) {
      return CompletableFuture.completedFuture(EncodedImages.NONE);
    }
    synchronized (running) {
      running.addAll(perImage);
    }
    CompletableFuture<EncodedImages> all = new CompletableFuture<>();
    for (CompletableFuture<OneImage> f : perImage) {
      f.whenComplete((r, t) -> {
        if (t != null && all.completeExceptionally(ChatException.from(t))) {
          cancel();
        }
      });
    }
    CompletableFuture.allOf(perImage.toArray(CompletableFuture[]::new)).thenRun(() -> {
      List<EncodedImage> images = new ArrayList<>();
      double fetch = 0, encodeWall = 0, decode = 0, preprocess = 0, encode = 0;
      for (CompletableFuture<OneImage> f : perImage) {
        OneImage one = f.join();
        images.add(one.response().getImages(0));
        fetch = Math.max(fetch, one.fetchMs());
        encodeWall = Math.max(encodeWall, one.encodeMs());
        decode += one.response().getDecodeMs();
        preprocess += one.response().getPreprocessMs();
        encode += one.response().getEncodeMs();
      }
      all.complete(new EncodedImages(images, fetch, encodeWall, decode, preprocess, encode));
    });
    return all;
  }

  private CompletableFuture<OneImage> one(ImageInput input, String what, ModelRef model, Deadline deadline) {
    return CompletableFuture.supplyAsync(() -> {
      long t0 = System.nanoTime();
      ImageResolver.ResolvedImage resolved = resolver.resolve(input, what);
      return new Object[] {resolved, (System.nanoTime() - t0) / 1e6};
    }, executor).thenCompose(pair -> {
      ImageResolver.ResolvedImage resolved = (ImageResolver.ResolvedImage) pair[0];
      double fetchMs = (double) pair[1];
      long t1 = System.nanoTime();
      EncodeRequest encode = EncodeRequest.newBuilder().setModel(model)
          .addImages(ImageInput.newBuilder().setData(ByteString.copyFrom(resolved.bytes()))).build();
      CompletableFuture<EncodeResponse> call = backends.encode(encode, deadline);
      synchronized (running) {
        running.add(call);
      }
      return call.thenApply(response -> {
        if (response.getImagesCount() != 1) {
          throw new ChatException(Status.Code.INTERNAL, "vision-encoder returned " + response.getImagesCount()
              + " encoded images for " + what + ", expected 1");
        }
        return new OneImage(response, fetchMs, (System.nanoTime() - t1) / 1e6);
      });
    });
  }

  /** Cancels every fetch and Encode call still running. */
  void cancel() {
    synchronized (running) {
      running.forEach(f -> f.cancel(true));
    }
  }
}
