package dev.llava.engine.lm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.model.io.SafetensorsDtype;
import dev.llava.model.io.SafetensorsReader;
import dev.llava.model.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * A random LLaVA-1.5 checkpoint with the decoder shape of {@code shared/BENCHMARKS.md} (Llama, hidden 1024,
 * 8 layers, 16 heads, MLP 2816, vocab 32064; ~170M parameters, 0.68 GB fp32) for benchmarks: the tiny fixtures
 * are too small for batching to matter. The tiny fixture's CLIP tower and image processor are kept (projector
 * 48 -> 1024), the Llama-2 tokenizer fixture (32000 tokens + {@code <image>}=32000, {@code <pad>}=32001) is used.
 */
final class MidSizeCheckpoint {
  static final int HIDDEN = 1024;
  static final int LAYERS = 8;
  static final int HEADS = 16;
  static final int MLP = 2816;
  static final int VOCAB = 32064;

  private MidSizeCheckpoint() {}

  static Path create(Path dir) throws IOException {
    Path tiny = LmFixtures.llava15();
    Path tokenizer = LmFixtures.root().resolve("tokenizers/llama2");
    Files.createDirectories(dir);
    for (String f : new String[] {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
      Files.copy(tokenizer.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.copy(tiny.resolve("preprocessor_config.json"), dir.resolve("preprocessor_config.json"),
        StandardCopyOption.REPLACE_EXISTING);
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(tiny.resolve("config.json").toFile());
    config.put("image_token_index", 32000).put("pad_token_id", 32001).put("vocab_size", VOCAB);
    ObjectNode text = (ObjectNode) config.get("text_config");
    text.put("hidden_size", HIDDEN).put("intermediate_size", MLP).put("num_hidden_layers", LAYERS)
        .put("num_attention_heads", HEADS).put("num_key_value_heads", HEADS).put("head_dim", HIDDEN / HEADS)
        .put("vocab_size", VOCAB);
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);

    SafetensorsWriter w = new SafetensorsWriter();
    SplittableRandom random = new SplittableRandom(42);
    try (SafetensorsReader reader = SafetensorsReader.open(tiny)) {
      for (String key : reader.keys()) {
        if (key.startsWith("vision_tower.")) {
          w.add(key, reader.readFloats(key), reader.info(key).shape(), SafetensorsDtype.F32);
        }
      }
    }
    int vision = config.get("vision_config").get("hidden_size").asInt();
    random(w, random, "multi_modal_projector.linear_1.weight", HIDDEN, vision);
    random(w, random, "multi_modal_projector.linear_1.bias", HIDDEN);
    random(w, random, "multi_modal_projector.linear_2.weight", HIDDEN, HIDDEN);
    random(w, random, "multi_modal_projector.linear_2.bias", HIDDEN);
    String m = "language_model.model.";
    random(w, random, m + "embed_tokens.weight", VOCAB, HIDDEN);
    for (int l = 0; l < LAYERS; l++) {
      String p = m + "layers." + l + ".";
      for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
        random(w, random, p + "self_attn." + proj + ".weight", HIDDEN, HIDDEN);
      }
      random(w, random, p + "mlp.gate_proj.weight", MLP, HIDDEN);
      random(w, random, p + "mlp.up_proj.weight", MLP, HIDDEN);
      random(w, random, p + "mlp.down_proj.weight", HIDDEN, MLP);
      ones(w, p + "input_layernorm.weight", HIDDEN);
      ones(w, p + "post_attention_layernorm.weight", HIDDEN);
    }
    ones(w, m + "norm.weight", HIDDEN);
    random(w, random, "language_model.lm_head.weight", VOCAB, HIDDEN);
    w.write(dir.resolve(SafetensorsReader.SINGLE_FILE));
    return dir;
  }

  /** Uniform with standard deviation 0.02 (HF's initializer_range). */
  private static void random(SafetensorsWriter w, SplittableRandom random, String key, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] v = new float[Math.toIntExact(n)];
    double a = 0.02 * Math.sqrt(3);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextDouble(-a, a);
    }
    w.add(key, v, shape, SafetensorsDtype.F32);
  }

  private static void ones(SafetensorsWriter w, String key, int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, 1f);
    w.add(key, v, new long[] {n}, SafetensorsDtype.F32);
  }
}
