package dev.llava.model.train;

import static dev.llava.model.checkpoint.LlavaWeights.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.model.checkpoint.CheckpointLoader;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.checkpoint.LlavaWeights.KeyLayout;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.TextConfig;
import dev.llava.model.io.SafetensorsDtype;
import dev.llava.model.io.SafetensorsReader;
import dev.llava.model.io.SafetensorsWriter;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.model.text.TokenizerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes trained {@link LlavaWeights} as a Hugging Face checkpoint directory: {@code model.safetensors} under the
 * classic hub key names with the fused q|k|v and gate|up tensors split back into HF's separate ones, every other
 * tensor of the source checkpoint passed through (CLIP layers past the feature layer, post_layernorm, ...), and the
 * side files ({@code config.json}, tokenizer files, {@code preprocessor_config.json},
 * {@code generation_config.json}, ...) copied from the source or, when it has none, generated.
 *
 * <p>Weights are written as F32 (the precision they were trained in); {@code torch_dtype} in config.json says so.
 * The whole file is built in memory first, so the output directory may be the source directory itself.
 */
public final class CheckpointWriter {
  /** Files copied verbatim from the source checkpoint when present. */
  public static final List<String> COPIED_FILES = List.of("tokenizer.json", "tokenizer_config.json",
      "special_tokens_map.json", "preprocessor_config.json", "generation_config.json", "processor_config.json",
      "chat_template.json", "chat_template.jinja", "tokenizer.model", "added_tokens.json");

  private static final KeyLayout OUT = KeyLayout.CLASSIC;

  private CheckpointWriter() {}

  /**
   * @param weights trained weights (all parts)
   * @param source the checkpoint they were loaded from (side files and pass-through tensors)
   * @param out the directory to write; created if needed
   */
  public static void write(LlavaWeights weights, Path source, Path out) throws IOException {
    if (!weights.parts().equals(ModelPart.all())) {
      throw new IllegalArgumentException("a checkpoint needs every part, the weights hold " + weights.parts());
    }
    LlavaConfig config = weights.config();
    Out w = new Out();
    addVision(w, config, weights.vision());
    addProjector(w, weights.projector(), weights.imageNewline());
    addText(w, config.textConfig(), weights.text());
    passThrough(w, source);

    Files.createDirectories(out);
    Path tmp = out.resolve("model.safetensors.tmp");
    w.writer.write(tmp);
    removeOldWeights(out);
    Files.move(tmp, out.resolve(SafetensorsReader.SINGLE_FILE), StandardCopyOption.REPLACE_EXISTING);
    writeSideFiles(config, source, out);
  }

  private static void addVision(Out w, LlavaConfig config, Vision v) {
    int h = config.visionConfig().hiddenSize();
    put(w, OUT.vision(PATCH_EMBEDDING), v.patchEmbedding());
    put(w, OUT.vision(CLASS_EMBEDDING), v.classEmbedding());
    put(w, OUT.vision(POSITION_EMBEDDING), v.positionEmbedding());
    put(w, OUT.vision(PRE_LAYERNORM + WEIGHT), v.preLayerNormWeight());
    put(w, OUT.vision(PRE_LAYERNORM + BIAS), v.preLayerNormBias());
    for (int i = 0; i < v.layers().size(); i++) {
      VisionLayer l = v.layers().get(i);
      put(w, OUT.visionLayer(i, LAYER_NORM_1 + WEIGHT), l.layerNorm1Weight());
      put(w, OUT.visionLayer(i, LAYER_NORM_1 + BIAS), l.layerNorm1Bias());
      String[] qkv = {ATTN_Q, ATTN_K, ATTN_V};
      for (int j = 0; j < 3; j++) {
        putRows(w, OUT.visionLayer(i, qkv[j] + WEIGHT), l.qkvWeight(), (long) j * h, (long) (j + 1) * h);
        putRows(w, OUT.visionLayer(i, qkv[j] + BIAS), l.qkvBias(), (long) j * h, (long) (j + 1) * h);
      }
      put(w, OUT.visionLayer(i, ATTN_OUT + WEIGHT), l.outWeight());
      put(w, OUT.visionLayer(i, ATTN_OUT + BIAS), l.outBias());
      put(w, OUT.visionLayer(i, LAYER_NORM_2 + WEIGHT), l.layerNorm2Weight());
      put(w, OUT.visionLayer(i, LAYER_NORM_2 + BIAS), l.layerNorm2Bias());
      put(w, OUT.visionLayer(i, FC1 + WEIGHT), l.fc1Weight());
      put(w, OUT.visionLayer(i, FC1 + BIAS), l.fc1Bias());
      put(w, OUT.visionLayer(i, FC2 + WEIGHT), l.fc2Weight());
      put(w, OUT.visionLayer(i, FC2 + BIAS), l.fc2Bias());
    }
  }

  private static void addProjector(Out w, Projector p, NDArray newline) {
    put(w, OUT.projector(LINEAR_1 + WEIGHT), p.linear1Weight());
    put(w, OUT.projector(LINEAR_1 + BIAS), p.linear1Bias());
    put(w, OUT.projector(LINEAR_2 + WEIGHT), p.linear2Weight());
    put(w, OUT.projector(LINEAR_2 + BIAS), p.linear2Bias());
    put(w, OUT.imageNewline(), newline);
  }

  private static void addText(Out w, TextConfig t, Text text) {
    long q = (long) t.numAttentionHeads() * t.headDim();
    long kv = (long) t.numKeyValueHeads() * t.headDim();
    long inter = t.intermediateSize();
    put(w, OUT.text(EMBED_TOKENS), text.embedTokens());
    for (int i = 0; i < text.layers().size(); i++) {
      DecoderLayer l = text.layers().get(i);
      put(w, OUT.textLayer(i, INPUT_LAYERNORM), l.inputNorm());
      long[][] qkvRows = {{0, q}, {q, q + kv}, {q + kv, q + 2 * kv}};
      String[] qkvNames = {Q_PROJ, K_PROJ, V_PROJ};
      for (int j = 0; j < 3; j++) {
        putRows(w, OUT.textLayer(i, qkvNames[j] + WEIGHT), l.qkvWeight(), qkvRows[j][0], qkvRows[j][1]);
        putRows(w, OUT.textLayer(i, qkvNames[j] + BIAS), l.qkvBias(), qkvRows[j][0], qkvRows[j][1]);
      }
      put(w, OUT.textLayer(i, O_PROJ + WEIGHT), l.oWeight());
      put(w, OUT.textLayer(i, O_PROJ + BIAS), l.oBias());
      put(w, OUT.textLayer(i, POST_ATTENTION_LAYERNORM), l.postAttentionNorm());
      putRows(w, OUT.textLayer(i, GATE_PROJ + WEIGHT), l.gateUpWeight(), 0, inter);
      putRows(w, OUT.textLayer(i, GATE_PROJ + BIAS), l.gateUpBias(), 0, inter);
      putRows(w, OUT.textLayer(i, UP_PROJ + WEIGHT), l.gateUpWeight(), inter, 2 * inter);
      putRows(w, OUT.textLayer(i, UP_PROJ + BIAS), l.gateUpBias(), inter, 2 * inter);
      put(w, OUT.textLayer(i, DOWN_PROJ + WEIGHT), l.downWeight());
      put(w, OUT.textLayer(i, DOWN_PROJ + BIAS), l.downBias());
    }
    put(w, OUT.text(FINAL_NORM), text.finalNorm());
    if (text.lmHead() != text.embedTokens()) put(w, OUT.lmHead(), text.lmHead());
  }

  /** The tensors being written and their names. */
  private static final class Out {
    final SafetensorsWriter writer = new SafetensorsWriter();
    final Set<String> keys = new HashSet<>();
  }

  private static void put(Out w, String key, NDArray array) {
    if (array == null) return; // absent bias
    w.writer.add(key, array.toFloatArray(), array.getShape().getShape(), SafetensorsDtype.F32);
    w.keys.add(key);
  }

  /** Rows [from, to) of a fused tensor (absent: nothing); the slice is freed after copying. */
  private static void putRows(Out w, String key, NDArray fused, long from, long to) {
    if (fused == null) return;
    try (NDArray slice = fused.get(new NDIndex().addSliceDim(from, to))) {
      put(w, key, slice);
    }
  }

  /** Every source tensor not written above, under its classic name and original dtype. */
  private static void passThrough(Out w, Path source) throws IOException {
    try (SafetensorsReader r = SafetensorsReader.open(source)) {
      KeyLayout in = CheckpointLoader.detectLayout(r);
      for (String key : r.keys()) {
        String name = rename(key, in);
        if (w.keys.contains(name)) continue;
        SafetensorsReader.TensorInfo info = r.info(key);
        if (info.dtype() == SafetensorsDtype.I64) {
          w.writer.addLongs(name, r.readLongs(key), info.shape());
        } else {
          w.writer.add(name, r.readFloats(key), info.shape(), info.dtype());
        }
        w.keys.add(name);
      }
    }
  }

  /** A source key under the classic layout's prefixes. */
  static String rename(String key, KeyLayout in) {
    if (in == OUT) return key;
    if (key.equals(in.lmHead())) return OUT.lmHead();
    if (key.equals(in.imageNewline())) return OUT.imageNewline();
    String[][] prefixes = {{in.text(""), OUT.text("")}, {in.vision(""), OUT.vision("")},
        {in.projector(""), OUT.projector("")}};
    for (String[] p : prefixes) if (key.startsWith(p[0])) return p[1] + key.substring(p[0].length());
    return key;
  }

  private static void removeOldWeights(Path out) throws IOException {
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.equals(SafetensorsReader.INDEX_FILE) || (name.startsWith("model-") && name.endsWith(".safetensors"))) {
          Files.delete(f);
        }
      }
    }
  }

  private static void writeSideFiles(LlavaConfig config, Path source, Path out) throws IOException {
    boolean same = Files.isSameFile(source, out);
    ObjectNode cfg = (ObjectNode) HfSideFiles.JSON.readTree(source.resolve("config.json").toFile());
    cfg.put("torch_dtype", "float32");
    for (String sub : List.of("text_config", "vision_config")) {
      JsonNode n = cfg.get(sub);
      if (n instanceof ObjectNode o && o.has("torch_dtype")) o.put("torch_dtype", "float32");
    }
    HfSideFiles.write(cfg, out.resolve("config.json"));
    if (!same) {
      for (String file : COPIED_FILES) {
        Path from = source.resolve(file);
        if (Files.isRegularFile(from)) Files.copy(from, out.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (!Files.isRegularFile(out.resolve("tokenizer.json"))) {
      throw new IOException(source + " has no tokenizer.json to copy into " + out);
    }
    if (!Files.isRegularFile(out.resolve("generation_config.json"))) {
      HfSideFiles.write(HfSideFiles.generationConfig(config), out.resolve("generation_config.json"));
    }
    if (!Files.isRegularFile(out.resolve("preprocessor_config.json"))) {
      HfSideFiles.write(HfSideFiles.preprocessorConfig(LlavaRuntime.imageProcessor(source, config).config()),
          out.resolve("preprocessor_config.json"));
    }
    if (!Files.isRegularFile(out.resolve("special_tokens_map.json"))) {
      HfSideFiles.write(HfSideFiles.specialTokensMap(TokenizerSettings.read(source)),
          out.resolve("special_tokens_map.json"));
    }
  }
}
