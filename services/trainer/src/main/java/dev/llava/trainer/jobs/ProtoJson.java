package dev.llava.trainer.jobs;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.List;

/**
 * Protobuf's JSON mapping, as Kafka records and the REST mirror carry it: lowerCamelCase field names, enums by
 * name, every field printed (a step of 0 is shown, not left out). Parsing accepts lowerCamelCase and the proto's
 * snake_case names and rejects unknown fields.
 */
public final class ProtoJson {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private ProtoJson() {}

  public static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getName() + " as JSON", e);
    }
  }

  /** Parses {@code json} into {@code builder}; throws INVALID_ARGUMENT naming the JSON problem. */
  public static <B extends Message.Builder> B parse(String json, B builder) {
    try {
      PARSER.merge(json == null ? "" : json, builder);
      return builder;
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw JobServiceException.invalid(List.of("the body is not a valid "
          + builder.getDescriptorForType().getName() + " in protobuf JSON: " + e.getMessage()));
    }
  }
}
