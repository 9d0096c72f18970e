package dev.llava.orchestrator.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.llava.orchestrator.testing.KafkaTestClients;
import dev.llava.orchestrator.testing.TestBackendsResource;
import dev.llava.orchestrator.testing.TestImages;
import dev.llava.proto.v1.ChatMessage;
import dev.llava.proto.v1.ChatPart;
import dev.llava.proto.v1.ChatRequest;
import dev.llava.proto.v1.ChatResponse;
import dev.llava.proto.v1.FinishReason;
import dev.llava.proto.v1.ImageInput;
import dev.llava.proto.v1.Role;
import dev.llava.proto.v1.Usage;
import dev.llava.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The managed worker (enabled in the test profile) on the real KRaft broker: llava.chat.requests in. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(TestBackendsResource.class)
class KafkaChatPipelineTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  static ChatRequest request(String text, byte[]... images) {
    ChatMessage.Builder user = ChatMessage.newBuilder().setRole(Role.USER);
    for (byte[] image : images) {
      user.addParts(ChatPart.newBuilder().setImage(ImageInput.newBuilder().setData(ByteString.copyFrom(image))));
    }
    return ChatRequest.newBuilder().addMessages(user.addParts(ChatPart.newBuilder().setText(text))).build();
  }

  @Test
  void requestsBecomeOneCommittedResponseEachPlusUsage() throws Exception {
    Map<String, String> records = new LinkedHashMap<>();
    records.put("kafka-ok-1", ProtoJson.print(request("first", TestImages.png(16, 8))));
    records.put("kafka-ok-2", ProtoJson.print(request("second")));
    records.put("kafka-ok-3", "{\"messages\":[{\"role\":\"USER\",\"parts\":[{\"text\":\"third\"}]}],"
        + "\"stopping\":{\"maxNewTokens\":2}}");
    KafkaTestClients.produce("llava.chat.requests", records);

    List<ConsumerRecord<String, String>> responses = KafkaTestClients.read("llava.chat.responses", "read_committed",
        KafkaTestClients.hasKeys(records.keySet()), WAIT, Duration.ofMillis(500));
    Map<String, ChatResponse> byKey = new LinkedHashMap<>();
    for (ConsumerRecord<String, String> r : responses) {
      if (records.containsKey(r.key())) {
        assertTrue(byKey.put(r.key(), ProtoJson.parse(r.value(), ChatResponse.newBuilder()).build()) == null,
            "one response per request: " + r.key());
      }
    }
    ChatResponse first = byKey.get("kafka-ok-1");
    assertEquals("kafka-ok-1", first.getRequestId());
    assertEquals("I see 1 image(s) [16x8]. You said: first", first.getText());
    assertEquals(FinishReason.STOP, first.getFinishReason());
    assertEquals(8, first.getUsage().getCompletionTokens());
    assertEquals("llava-demo", first.getModel().getName());
    assertEquals("I see 0 image(s). You said: second", byKey.get("kafka-ok-2").getText());
    assertEquals("I see", byKey.get("kafka-ok-3").getText());
    assertEquals(FinishReason.LENGTH, byKey.get("kafka-ok-3").getFinishReason());

    List<ConsumerRecord<String, String>> usage = KafkaTestClients.read("llava.usage", "read_committed",
        KafkaTestClients.hasKeys(records.keySet()), WAIT, Duration.ZERO);
    ConsumerRecord<String, String> firstUsage = usage.stream().filter(r -> r.key().equals("kafka-ok-1")).findFirst()
        .orElseThrow();
    assertEquals(first.getUsage(), ProtoJson.parse(firstUsage.value(), Usage.newBuilder()).build());
  }

  @Test
  void poisonRecordsGoToTheDeadLetterTopicWithTheReason() throws Exception {
    Map<String, String> records = new LinkedHashMap<>();
    records.put("poison-json", "this is not json");
    records.put("poison-field", "{\"messages\":[],\"temperatur\":1}");
    records.put("poison-empty", "{\"messages\":[]}");
    records.put("poison-model", "{\"model\":{\"name\":\"nope\"},\"messages\":[{\"role\":\"USER\",\"parts\":[{\"text\":\"x\"}]}]}");
    KafkaTestClients.produce("llava.chat.requests", records);

    List<ConsumerRecord<String, String>> dead = KafkaTestClients.read("llava.chat.requests.dlq", "read_committed",
        KafkaTestClients.hasKeys(records.keySet()), WAIT, Duration.ZERO);
    Map<String, ConsumerRecord<String, String>> byKey = new LinkedHashMap<>();
    dead.forEach(r -> byKey.put(r.key(), r));
    assertEquals("this is not json", byKey.get("poison-json").value(), "the original value is kept for replay");
    assertTrue(reason(byKey.get("poison-json")).startsWith("value is not a ChatRequest in protobuf JSON"));
    assertTrue(reason(byKey.get("poison-field")).contains("temperatur"), reason(byKey.get("poison-field")));
    assertEquals("messages must contain at least one message", reason(byKey.get("poison-empty")));
    assertEquals("INVALID_ARGUMENT", header(byKey.get("poison-empty"), ChatRequestWorker.STATUS_HEADER));
    assertEquals("NOT_FOUND", header(byKey.get("poison-model"), ChatRequestWorker.STATUS_HEADER));
    assertTrue(header(byKey.get("poison-json"), ChatRequestWorker.SOURCE_HEADER).startsWith("llava.chat.requests/0/"));

    List<ConsumerRecord<String, String>> responses = KafkaTestClients.read("llava.chat.responses", "read_committed",
        r -> false, Duration.ofSeconds(1), Duration.ZERO);
    assertTrue(responses.stream().noneMatch(r -> records.containsKey(r.key())), "no response for poison");
  }

  static String reason(ConsumerRecord<String, String> r) {
    return header(r, ChatRequestWorker.REASON_HEADER);
  }

  static String header(ConsumerRecord<String, String> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
