package dev.llava.orchestrator.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

/** Kafka records carry protobuf messages in protobuf's canonical JSON mapping (compact). */
public final class ProtoJson {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private ProtoJson() {}

  public static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(message.getDescriptorForType().getName() + " is not printable as JSON", e);
    }
  }

  /** Strict: unknown fields are an error (a typo should land in the dead-letter topic, not be ignored). */
  public static <B extends Message.Builder> B parse(String json, B builder) throws InvalidProtocolBufferException {
    PARSER.merge(json, builder);
    return builder;
  }
}
