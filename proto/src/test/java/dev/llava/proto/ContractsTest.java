package dev.llava.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.util.JsonFormat;
import dev.llava.proto.v1.ChatProto;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.ChatGrpc;
import dev.llava.proto.v1.GeneratorGrpc;
import dev.llava.proto.v1.GeneratorProto;
import dev.llava.proto.v1.ImageInput;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.TrainingGrpc;
import dev.llava.proto.v1.TrainingProto;
import dev.llava.proto.v1.VisionEncoderGrpc;
import dev.llava.proto.v1.VisionEncoderProto;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ContractsTest {

  private static final List<FileDescriptor> FILES = List.of(
      ChatProto.getDescriptor(), GeneratorProto.getDescriptor(),
      VisionEncoderProto.getDescriptor(), TrainingProto.getDescriptor());

  @Test
  void theFourServicesExposeTheirRpcs() {
    assertEquals(Set.of("Encode"), methods(VisionEncoderGrpc.getServiceDescriptor()));
    assertEquals(Set.of("Generate", "CountTokens"), methods(GeneratorGrpc.getServiceDescriptor()));
    assertEquals(Set.of("Complete", "ListModels", "CountTokens"), methods(ChatGrpc.getServiceDescriptor()));
    assertEquals(Set.of("SubmitJob", "GetJob", "ListJobs", "CancelJob", "WatchJob"),
        methods(TrainingGrpc.getServiceDescriptor()));
  }

  @Test
  void everyEnumStartsWithUnspecifiedZero() {
    for (FileDescriptor file : FILES) {
      for (FileDescriptor f : withDependencies(file)) {
        List<EnumDescriptor> enums = new java.util.ArrayList<>(f.getEnumTypes());
        f.getMessageTypes().forEach(m -> enums.addAll(m.getEnumTypes()));
        for (EnumDescriptor e : enums) {
          assertTrue(e.getValues().get(0).getName().endsWith("_UNSPECIFIED"),
              e.getFullName() + " must start with *_UNSPECIFIED = 0");
          assertEquals(0, e.getValues().get(0).getNumber());
        }
      }
    }
  }

  @Test
  void chatRequestRoundTripsThroughTheKafkaJsonMapping() throws Exception {
    ChatRequest request = ChatRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("llava-demo"))
        .setRequestId("r-1")
        .addMessages(dev.llava.proto.v1.ChatMessage.newBuilder()
            .setRole(dev.llava.proto.v1.Role.USER)
            .addParts(dev.llava.proto.v1.ChatPart.newBuilder().setText("What colour?"))
            .addParts(dev.llava.proto.v1.ChatPart.newBuilder()
                .setImage(ImageInput.newBuilder().setData(ByteString.copyFrom(new byte[] {1, 2, 3})))))
        .build();
    String json = JsonFormat.printer().print(request);
    assertTrue(json.contains("\"requestId\": \"r-1\""), json);
    ChatRequest.Builder parsed = ChatRequest.newBuilder();
    JsonFormat.parser().merge(json, parsed);
    assertEquals(request, parsed.build());
  }

  private static Set<String> methods(io.grpc.ServiceDescriptor service) {
    return service.getMethods().stream()
        .map(m -> m.getBareMethodName())
        .collect(Collectors.toSet());
  }

  private static List<FileDescriptor> withDependencies(FileDescriptor file) {
    List<FileDescriptor> all = new java.util.ArrayList<>(file.getDependencies());
    all.add(file);
    return all;
  }
}
