package dev.llava.engine.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.proto.v1.GenerateRequest;
import dev.llava.proto.v1.ModelRef;
import dev.llava.proto.v1.StoppingCriteria;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests the engine refuses, with the status code and a message naming what was expected. */
class RequestErrorsTest {
  private static InProcessGenerator server;

  @BeforeAll
  static void start() throws Exception {
    server = new InProcessGenerator(LmFixtures.llava15(), LmEngineConfig.defaults(TestPrompts.MODEL));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static Status generate(GenerateRequest request) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> server.blocking().generate(request).forEachRemaining(r -> {}));
    return e.getStatus();
  }

  private static Status count(GenerateRequest request) {
    return assertThrows(StatusRuntimeException.class, () -> server.blocking().countTokens(request)).getStatus();
  }

  private static void assertStatus(Status.Code code, Status status, String... fragments) {
    assertEquals(code, status.getCode(), status.toString());
    for (String f : fragments) {
      assertTrue(status.getDescription().contains(f), "'" + status.getDescription() + "' should mention '" + f + "'");
    }
  }

  @Test
  void anUnknownModelIsNotFound() {
    GenerateRequest r = TestPrompts.request("hi", 3).toBuilder().setModel(ModelRef.newBuilder().setName("other")).build();
    assertStatus(Status.Code.NOT_FOUND, generate(r), "'other'", "'tiny'");
    assertStatus(Status.Code.NOT_FOUND, count(r), "'other'");
  }

  @Test
  void anotherRevisionIsAFailedPreconditionNamingBoth() {
    GenerateRequest r = TestPrompts.request("hi", 3).toBuilder()
        .setModel(ModelRef.newBuilder().setName(TestPrompts.MODEL).setRevision("0123456789abcdef")).build();
    assertStatus(Status.Code.FAILED_PRECONDITION, generate(r), "'0123456789abcdef'",
        "'" + server.engine.revision() + "'");
  }

  @Test
  void theServedRevisionIsAccepted() {
    GenerateRequest r = TestPrompts.request("hi", 2).toBuilder()
        .setModel(ModelRef.newBuilder().setName(TestPrompts.MODEL).setRevision(server.engine.revision())).build();
    java.util.List<dev.llava.proto.v1.GenerateResponse> chunks = new java.util.ArrayList<>();
    server.blocking().generate(r).forEachRemaining(chunks::add);
    assertEquals(2, chunks.get(chunks.size() - 1).getUsage().getCompletionTokens());
  }

  @Test
  void badRequestsAreInvalidArguments() {
    assertStatus(Status.Code.INVALID_ARGUMENT, generate(GenerateRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName(TestPrompts.MODEL)).build()), "at least one message");
    assertStatus(Status.Code.INVALID_ARGUMENT, generate(TestPrompts.request("hi", 3).toBuilder()
        .setModel(ModelRef.newBuilder()).build()), "model.name is required");
    assertStatus(Status.Code.INVALID_ARGUMENT, generate(TestPrompts.request("hi", 3).toBuilder()
        .setStopping(StoppingCriteria.newBuilder().setMaxNewTokens(5000)).build()), "5000", "limit of 2048");
    assertStatus(Status.Code.INVALID_ARGUMENT, generate(TestPrompts.request("hi", 3).toBuilder()
        .setTemplate("klingon").build()), "unknown conversation template 'klingon'");
    assertStatus(Status.Code.INVALID_ARGUMENT, generate(TestPrompts.request("hi", 3).toBuilder()
        .setSampling(dev.llava.proto.v1.SamplingParams.newBuilder().setTopP(1.5f)).build()), "top_p");
    assertStatus(Status.Code.INVALID_ARGUMENT, generate(TestPrompts.request("hi", 3).toBuilder()
        .setMessages(0, TestPrompts.request("hi", 3).getMessages(0).toBuilder()
            .setRole(dev.llava.proto.v1.Role.ROLE_UNSPECIFIED)).build()), "ROLE_UNSPECIFIED", "USER");
    // a raw prompt with an <image> marker but no image
    assertStatus(Status.Code.INVALID_ARGUMENT, generate(TestPrompts.request("<image>\nUSER: hi ASSISTANT:",
        java.util.List.of(), 3, true, dev.llava.proto.v1.DType.FLOAT32)), "marker");
    // a prompt longer than the 4096-token context
    assertStatus(Status.Code.INVALID_ARGUMENT, generate(TestPrompts.request("word ".repeat(5000), 3)),
        "context is 4096");
  }
}
