package dev.llava.model.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.TextConfig;
import dev.llava.model.image.ImageProcessorConfig;
import dev.llava.model.image.Resolution;
import dev.llava.model.text.TokenizerSettings;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The small JSON files of a Hugging Face checkpoint that the trainer writes when its source has none:
 * {@code generation_config.json}, {@code preprocessor_config.json}, {@code special_tokens_map.json},
 * {@code processor_config.json}. Field names and values are what transformers saves.
 */
public final class HfSideFiles {
  static final ObjectMapper JSON = new ObjectMapper();

  private HfSideFiles() {}

  /** {@code GenerationConfig.save_pretrained}: the text config's bos/eos/pad ids. */
  public static ObjectNode generationConfig(LlavaConfig config) {
    TextConfig t = config.textConfig();
    ObjectNode o = JSON.createObjectNode();
    if (t.bosTokenId() != null) o.put("bos_token_id", t.bosTokenId());
    if (t.eosTokenIds().size() == 1) {
      o.put("eos_token_id", t.eosTokenIds().get(0));
    } else {
      ArrayNode eos = o.putArray("eos_token_id");
      t.eosTokenIds().forEach(eos::add);
    }
    if (t.padTokenId() != null) o.put("pad_token_id", t.padTokenId());
    return o;
  }

  /** {@code CLIPImageProcessor} / {@code LlavaNextImageProcessor} config as transformers writes it. */
  public static ObjectNode preprocessorConfig(ImageProcessorConfig c) {
    ObjectNode o = JSON.createObjectNode();
    if (c.aspectRatioSetting() != null) o.put("aspect_ratio_setting", c.aspectRatioSetting());
    ObjectNode crop = o.putObject("crop_size");
    crop.put("height", c.cropSize().height());
    crop.put("width", c.cropSize().width());
    o.put("do_center_crop", c.doCenterCrop());
    o.put("do_convert_rgb", c.doConvertRgb());
    o.put("do_normalize", c.doNormalize());
    if (c.anyRes()) o.put("do_pad", true);
    o.put("do_rescale", c.doRescale());
    o.put("do_resize", c.doResize());
    if (c.anyRes()) {
      ArrayNode pins = o.putArray("image_grid_pinpoints");
      for (Resolution r : c.imageGridPinpoints()) pins.addArray().add(r.height()).add(r.width());
    }
    ArrayNode mean = o.putArray("image_mean");
    for (double v : c.imageMean()) mean.add(v);
    o.put("image_processor_type", c.imageProcessorType());
    ArrayNode std = o.putArray("image_std");
    for (double v : c.imageStd()) std.add(v);
    o.put("resample", c.resample());
    o.put("rescale_factor", c.rescaleFactor());
    ObjectNode size = o.putObject("size");
    if (c.size().isShortestEdge()) {
      size.put("shortest_edge", c.size().shortestEdge());
    } else {
      size.put("height", c.size().height());
      size.put("width", c.size().width());
    }
    return o;
  }

  /** {@code special_tokens_map.json} from what the tokenizer side files say. */
  public static ObjectNode specialTokensMap(TokenizerSettings s) {
    ObjectNode o = JSON.createObjectNode();
    if (s.bosToken() != null) o.put("bos_token", s.bosToken());
    if (s.eosToken() != null) o.put("eos_token", s.eosToken());
    if (s.padToken() != null) o.put("pad_token", s.padToken());
    if (s.unkToken() != null) o.put("unk_token", s.unkToken());
    return o;
  }

  /** {@code processor_config.json} of a LlavaProcessor / LlavaNextProcessor. */
  public static ObjectNode processorConfig(LlavaConfig config, String imageToken) {
    ObjectNode o = JSON.createObjectNode();
    o.put("image_token", imageToken);
    o.put("num_additional_image_tokens", 1);
    o.put("patch_size", config.visionConfig().patchSize());
    o.put("processor_class", config.isNext() ? "LlavaNextProcessor" : "LlavaProcessor");
    o.put("vision_feature_select_strategy", config.visionFeatureSelectStrategy().hfName());
    return o;
  }

  static void write(ObjectNode node, Path file) throws IOException {
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), node);
  }
}
