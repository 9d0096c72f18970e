package dev.llava.trainer.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.llava.model.train.TrainingSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The file {@code bin/llava train --spec-json FILE} reads in a Kubernetes training pod: a {@link TrainingSpec} as
 * one JSON object whose keys are the record's component names ({@code "stage": "STAGE1_ALIGN",
 * "learningRate": 0.001, "dataPath": "/models/data/train.json", ...}), paths as plain strings, unset (null)
 * components left out. Every default is already filled in, so the pod runs exactly the spec GetJob shows.
 */
public final class TrainingSpecJson {
  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new SimpleModule("paths-as-strings")
          .addSerializer(Path.class, ToStringSerializer.instance)
          .addDeserializer(Path.class, new JsonDeserializer<>() {
            @Override
            public Path deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
              return Path.of(p.getValueAsString());
            }
          }))
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private TrainingSpecJson() {}

  public static String write(TrainingSpec spec) {
    try {
      return JSON.writeValueAsString(spec);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the training spec as JSON", e);
    }
  }

  public static TrainingSpec read(String json) {
    try {
      return JSON.readValue(json, TrainingSpec.class);
    } catch (IOException e) {
      throw new UncheckedIOException("not a training spec JSON: " + e.getMessage(), e);
    }
  }
}
