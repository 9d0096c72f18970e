package dev.llava.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a checkpoint's JSON side files say about its tokenizer: the special token strings, whether
 * BOS/EOS are added, which text is the image placeholder and which ids end generation.
 *
 * <p>Precedence follows transformers: {@code tokenizer_config.json} first, then
 * {@code special_tokens_map.json}; the image token comes from {@code processor_config.json}
 * (LlavaProcessor's {@code image_token}), else the special tokens map, else {@code "<image>"}.
 *
 * @param tokenizerClass {@code tokenizer_class} or null
 * @param bosToken BOS text or null
 * @param eosToken EOS text or null
 * @param unkToken UNK text or null
 * @param padToken PAD text or null (Mistral ships none)
 * @param addBosToken {@code add_bos_token} when the config states it, else null (post-processor decides)
 * @param addEosToken {@code add_eos_token} when stated, else null
 * @param imageToken the placeholder text the processor expands, e.g. {@code "<image>"}
 * @param generationEosIds {@code generation_config.json} {@code eos_token_id} (int or list), may be empty
 * @param configImageTokenIndex {@code config.json} {@code image_token_index} (or {@code image_token_id}),
 *     or -1 when absent
 */
public record TokenizerSettings(
    String tokenizerClass,
    String bosToken,
    String eosToken,
    String unkToken,
    String padToken,
    Boolean addBosToken,
    Boolean addEosToken,
    String imageToken,
    List<Long> generationEosIds,
    long configImageTokenIndex) {

  static final String DEFAULT_IMAGE_TOKEN = "<image>";
  private static final ObjectMapper JSON = new ObjectMapper();

  public TokenizerSettings {
    generationEosIds = List.copyOf(generationEosIds);
  }

  /** Reads whatever of the side files exist in {@code dir}; all are optional. */
  public static TokenizerSettings read(Path dir) throws IOException {
    JsonNode config = readJson(dir.resolve("tokenizer_config.json"));
    JsonNode map = readJson(dir.resolve("special_tokens_map.json"));
    JsonNode processor = readJson(dir.resolve("processor_config.json"));
    JsonNode generation = readJson(dir.resolve("generation_config.json"));
    JsonNode model = readJson(dir.resolve("config.json"));

    String image = firstText(processor.get("image_token"), map.get("image_token"),
        config.get("image_token"));
    List<Long> eosIds = new ArrayList<>();
    JsonNode eos = generation.get("eos_token_id");
    if (eos != null && eos.isArray()) {
      eos.forEach(n -> eosIds.add(n.asLong()));
    } else if (eos != null && eos.isIntegralNumber()) {
      eosIds.add(eos.asLong());
    }
    // transformers saves image_token_index; newer configs may spell it image_token_id.
    JsonNode imageIndex = model.has("image_token_index") ? model.get("image_token_index") : model.get("image_token_id");
    return new TokenizerSettings(
        text(config.get("tokenizer_class")),
        firstText(config.get("bos_token"), map.get("bos_token")),
        firstText(config.get("eos_token"), map.get("eos_token")),
        firstText(config.get("unk_token"), map.get("unk_token")),
        firstText(config.get("pad_token"), map.get("pad_token")),
        bool(config.get("add_bos_token")),
        bool(config.get("add_eos_token")),
        image != null ? image : DEFAULT_IMAGE_TOKEN,
        eosIds,
        imageIndex != null && imageIndex.isIntegralNumber() ? imageIndex.asLong() : -1);
  }

  static JsonNode readJson(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }

  /** A token entry is either a plain string or an AddedToken object {@code {"content": ...}}. */
  private static String text(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isObject()) {
      return text(node.get("content"));
    }
    return node.isTextual() ? node.asText() : null;
  }

  private static String firstText(JsonNode... nodes) {
    for (JsonNode n : nodes) {
      String t = text(n);
      if (t != null) {
        return t;
      }
    }
    return null;
  }

  private static Boolean bool(JsonNode node) {
    return node != null && node.isBoolean() ? node.asBoolean() : null;
  }
}
