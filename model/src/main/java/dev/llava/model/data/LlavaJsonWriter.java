package dev.llava.model.data;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Streams records into a LLaVA conversation file (a JSON array), one record at a time, so files of
 * any size are written in constant memory. Field order follows LLaVA's own files: id, image,
 * conversations, then this project's meta.
 */
public final class LlavaJsonWriter implements Closeable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final JsonGenerator generator;

  private LlavaJsonWriter(JsonGenerator generator) throws IOException {
    this.generator = generator;
    generator.writeStartArray();
  }

  public static LlavaJsonWriter open(Path file) throws IOException {
    JsonGenerator generator = MAPPER.getFactory().createGenerator(file.toFile(), JsonEncoding.UTF8);
    generator.useDefaultPrettyPrinter();
    return new LlavaJsonWriter(generator);
  }

  public void write(LlavaRecord record) throws IOException {
    generator.writeStartObject();
    generator.writeStringField("id", record.id());
    if (record.hasImage()) {
      generator.writeStringField("image", record.image());
    }
    generator.writeArrayFieldStart("conversations");
    for (Turn turn : record.conversations()) {
      generator.writeStartObject();
      generator.writeStringField("from", turn.from().id());
      generator.writeStringField("value", turn.value());
      generator.writeEndObject();
    }
    generator.writeEndArray();
    if (record.meta() != null) {
      generator.writeFieldName("meta");
      MAPPER.writeTree(generator, record.meta());
    }
    generator.writeEndObject();
  }

  @Override
  public void close() throws IOException {
    generator.writeEndArray();
    generator.writeRaw('\n');
    generator.close();
  }
}
