package dev.llava.model.checkpoint;

import java.util.EnumSet;
import java.util.Set;

/**
 * Which halves of a LLaVA checkpoint to load: the vision encoder service needs only
 * {@link #VISION} (+ {@link #PROJECTOR} if it projects), the language model service only
 * {@link #PROJECTOR} and {@link #TEXT}. Parts not loaded cost no memory.
 */
public enum ModelPart {
  /** CLIP tower up to the selected feature layer. */
  VISION,
  /** multi_modal_projector and, for LLaVA-NeXT, image_newline. */
  PROJECTOR,
  /** Llama/Mistral decoder, embeddings and lm_head. */
  TEXT;

  public static Set<ModelPart> all() {
    return EnumSet.allOf(ModelPart.class);
  }
}
