package dev.llava.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.llava.model.Fixtures;
import dev.llava.model.io.SafetensorsDtype;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLoaderTest {
  @TempDir Path tmp;

  private static final String UP_PROJ_1 = "language_model.model.layers.1.mlp.up_proj.weight";

  @Test
  void missingTensorIsNamedWithItsExpectedShape() throws IOException {
    CheckpointCopy.write(Fixtures.llava15(), tmp, SafetensorsDtype.F32,
        t -> t.key().equals(UP_PROJ_1) ? null : t, c -> c);
    try (NDManager m = NDManager.newBaseManager()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointLoader.load(tmp, m));
      assertTrue(e.getMessage().contains("missing tensor '" + UP_PROJ_1 + "'"), e.getMessage());
      assertTrue(e.getMessage().contains("expected shape [172, 64]"), e.getMessage());
    }
  }

  @Test
  void wrongShapeNamesKeyExpectedAndFoundShapes() throws IOException {
    String key = "multi_modal_projector.linear_1.weight"; // [64, 48] in the fixture
    CheckpointCopy.write(Fixtures.llava15(), tmp, SafetensorsDtype.F32,
        t -> t.key().equals(key) ? new CheckpointCopy.Tensor(key, new long[] {48, 64}, t.values()) : t, c -> c);
    try (NDManager m = NDManager.newBaseManager()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointLoader.load(tmp, m));
      assertTrue(e.getMessage().contains("'" + key + "' has shape [48, 64], expected [64, 48]"), e.getMessage());
    }
  }

  @Test
  void unknownModelTypeIsNamedWithTheSupportedOnes() throws IOException {
    CheckpointCopy.write(Fixtures.llava15(), tmp, SafetensorsDtype.F32, t -> t,
        c -> c.replace("\"model_type\": \"llava\"", "\"model_type\": \"qwen2_vl\""));
    try (NDManager m = NDManager.newBaseManager()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointLoader.load(tmp, m));
      assertTrue(e.getMessage().contains("model_type 'qwen2_vl' is not supported (supported: llava, llava_next)"),
          e.getMessage());
    }
  }

  @Test
  void missingLmHeadUsesEmbeddingsOnlyWhenTied() throws IOException {
    Path untied = tmp.resolve("untied");
    Path tied = tmp.resolve("tied");
    CheckpointCopy.Edit dropHead = t -> t.key().equals("language_model.lm_head.weight") ? null : t;
    CheckpointCopy.write(Fixtures.llava15(), untied, SafetensorsDtype.F32, dropHead, c -> c);
    CheckpointCopy.write(Fixtures.llava15(), tied, SafetensorsDtype.F32, dropHead,
        c -> c.replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true"));
    try (NDManager m = NDManager.newBaseManager()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointLoader.load(untied, m));
      assertTrue(e.getMessage().contains("missing tensor 'language_model.lm_head.weight' (expected shape [448, 64])"
          + " and tie_word_embeddings is false"), e.getMessage());
      try (LlavaWeights w = CheckpointLoader.load(tied, m)) {
        assertSame(w.text().embedTokens(), w.text().lmHead());
      }
    }
  }

  @Test
  void unusedClipWeightsAreNeitherNeededNorLoaded() throws IOException {
    // LLaVA reads hidden_states[-2]: CLIP's last layer and post_layernorm never matter.
    CheckpointCopy.write(Fixtures.llava15(), tmp, SafetensorsDtype.F32,
        t -> t.key().contains("encoder.layers.2.") || t.key().contains("post_layernorm") ? null : t, c -> c);
    try (NDManager m = NDManager.newBaseManager(); LlavaWeights w = CheckpointLoader.load(tmp, m)) {
      assertEquals(2, w.vision().layers().size());
      assertEquals(LlavaWeights.KeyLayout.CLASSIC, w.layout());
    }
  }

  @Test
  void partsNotRequestedAreNotLoaded() throws IOException {
    try (NDManager m = NDManager.newBaseManager();
        LlavaWeights w = CheckpointLoader.load(Fixtures.llavaNext(),
            dev.llava.model.config.LlavaConfig.load(Fixtures.llavaNext()), m, EnumSet.of(ModelPart.VISION))) {
      assertEquals(2, w.vision().layers().size());
      IllegalStateException e = assertThrows(IllegalStateException.class, w::text);
      assertTrue(e.getMessage().contains("TEXT was not loaded"), e.getMessage());
      assertFalse(w.parts().contains(ModelPart.PROJECTOR));
    }
  }

  @Test
  void shardedCheckpointWithImageNewlineLoads() throws IOException {
    try (NDManager m = NDManager.newBaseManager(); LlavaWeights w = CheckpointLoader.load(Fixtures.llavaNext(), m)) {
      assertEquals(64, w.imageNewline().getShape().get(0));
      assertEquals(2, w.text().layers().size());
      // q|k|v fused: 4 heads * 16 + 2 * 4 kv heads * 16 rows
      assertEquals(192, w.text().layers().get(0).qkvWeight().getShape().get(0));
    }
  }
}
