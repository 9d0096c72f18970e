package dev.llava.engine.bench;

import dev.llava.model.io.SafetensorsDtype;
import dev.llava.model.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a LLaVA-NeXT checkpoint directory with a random CLIP vision tower of a chosen width and depth (real
 * 336/14 geometry, classic key names) for benchmarks. Only the vision part is written: load it with
 * {@code ModelPart.VISION}.
 */
final class RandomClipCheckpoint {
  private RandomClipCheckpoint() {}

  static Path write(Path dir, int hidden, int layers, int heads, int mlp, Path preprocessorConfig) throws IOException {
    Files.createDirectories(dir);
    String config = """
        {"model_type": "llava_next", "image_token_index": 32000, "vision_feature_layer": -2,
         "vision_feature_select_strategy": "default",
         "image_grid_pinpoints": [[336,672],[672,336],[672,672],[1008,336],[336,1008]],
         "text_config": {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 4,
                         "intermediate_size": 128, "vocab_size": 32064},
         "vision_config": {"model_type": "clip_vision_model", "hidden_size": %d, "num_hidden_layers": %d,
                           "num_attention_heads": %d, "intermediate_size": %d, "image_size": 336, "patch_size": 14,
                           "hidden_act": "quick_gelu"}}
        """.formatted(hidden, layers, heads, mlp);
    Files.writeString(dir.resolve("config.json"), config);
    Files.copy(preprocessorConfig, dir.resolve("preprocessor_config.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    SplittableRandom random = new SplittableRandom(7);
    SafetensorsWriter w = new SafetensorsWriter();
    String v = "vision_tower.vision_model.";
    add(w, random, v + "embeddings.class_embedding", hidden);
    add(w, random, v + "embeddings.patch_embedding.weight", hidden, 3, 14, 14);
    add(w, random, v + "embeddings.position_embedding.weight", 577, hidden);
    norm(w, v + "pre_layrnorm", hidden);
    norm(w, v + "post_layernorm", hidden);
    for (int l = 0; l < layers; l++) {
      String p = v + "encoder.layers." + l + ".";
      norm(w, p + "layer_norm1", hidden);
      norm(w, p + "layer_norm2", hidden);
      for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
        add(w, random, p + "self_attn." + proj + ".weight", hidden, hidden);
        add(w, random, p + "self_attn." + proj + ".bias", hidden);
      }
      add(w, random, p + "mlp.fc1.weight", mlp, hidden);
      add(w, random, p + "mlp.fc1.bias", mlp);
      add(w, random, p + "mlp.fc2.weight", hidden, mlp);
      add(w, random, p + "mlp.fc2.bias", hidden);
    }
    w.write(dir.resolve("model.safetensors"));
    return dir;
  }

  private static void add(SafetensorsWriter w, SplittableRandom random, String name, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] values = new float[Math.toIntExact(n)];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * 0.02);
    }
    w.add(name, values, shape, SafetensorsDtype.F32);
  }

  private static void norm(SafetensorsWriter w, String prefix, int hidden) {
    float[] ones = new float[hidden];
    java.util.Arrays.fill(ones, 1f);
    w.add(prefix + ".weight", ones, new long[] {hidden}, SafetensorsDtype.F32);
    w.add(prefix + ".bias", new float[hidden], new long[] {hidden}, SafetensorsDtype.F32);
  }
}
