package dev.llava.loadtest;

import com.google.protobuf.ByteString;
import dev.llava.proto.v1.ChatGrpc;
import dev.llava.proto.v1.ChatMessage;
import dev.llava.proto.v1.ChatPart;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.ChatResponse;
import dev.llava.proto.v1.ImageInput;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.Role;
import dev.llava.proto.v1.StoppingCriteria;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/** The public gRPC API: {@code Chat.Complete}, server streaming. */
public final class GrpcChatTarget implements ChatTarget {
  private final ManagedChannel channel;
  private final ChatGrpc.ChatBlockingStub stub;
  private final String model;
  private final String address;

  public GrpcChatTarget(String host, int port, String model, String apiKey) {
    this.address = host + ":" + port;
    this.channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
    ChatGrpc.ChatBlockingStub s = ChatGrpc.newBlockingStub(channel);
    if (apiKey != null && !apiKey.isEmpty()) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + apiKey);
      s = s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    this.stub = s;
    this.model = model;
  }

  @Override
  public RequestResult send(RequestSpec spec, long dueNanos) {
    ChatMessage.Builder message = ChatMessage.newBuilder().setRole(Role.USER);
    if (spec.image() != null) {
      message.addParts(ChatPart.newBuilder().setImage(ImageInput.newBuilder().setData(ByteString.copyFrom(spec.image()))));
    }
    message.addParts(ChatPart.newBuilder().setText(spec.question()));
    ChatRequest request = ChatRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName(model == null ? "" : model))
        .addMessages(message)
        .setStopping(StoppingCriteria.newBuilder().setMaxNewTokens(spec.maxTokens()))
        .setRequestId("loadtest-" + spec.index())
        .build();
    TokenTimer timer = new TokenTimer(dueNanos);
    try {
      Iterator<ChatResponse> stream = stub.withDeadlineAfter(10, TimeUnit.MINUTES).complete(request);
      while (stream.hasNext()) {
        ChatResponse chunk = stream.next();
        timer.onChunk(chunk.getText(), chunk.getText().isEmpty() ? 0 : 1);
        if (chunk.hasUsage()) {
          timer.tokens = chunk.getUsage().getCompletionTokens();
        }
        if (chunk.hasTimings()) {
          timer.stages = ServerStages.of(chunk.getTimings());
        }
      }
      return timer.finish(spec, "OK");
    } catch (StatusRuntimeException e) {
      return timer.finish(spec, e.getStatus().getCode().name());
    }
  }

  @Override
  public String describe() {
    return "grpc://" + address;
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
