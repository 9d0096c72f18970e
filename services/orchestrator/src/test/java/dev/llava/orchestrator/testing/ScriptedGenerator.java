package dev.llava.orchestrator.testing;

import dev.llava.proto.v1.CountTokensResponse;
import dev.llava.proto.v1.EncodedImage;
import dev.llava.proto.v1.EncodedMessage;
import dev.llava.proto.v1.EncodedPart;
import dev.llava.proto.v1.FinishReason;
import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.GenerateResponse;
import dev.llava.proto.v1.GeneratorGrpc;
import dev.llava.proto.v1.Role;
import dev.llava.proto.v1.StageTimings;
import dev.llava.proto.v1.Usage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A test backend, not the real projector-lm: answers a deterministic sentence naming the images it received
 * (with their sizes, so order and layout are checked) and echoing the last user text, one word per chunk,
 * honouring max_new_tokens and stop strings, then a final chunk with usage and fixed timings. Scriptable:
 * failures before the first chunk (shared), a failure after the first chunk, per-chunk delay, and an endless
 * stream that only a cancellation ends.
 */
public final class ScriptedGenerator extends GeneratorGrpc.GeneratorImplBase {
  public static final StageTimings TIMINGS = StageTimings.newBuilder().setQueueMs(1.5).setProjectMs(0.5)
      .setPrefillMs(7.25).setFirstTokenMs(9).setDecodeMs(3).setTotalMs(12).build();

  public final String name;
  private final FailureScript shared;
  public volatile boolean down;
  public volatile boolean endless;
  public volatile long chunkDelayMillis;
  public volatile Status failAfterFirstChunk;
  public final AtomicInteger calls = new AtomicInteger();
  public final AtomicInteger countCalls = new AtomicInteger();
  public final AtomicInteger cancellations = new AtomicInteger();
  public final AtomicReference<GenerateRequest> lastRequest = new AtomicReference<>();

  ScriptedGenerator(String name, FailureScript shared) {
    this.name = name;
    this.shared = shared;
  }

  /** What this backend answers (before max_new_tokens and stop strings). */
  public static String replyFor(List<int[]> imageSizes, String lastUserText) {
    StringBuilder s = new StringBuilder("I see " + imageSizes.size() + " image(s)");
    if (!imageSizes.isEmpty()) {
      List<String> sizes = new ArrayList<>();
      imageSizes.forEach(wh -> sizes.add(wh[0] + "x" + wh[1]));
      s.append(" ").append(sizes);
    }
    return s.append(". You said: ").append(lastUserText).toString();
  }

  public static int promptTokens(GenerateRequest request) {
    int chars = 0;
    int imageTokens = 0;
    for (EncodedMessage m : request.getMessagesList()) {
      for (EncodedPart p : m.getPartsList()) {
        if (p.hasImage()) {
          imageTokens += p.getImage().getLayout().getImageTokens();
        } else {
          chars += p.getText().length();
        }
      }
    }
    return (chars + 3) / 4 + imageTokens;
  }

  @Override
  public void generate(GenerateRequest request, StreamObserver<GenerateResponse> out) {
    calls.incrementAndGet();
    lastRequest.set(request);
    ServerCallStreamObserver<GenerateResponse> server = (ServerCallStreamObserver<GenerateResponse>) out;
    server.setOnCancelHandler(cancellations::incrementAndGet);
    if (down) {
      out.onError(Status.UNAVAILABLE.withDescription(name + " is down (test)").asRuntimeException());
      return;
    }
    Status failure = shared.take();
    if (failure != null) {
      out.onError(failure.withDescription(name + " scripted failure").asRuntimeException());
      return;
    }
    if (endless) {
      long end = System.currentTimeMillis() + 30_000;
      while (!server.isCancelled() && System.currentTimeMillis() < end) {
        out.onNext(GenerateResponse.newBuilder().setText("tick ").build());
        ScriptedVisionEncoder.sleep(50);
      }
      if (!server.isCancelled()) {
        out.onCompleted();
      }
      return;
    }
    List<int[]> sizes = new ArrayList<>();
    String lastUser = "";
    for (EncodedMessage m : request.getMessagesList()) {
      for (EncodedPart p : m.getPartsList()) {
        if (p.hasImage()) {
          EncodedImage image = p.getImage();
          sizes.add(new int[] {image.getLayout().getOriginalWidth(), image.getLayout().getOriginalHeight()});
        } else if (m.getRole() == Role.USER) {
          lastUser = p.getText();
        }
      }
    }
    String text = replyFor(sizes, lastUser);
    FinishReason reason = FinishReason.STOP;
    for (String stop : request.getStopping().getStopList()) {
      int at = text.indexOf(stop);
      if (at >= 0) {
        text = text.substring(0, at);
      }
    }
    String[] words = text.split(" ");
    int max = request.getStopping().getMaxNewTokens();
    int n = words.length;
    if (max > 0 && n > max) {
      n = max;
      reason = FinishReason.LENGTH;
    }
    for (int i = 0; i < n; i++) {
      if (server.isCancelled()) {
        return;
      }
      out.onNext(GenerateResponse.newBuilder().setText(words[i] + (i < n - 1 ? " " : "")).addTokenIds(i).build());
      if (i == 0 && failAfterFirstChunk != null) {
        out.onError(failAfterFirstChunk.withDescription(name + " failed mid-stream (test)").asRuntimeException());
        return;
      }
      ScriptedVisionEncoder.sleep(chunkDelayMillis);
    }
    int prompt = promptTokens(request);
    int imageTokens = request.getMessagesList().stream().flatMap(m -> m.getPartsList().stream())
        .filter(EncodedPart::hasImage).mapToInt(p -> p.getImage().getLayout().getImageTokens()).sum();
    out.onNext(GenerateResponse.newBuilder().setFinishReason(reason)
        .setUsage(Usage.newBuilder().setPromptTokens(prompt).setImageTokens(imageTokens).setCompletionTokens(n)
            .setTotalTokens(prompt + n))
        .setTimings(TIMINGS).build());
    out.onCompleted();
  }

  @Override
  public void countTokens(GenerateRequest request, StreamObserver<CountTokensResponse> out) {
    countCalls.incrementAndGet();
    if (down) {
      out.onError(Status.UNAVAILABLE.withDescription(name + " is down (test)").asRuntimeException());
      return;
    }
    CountTokensResponse.Builder response = CountTokensResponse.newBuilder().setPromptTokens(promptTokens(request));
    request.getMessagesList().stream().flatMap(m -> m.getPartsList().stream()).filter(EncodedPart::hasImage)
        .forEach(p -> response.addImageTokens(p.getImage().getLayout().getImageTokens()));
    out.onNext(response.build());
    out.onCompleted();
  }

  void reset() {
    down = false;
    endless = false;
    chunkDelayMillis = 0;
    failAfterFirstChunk = null;
    calls.set(0);
    countCalls.set(0);
    cancellations.set(0);
    lastRequest.set(null);
  }
}
