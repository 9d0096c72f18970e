package dev.llava.model.checkpoint;

import dev.llava.model.io.SafetensorsDtype;
import dev.llava.model.io.SafetensorsReader;
import dev.llava.model.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.UnaryOperator;

/**
 * Rewrites a fixture checkpoint into a temp directory with changes (dtype, key names, values,
 * dropped or reshaped tensors) to test the loader against checkpoints HF would also produce.
 */
public final class CheckpointCopy {
  /** Per-tensor change: return null to drop the tensor. */
  public interface Edit {
    Tensor apply(Tensor t);
  }

  public record Tensor(String key, long[] shape, float[] values) {}

  private CheckpointCopy() {}

  public static void write(Path from, Path to, SafetensorsDtype dtype, Edit edit, UnaryOperator<String> configEdit)
      throws IOException {
    Files.createDirectories(to);
    SafetensorsWriter writer = new SafetensorsWriter();
    try (SafetensorsReader reader = SafetensorsReader.open(from)) {
      for (String key : reader.keys()) {
        Tensor t = edit.apply(new Tensor(key, reader.info(key).shape(), reader.readFloats(key)));
        if (t != null) writer.add(t.key(), t.values(), t.shape(), dtype);
      }
    }
    writer.write(to.resolve(SafetensorsReader.SINGLE_FILE));
    String config = Files.readString(from.resolve("config.json"));
    Files.writeString(to.resolve("config.json"), configEdit.apply(config));
    for (String extra : new String[] {"generation_config.json"}) {
      if (Files.exists(from.resolve(extra))) {
        Files.copy(from.resolve(extra), to.resolve(extra), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** Classic hub key -> transformers >= 4.52 key. */
  public static String modelPrefixed(String classic) {
    if (classic.equals("language_model.lm_head.weight")) return "lm_head.weight";
    if (classic.startsWith("language_model.model.")) return "model.language_model." + classic.substring("language_model.model.".length());
    return "model." + classic;
  }
}
