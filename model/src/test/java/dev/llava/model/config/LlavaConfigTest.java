package dev.llava.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.model.Fixtures;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlavaConfigTest {
  @Test
  void fixtureConfigsBindEveryField() throws IOException {
    LlavaConfig c = LlavaConfig.load(Fixtures.llavaNext());
    assertEquals(LlavaConfig.ModelType.LLAVA_NEXT, c.modelType());
    assertEquals(384, c.imageTokenIndex());
    assertEquals(-2, c.visionFeatureLayer());
    assertEquals(2, c.visionHiddenStateIndex()); // 3 CLIP layers: hidden_states[-2] is layer 2's output
    assertEquals(FeatureSelectStrategy.DEFAULT, c.visionFeatureSelectStrategy());
    assertEquals(LlavaConfig.DEFAULT_PINPOINTS, c.imageGridPinpoints());
    assertEquals(HiddenAct.GELU, c.projectorHiddenAct());
    assertEquals(ProjectorType.MLP2X_GELU, c.projectorType());
    TextConfig t = c.textConfig();
    assertEquals(List.of(64, 172, 2, 4, 4, 16, 448), List.of(t.hiddenSize(), t.intermediateSize(), t.numHiddenLayers(),
        t.numAttentionHeads(), t.numKeyValueHeads(), t.headDim(), t.vocabSize()));
    assertEquals(1e-5, t.rmsNormEps());
    assertNull(t.slidingWindow());
    VisionConfig v = c.visionConfig();
    assertEquals(List.of(48, 192, 3, 4, 336, 14, 24, 577), List.of(v.hiddenSize(), v.intermediateSize(),
        v.numHiddenLayers(), v.numAttentionHeads(), v.imageSize(), v.patchSize(), v.patchesPerSide(), v.numPositions()));
    assertEquals(576, c.visionTokensPerTile());
    assertEquals(List.of(), LlavaConfig.load(Fixtures.llava15()).imageGridPinpoints());
  }

  @Test
  void missingFieldsTakeHfClassDefaults() throws IOException {
    LlavaConfig c = LlavaConfig.parse("{\"model_type\": \"llava\"}");
    assertEquals(32000, c.imageTokenIndex());
    assertEquals(-2, c.visionFeatureLayer());
    assertTrue(c.multimodalProjectorBias());
    assertFalse(c.tieWordEmbeddings());
    // No vision_config at all: LlavaConfig builds CLIP ViT-L/14-336.
    VisionConfig v = c.visionConfig();
    assertEquals(List.of(1024, 4096, 24, 16, 336, 14), List.of(v.hiddenSize(), v.intermediateSize(),
        v.numHiddenLayers(), v.numAttentionHeads(), v.imageSize(), v.patchSize()));
    TextConfig t = c.textConfig();
    assertEquals("llama", t.modelType());
    assertEquals(List.of(4096, 11008, 32, 32, 32, 128, 32000, 2048), List.of(t.hiddenSize(), t.intermediateSize(),
        t.numHiddenLayers(), t.numAttentionHeads(), t.numKeyValueHeads(), t.headDim(), t.vocabSize(),
        t.maxPositionEmbeddings()));
    assertEquals(1e-6, t.rmsNormEps());
    assertEquals(10000.0, t.ropeTheta());
    assertEquals(HiddenAct.SILU, t.hiddenAct());
    assertNull(t.slidingWindow());
    assertNull(t.ropeScaling());
    assertEquals(List.of(2), t.eosTokenIds());
  }

  @Test
  void partialVisionConfigTakesClipVisionConfigDefaults() throws IOException {
    VisionConfig v = LlavaConfig.parse("{\"model_type\": \"llava\", \"vision_config\": {\"hidden_size\": 1024,"
        + " \"num_attention_heads\": 16}}").visionConfig();
    assertEquals(32, v.patchSize());
    assertEquals(224, v.imageSize());
    assertEquals(HiddenAct.QUICK_GELU, v.hiddenAct());
    assertEquals(1e-5, v.layerNormEps());
    assertEquals(12, v.numHiddenLayers());
  }

  @Test
  void mistralDefaultsAndExplicitNullSlidingWindow() throws IOException {
    // Shaped like llava-hf/llava-v1.6-mistral-7b-hf: sliding_window explicitly null, eos a list.
    LlavaConfig next = LlavaConfig.parse("{\"model_type\": \"llava_next\", \"image_token_index\": 32000,"
        + " \"text_config\": {\"model_type\": \"mistral\", \"intermediate_size\": 14336, \"rms_norm_eps\": 1e-05,"
        + " \"rope_theta\": 1000000.0, \"sliding_window\": null, \"vocab_size\": 32064, \"eos_token_id\": [2, 32001]}}");
    TextConfig t = next.textConfig();
    assertNull(t.slidingWindow());
    assertEquals(8, t.numKeyValueHeads());
    assertEquals(4, t.kvGroups());
    assertEquals(1e6, t.ropeTheta());
    assertEquals(List.of(2, 32001), t.eosTokenIds());
    assertEquals(32064, t.vocabSize());
    assertEquals(LlavaConfig.DEFAULT_PINPOINTS, next.imageGridPinpoints());

    TextConfig absent = LlavaConfig.parse("{\"model_type\": \"llava\", \"text_config\": {\"model_type\": \"mistral\"}}")
        .textConfig();
    assertEquals(4096, absent.slidingWindow());
    assertEquals(14336, absent.intermediateSize());
    assertEquals(131072, absent.maxPositionEmbeddings());
  }

  @Test
  void extensionsAndAliases() throws IOException {
    LlavaConfig c = LlavaConfig.parse("{\"model_type\": \"llava\", \"projector_type\": \"linear\", \"image_token_id\": 7,"
        + " \"vocab_size\": 500, \"vision_feature_select_strategy\": \"full\", \"vision_feature_layer\": -1,"
        + " \"text_config\": {\"head_dim\": 64, \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}}}");
    assertEquals(ProjectorType.LINEAR, c.projectorType());
    assertEquals(7, c.imageTokenIndex());
    assertEquals(500, c.textConfig().vocabSize()); // legacy top-level vocab_size
    assertEquals(64, c.textConfig().headDim());
    assertEquals("llama3", c.textConfig().ropeScaling().type());
    assertEquals(577, c.visionTokensPerTile());
    assertEquals(24, c.visionHiddenStateIndex());
  }

  @Test
  void unsupportedValuesAreNamedWithTheSupportedOnes() {
    assertMessage("model_type 'qwen2_vl' is not supported (supported: llava, llava_next)", "{\"model_type\": \"qwen2_vl\"}");
    assertMessage("config.json has no model_type", "{}");
    assertMessage("text_config.model_type 'gemma' is not supported (supported: llama, mistral)",
        "{\"model_type\": \"llava\", \"text_config\": {\"model_type\": \"gemma\"}}");
    assertMessage("vision_config.model_type 'siglip_vision_model' is not supported",
        "{\"model_type\": \"llava\", \"vision_config\": {\"model_type\": \"siglip_vision_model\"}}");
    assertMessage("projector_type': 'mlp3x_gelu' is not supported (supported: mlp2x_gelu, linear)",
        "{\"model_type\": \"llava\", \"projector_type\": \"mlp3x_gelu\"}");
    assertMessage("vision_feature_layer -26 is outside CLIP's 25 hidden states",
        "{\"model_type\": \"llava\", \"vision_feature_layer\": -26}");
    assertMessage("a list of layers is not supported", "{\"model_type\": \"llava\", \"vision_feature_layer\": [-2, -5]}");
    assertMessage("num_attention_heads 32 must be a positive multiple of num_key_value_heads 5",
        "{\"model_type\": \"llava\", \"text_config\": {\"num_key_value_heads\": 5}}");
    assertMessage("llava_next needs vision_feature_select_strategy 'default'",
        "{\"model_type\": \"llava_next\", \"vision_feature_select_strategy\": \"full\"}");
    assertMessage("rope_scaling type 'yarn' is not supported",
        "{\"model_type\": \"llava\", \"text_config\": {\"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4}}}");
  }

  private static void assertMessage(String expectedPart, String json) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlavaConfig.parse(json));
    assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
  }
}
