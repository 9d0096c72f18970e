package dev.llava.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.generate.SamplingParams;
import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.ImageHeader;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.image.LlavaImageProcessor;
import dev.llava.model.io.Npy;
import dev.llava.model.nn.KvCache;
import dev.llava.model.runtime.Generation;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.model.text.ChatMessage;
import dev.llava.model.text.LlavaTokenizer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The checkpoint subcommands: generate, logits, preprocess, features, count-tokens, tokenize. */
final class ModelCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelCommands() {}

  static void register() {
    Main.register("generate", "answer a prompt about images with a checkpoint", ModelCommands::generate);
    Main.register("logits", "full-prompt logits [1,L,vocab] for expanded input ids", ModelCommands::logits);
    Main.register("preprocess", "pixel values exactly as the HF processor returns them", ModelCommands::preprocess);
    Main.register("features", "projected, packed image features [image_tokens, hidden]", ModelCommands::features);
    Main.register("count-tokens", "image tokens for an image or a size (config only, no weights)",
        ModelCommands::countTokens);
    Main.register("tokenize", "token ids of a text as JSON", ModelCommands::tokenize);
  }

  static int generate(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("generate", argv, 0,
        Set.of("model", "image", "prompt", "max-new-tokens", "temperature", "top-p", "top-k", "seed",
            "repetition-penalty", "template", "stop"),
        Set.of("raw", "json"));
    Path dir = a.existingDir("model");
    String prompt = a.required("prompt");
    try (LlavaRuntime runtime = LlavaRuntime.load(dir)) {
      ImageInputs images = new ImageInputs("generate", a.all("image"), runtime);
      List<ImageLayout> layouts = images.layouts();
      long[] ids = a.flag("raw")
          ? runtime.promptIds(prompt, layouts)
          : runtime.chatPromptIds(List.of(ChatMessage.userWithImages(layouts.size(), prompt)),
              a.get("template", ""), layouts);
      SamplingParams.Builder params = SamplingParams.builder()
          .temperature((float) a.doubleValue("temperature", 0))
          .topP((float) a.doubleValue("top-p", 1))
          .topK(a.intValue("top-k", 0))
          .repetitionPenalty((float) a.doubleValue("repetition-penalty", 1))
          .maxNewTokens(a.intValue("max-new-tokens", 256))
          .stopStrings(a.all("stop"))
          .stopTokenIds(runtime.stopTokenIds());
      if (a.get("seed", null) != null) {
        params.seed(a.intValue("seed", 0));
      }
      boolean json = a.flag("json");
      try (NDManager scope = NDManager.newBaseManager(runtime.model().device())) {
        NDArray packed = layouts.isEmpty() ? null : runtime.packFeatures(images.features(runtime), layouts, scope);
        Generation.Result r = Generation.run(runtime, ids, packed, params.build(), text -> {
          if (!json) {
            out.print(text);
            out.flush();
          }
        });
        if (json) {
          ObjectNode o = JSON.createObjectNode();
          o.put("text", r.text());
          ArrayNode tokenIds = o.putArray("token_ids");
          for (long t : r.tokenIds()) {
            tokenIds.add(t);
          }
          o.put("prompt_tokens", r.promptTokens());
          ArrayNode imageTokens = o.putArray("image_tokens");
          layouts.forEach(l -> imageTokens.add(l.imageTokens()));
          o.put("finish_reason", r.finishReason().name().toLowerCase());
          out.println(JSON.writeValueAsString(o));
        } else {
          out.println();
        }
      }
    }
    return 0;
  }

  static int logits(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("logits", argv, 0, Set.of("model", "input-ids", "image", "out"), Set.of());
    Path dir = a.existingDir("model");
    Npy.Array idsArray = Npy.read(Args.existingFile("logits", "--input-ids", a.required("input-ids")));
    long[] ids = idsArray.toLongs();
    Path outFile = Path.of(a.required("out"));
    try (LlavaRuntime runtime = LlavaRuntime.load(dir);
        NDManager scope = NDManager.newBaseManager(runtime.model().device())) {
      ImageInputs images = new ImageInputs("logits", a.all("image"), runtime);
      NDArray packed = images.images.isEmpty() ? null
          : runtime.packFeatures(images.features(runtime), images.layouts(), scope);
      NDArray embeds = runtime.model().embedWithImages(ids, packed, scope);
      try (KvCache cache = runtime.model().newCache(ids.length)) {
        NDArray logits = runtime.model().prefill(embeds, cache, true); // [L, vocab]
        long vocab = logits.getShape().get(1);
        Npy.writeFloats(outFile, logits.toFloatArray(), 1, ids.length, vocab);
        out.println("wrote " + outFile + " [1, " + ids.length + ", " + vocab + "]");
      }
    }
    return 0;
  }

  static int preprocess(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("preprocess", argv, 0, Set.of("model", "image", "out"), Set.of());
    Path dir = a.existingDir("model");
    List<String> files = a.all("image");
    if (files.isEmpty()) {
      throw new CliException("at least one --image is required");
    }
    LlavaConfig config = loadConfig(dir);
    LlavaImageProcessor processor = LlavaRuntime.imageProcessor(dir, config);
    ImageDecoder decoder = new ImageDecoder();
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    int tiles = 0;
    int side = 0;
    for (String f : files) {
      Path p = Args.existingFile("preprocess", "--image", f);
      var processed = processor.process(decoderDecode(decoder, p));
      tiles += processed.pixels().tiles();
      side = processed.pixels().height();
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(processed.pixels().data().length * 4)
          .order(java.nio.ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(processed.pixels().data());
      all.write(b.array());
    }
    Path outFile = Path.of(a.required("out"));
    Npy.write(outFile, "<f4", new long[] {tiles, 3, side, side}, all.toByteArray());
    out.println("wrote " + outFile + " [" + tiles + ", 3, " + side + ", " + side + "]");
    return 0;
  }

  static int features(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("features", argv, 0, Set.of("model", "image", "out"), Set.of());
    Path dir = a.existingDir("model");
    if (a.all("image").isEmpty()) {
      throw new CliException("at least one --image is required");
    }
    Path outFile = Path.of(a.required("out"));
    try (LlavaRuntime runtime = LlavaRuntime.load(dir, EnumSet.of(ModelPart.VISION, ModelPart.PROJECTOR));
        NDManager scope = NDManager.newBaseManager(runtime.model().device())) {
      ImageInputs images = new ImageInputs("features", a.all("image"), runtime);
      NDArray packed = runtime.packFeatures(images.features(runtime), images.layouts(), scope);
      long rows = packed.getShape().get(0);
      long hidden = packed.getShape().get(1);
      Npy.writeFloats(outFile, packed.toFloatArray(), rows, hidden);
      out.println("wrote " + outFile + " [" + rows + ", " + hidden + "]");
    }
    return 0;
  }

  static int countTokens(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("count-tokens", argv, 0, Set.of("model", "image", "width", "height"), Set.of());
    Path dir = a.existingDir("model");
    LlavaConfig config = loadConfig(dir);
    LlavaImageProcessor processor = LlavaRuntime.imageProcessor(dir, config);
    int width;
    int height;
    if (a.get("image", null) != null) {
      Path p = Args.existingFile("count-tokens", "--image", a.required("image"));
      ImageHeader header;
      try {
        header = new ImageDecoder().probe(Files.readAllBytes(p)); // header only: no full decode
      } catch (IllegalArgumentException e) {
        throw new CliException("--image " + p + ": " + e.getMessage());
      }
      width = header.width();
      height = header.height();
    } else {
      width = a.intValue("width", -1);
      height = a.intValue("height", -1);
      if (width <= 0 || height <= 0) {
        throw new CliException("give --image FILE, or --width W --height H (positive pixels)");
      }
    }
    ImageLayout l = processor.layout(height, width);
    ObjectNode o = JSON.createObjectNode();
    o.put("image_tokens", l.imageTokens());
    o.putArray("grid").add(l.gridRows()).add(l.gridCols());
    o.putArray("best_resolution").add(l.bestHeight()).add(l.bestWidth());
    o.putArray("unpadded_grid").add(l.unpaddedRows()).add(l.unpaddedCols());
    o.put("tiles", l.numTiles());
    o.putArray("image_size").add(height).add(width);
    out.println(JSON.writeValueAsString(o));
    return 0;
  }

  static int tokenize(String[] argv, PrintStream out) throws Exception {
    Args a = new Args("tokenize", argv, 0, Set.of("model", "text"), Set.of());
    Path dir = a.existingDir("model");
    String text = a.required("text");
    try (LlavaTokenizer tokenizer = LlavaTokenizer.load(dir)) {
      out.println(JSON.writeValueAsString(tokenizer.encode(text)));
    }
    return 0;
  }

  private static LlavaConfig loadConfig(Path dir) throws java.io.IOException {
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      throw new CliException(dir + ": no config.json (expected a Hugging Face LLaVA checkpoint directory)");
    }
    return LlavaConfig.load(dir);
  }

  private static dev.llava.model.image.RgbImage decoderDecode(ImageDecoder decoder, Path p) throws java.io.IOException {
    try {
      return decoder.decode(p);
    } catch (IllegalArgumentException e) {
      throw new CliException("--image " + p + ": " + e.getMessage());
    }
  }
}
