package dev.llava.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * A {@link TrainingSpec} as JSON, the file {@code bin/llava train --spec-json} reads. Keys are the record's component
 * names as the trainer service writes them for a Kubernetes Job ({@code {"stage": "STAGE2_INSTRUCT",
 * "baseModelDir": "...", "dataPath": "...", "learningRate": 2e-5, ...}}, paths as strings, nulls left out); the
 * snake_case names of the spec's validation messages ({@code data_path}, {@code max_steps}) are accepted too.
 * Fields left out take the recipe's values when {@code recipe} is one of {@link Recipes#NAMES}, else the stage's
 * defaults; unknown fields are errors.
 */
public final class TrainingSpecJson {
  /** The record's component names, which are the keys written. */
  public static final List<String> FIELDS = List.of("stage", "recipe", "baseModelDir", "dataPath", "imageDir",
      "outputDir", "template", "learningRate", "globalBatchSize", "microBatchSize", "maxSteps", "epochs",
      "warmupRatio", "weightDecay", "adamBeta2", "maxLength", "rotateTurns", "seed", "trainVision", "trainProjector",
      "trainLanguageModel", "gradClip", "resumeFrom");
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainingSpecJson() {}

  public static TrainingSpec read(Path file) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    try {
      return parse(root);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  public static TrainingSpec parse(String json) throws IOException {
    return parse(JSON.readTree(json));
  }

  static TrainingSpec parse(JsonNode json) {
    if (json == null || !json.isObject()) throw new IllegalArgumentException("a training spec must be a JSON object");
    ObjectNode o = JSON.createObjectNode(); // keys normalised to snake_case
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      String snake = f.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
      if (!FIELDS.contains(f) && !FIELDS.contains(camel(f))) {
        throw new IllegalArgumentException("unknown field '" + f + "' (known: " + FIELDS + ")");
      }
      if (o.has(snake)) throw new IllegalArgumentException("field '" + f + "' given twice (camelCase and snake_case)");
      o.set(snake, json.get(f));
    }
    String recipe = text(o, "recipe");
    TrainingSpecBuilder b;
    if (recipe != null && Recipes.NAMES.contains(recipe)) {
      b = Recipes.named(recipe);
    } else {
      String stage = text(o, "stage");
      if (stage == null) {
        throw new IllegalArgumentException("give 'recipe' (one of " + Recipes.NAMES + ") or 'stage'"
            + " (STAGE1_ALIGN, STAGE2_INSTRUCT, ALL_PARTS)");
      }
      b = Recipes.named(switch (stage(stage)) {
        case STAGE1_ALIGN -> "stage1";
        case STAGE2_INSTRUCT -> "stage2";
        case ALL_PARTS -> "demo";
      }).recipe(recipe);
    }
    if (o.hasNonNull("stage")) {
      TrainingStage s = stage(text(o, "stage"));
      if (s != b.stage) b.stage(s);
    }
    if (o.hasNonNull("base_model_dir")) b.baseModelDir(Path.of(text(o, "base_model_dir")));
    if (o.hasNonNull("data_path")) b.dataPath(Path.of(text(o, "data_path")));
    if (o.hasNonNull("image_dir")) b.imageDir(Path.of(text(o, "image_dir")));
    if (o.hasNonNull("output_dir")) b.outputDir(Path.of(text(o, "output_dir")));
    if (o.has("template")) b.template(text(o, "template"));
    if (o.hasNonNull("learning_rate")) b.learningRate(number(o, "learning_rate"));
    if (o.hasNonNull("micro_batch_size")) b.microBatchSize(integer(o, "micro_batch_size"));
    if (o.hasNonNull("global_batch_size")) b.globalBatchSize(integer(o, "global_batch_size"));
    if (o.hasNonNull("micro_batch_size")) b.microBatchSize(integer(o, "micro_batch_size"));
    if (o.hasNonNull("max_steps")) b.maxSteps(integer(o, "max_steps"));
    if (o.hasNonNull("epochs")) b.epochs(integer(o, "epochs"));
    if (o.hasNonNull("warmup_ratio")) b.warmupRatio(number(o, "warmup_ratio"));
    if (o.hasNonNull("weight_decay")) b.weightDecay(number(o, "weight_decay"));
    if (o.hasNonNull("adam_beta2")) b.adamBeta2(number(o, "adam_beta2"));
    if (o.hasNonNull("max_length")) b.maxLength(integer(o, "max_length"));
    if (o.hasNonNull("rotate_turns")) b.rotateTurns(bool(o, "rotate_turns"));
    if (o.hasNonNull("seed")) b.seed(o.get("seed").asLong());
    if (o.hasNonNull("train_vision")) b.trainVision(bool(o, "train_vision"));
    if (o.hasNonNull("train_projector")) b.trainProjector(bool(o, "train_projector"));
    if (o.hasNonNull("train_language_model")) b.trainLanguageModel(bool(o, "train_language_model"));
    if (o.hasNonNull("grad_clip")) b.gradClip(number(o, "grad_clip"));
    if (o.hasNonNull("resume_from")) b.resumeFrom(Path.of(text(o, "resume_from")));
    return b.build();
  }

  /** The spec with every non-null component, under the record's component names. */
  public static ObjectNode toJson(TrainingSpec s) {
    ObjectNode snake = snakeCase(s);
    ObjectNode o = JSON.createObjectNode();
    snake.fields().forEachRemaining(e -> {
      if (!e.getValue().isNull()) o.set(camel(e.getKey()), e.getValue());
    });
    return o;
  }

  private static String camel(String snake) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : snake.toCharArray()) {
      if (c == '_') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return b.toString();
  }

  private static ObjectNode snakeCase(TrainingSpec s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("stage", s.stage() == null ? null : s.stage().name());
    o.put("recipe", s.recipe());
    o.put("base_model_dir", str(s.baseModelDir()));
    o.put("data_path", str(s.dataPath()));
    o.put("image_dir", str(s.imageDir()));
    o.put("output_dir", str(s.outputDir()));
    o.put("template", s.template());
    o.put("learning_rate", s.learningRate());
    o.put("global_batch_size", s.globalBatchSize());
    o.put("micro_batch_size", s.microBatchSize());
    o.put("max_steps", s.maxSteps());
    o.put("epochs", s.epochs());
    o.put("warmup_ratio", s.warmupRatio());
    o.put("weight_decay", s.weightDecay());
    o.put("adam_beta2", s.adamBeta2());
    o.put("max_length", s.maxLength());
    o.put("rotate_turns", s.rotateTurns());
    o.put("seed", s.seed());
    o.put("train_vision", s.trainVision());
    o.put("train_projector", s.trainProjector());
    o.put("train_language_model", s.trainLanguageModel());
    o.put("grad_clip", s.gradClip());
    o.put("resume_from", str(s.resumeFrom()));
    return o;
  }

  public static String toJsonString(TrainingSpec s) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(s));
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise a tree of plain values", e);
    }
  }

  private static TrainingStage stage(String v) {
    try {
      return TrainingStage.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("stage '" + v + "' is not one of STAGE1_ALIGN, STAGE2_INSTRUCT, ALL_PARTS");
    }
  }

  private static String text(JsonNode o, String f) {
    JsonNode n = o.get(f);
    if (n == null || n.isNull()) return null;
    if (!n.isTextual()) throw new IllegalArgumentException("'" + f + "' must be a string, got " + n);
    return n.asText();
  }

  private static double number(JsonNode o, String f) {
    JsonNode n = o.get(f);
    if (!n.isNumber()) throw new IllegalArgumentException("'" + f + "' must be a number, got " + n);
    return n.asDouble();
  }

  private static int integer(JsonNode o, String f) {
    JsonNode n = o.get(f);
    if (!n.canConvertToInt() || (n.isFloatingPointNumber() && n.asDouble() != Math.rint(n.asDouble()))) {
      throw new IllegalArgumentException("'" + f + "' must be an integer, got " + n);
    }
    return n.asInt();
  }

  private static boolean bool(JsonNode o, String f) {
    JsonNode n = o.get(f);
    if (!n.isBoolean()) throw new IllegalArgumentException("'" + f + "' must be true or false, got " + n);
    return n.asBoolean();
  }

  private static String str(Path p) {
    return p == null ? null : p.toString();
  }
}
