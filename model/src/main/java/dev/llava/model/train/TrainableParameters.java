package dev.llava.model.train;

import ai.djl.ndarray.NDArray;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.checkpoint.ModelPart;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Every tensor of loaded {@link LlavaWeights} as a named parameter with the part it belongs to and whether
 * weight decay applies. Names are stable (they key the optimizer state on disk) and follow the fused layout
 * ({@code text.layers.0.qkv.weight}); a tied lm_head appears once, as {@code text.embed_tokens}.
 *
 * <p>Weight decay follows HF Trainer's rule: not on biases and normalisation weights, which here means not on
 * any 1-D tensor (also CLIP's class_embedding and image_newline).
 */
public final class TrainableParameters {

  /** One tensor: its stable name, the array shared with the model, its part, whether it decays. */
  public record Parameter(String name, NDArray array, ModelPart part, boolean decay) {}

  private final List<Parameter> all;

  private TrainableParameters(List<Parameter> all) {
    this.all = List.copyOf(all);
  }

  public static TrainableParameters of(LlavaWeights w) {
    Collector c = new Collector();
    if (w.parts().contains(ModelPart.VISION)) {
      LlavaWeights.Vision v = w.vision();
      c.add("vision.patch_embedding", v.patchEmbedding(), ModelPart.VISION);
      c.add("vision.class_embedding", v.classEmbedding(), ModelPart.VISION);
      c.add("vision.position_embedding", v.positionEmbedding(), ModelPart.VISION);
      c.add("vision.pre_layernorm.weight", v.preLayerNormWeight(), ModelPart.VISION);
      c.add("vision.pre_layernorm.bias", v.preLayerNormBias(), ModelPart.VISION);
      for (int i = 0; i < v.layers().size(); i++) {
        LlavaWeights.VisionLayer l = v.layers().get(i);
        String p = "vision.layers." + i + ".";
        c.add(p + "layer_norm1.weight", l.layerNorm1Weight(), ModelPart.VISION);
        c.add(p + "layer_norm1.bias", l.layerNorm1Bias(), ModelPart.VISION);
        c.add(p + "qkv.weight", l.qkvWeight(), ModelPart.VISION);
        c.add(p + "qkv.bias", l.qkvBias(), ModelPart.VISION);
        c.add(p + "out.weight", l.outWeight(), ModelPart.VISION);
        c.add(p + "out.bias", l.outBias(), ModelPart.VISION);
        c.add(p + "layer_norm2.weight", l.layerNorm2Weight(), ModelPart.VISION);
        c.add(p + "layer_norm2.bias", l.layerNorm2Bias(), ModelPart.VISION);
        c.add(p + "fc1.weight", l.fc1Weight(), ModelPart.VISION);
        c.add(p + "fc1.bias", l.fc1Bias(), ModelPart.VISION);
        c.add(p + "fc2.weight", l.fc2Weight(), ModelPart.VISION);
        c.add(p + "fc2.bias", l.fc2Bias(), ModelPart.VISION);
      }
    }
    if (w.parts().contains(ModelPart.PROJECTOR)) {
      LlavaWeights.Projector p = w.projector();
      c.add("projector.linear_1.weight", p.linear1Weight(), ModelPart.PROJECTOR);
      c.add("projector.linear_1.bias", p.linear1Bias(), ModelPart.PROJECTOR);
      c.add("projector.linear_2.weight", p.linear2Weight(), ModelPart.PROJECTOR);
      c.add("projector.linear_2.bias", p.linear2Bias(), ModelPart.PROJECTOR);
      c.add("image_newline", w.imageNewline(), ModelPart.PROJECTOR);
    }
    if (w.parts().contains(ModelPart.TEXT)) {
      LlavaWeights.Text t = w.text();
      c.add("text.embed_tokens", t.embedTokens(), ModelPart.TEXT);
      for (int i = 0; i < t.layers().size(); i++) {
        LlavaWeights.DecoderLayer l = t.layers().get(i);
        String p = "text.layers." + i + ".";
        c.add(p + "input_norm", l.inputNorm(), ModelPart.TEXT);
        c.add(p + "qkv.weight", l.qkvWeight(), ModelPart.TEXT);
        c.add(p + "qkv.bias", l.qkvBias(), ModelPart.TEXT);
        c.add(p + "o.weight", l.oWeight(), ModelPart.TEXT);
        c.add(p + "o.bias", l.oBias(), ModelPart.TEXT);
        c.add(p + "post_attention_norm", l.postAttentionNorm(), ModelPart.TEXT);
        c.add(p + "gate_up.weight", l.gateUpWeight(), ModelPart.TEXT);
        c.add(p + "gate_up.bias", l.gateUpBias(), ModelPart.TEXT);
        c.add(p + "down.weight", l.downWeight(), ModelPart.TEXT);
        c.add(p + "down.bias", l.downBias(), ModelPart.TEXT);
      }
      c.add("text.norm", t.finalNorm(), ModelPart.TEXT);
      c.add("text.lm_head", t.lmHead(), ModelPart.TEXT); // skipped when tied to embed_tokens
    }
    return new TrainableParameters(c.list);
  }

  public List<Parameter> all() {
    return all;
  }

  /** The parameters of the given parts, in a fixed order. */
  public List<Parameter> of(Set<ModelPart> parts) {
    return all.stream().filter(p -> parts.contains(p.part())).toList();
  }

  /** Number of scalars in the given parameters. */
  public static long count(List<Parameter> params) {
    return params.stream().mapToLong(p -> p.array().getShape().size()).sum();
  }

  private static final class Collector {
    final List<Parameter> list = new ArrayList<>();
    final Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());

    void add(String name, NDArray array, ModelPart part) {
      if (array == null || !seen.add(array)) return; // absent bias, or a tied tensor already listed
      list.add(new Parameter(name, array, part, array.getShape().dimension() > 1));
    }
  }
}
