package dev.llava.engine.lm;

import dev.llava.proto.v1.GenerateResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Collects one Generate stream on the client side. */
class StreamResult implements StreamObserver<GenerateResponse> {
  final List<GenerateResponse> chunks = new ArrayList<>();
  final CompletableFuture<Status> done = new CompletableFuture<>();
  final CompletableFuture<Void> firstChunk = new CompletableFuture<>();

  @Override
  public synchronized void onNext(GenerateResponse r) {
    chunks.add(r);
    firstChunk.complete(null);
  }

  @Override
  public void onError(Throwable t) {
    done.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    done.complete(Status.OK);
  }

  Status await() throws Exception {
    return done.get(60, TimeUnit.SECONDS);
  }

  synchronized String text() {
    StringBuilder b = new StringBuilder();
    chunks.forEach(c -> b.append(c.getText()));
    return b.toString();
  }

  synchronized long[] tokenIds() {
    return chunks.stream().flatMap(c -> c.getTokenIdsList().stream()).mapToLong(Long::longValue).toArray();
  }

  synchronized GenerateResponse last() {
    return chunks.get(chunks.size() - 1);
  }
}
