package dev.llava.model.nn;

import static dev.llava.model.nn.TensorAssertions.assertClose;
import static dev.llava.model.nn.TensorAssertions.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.Fixtures;
import dev.llava.model.checkpoint.CheckpointCopy;
import dev.llava.model.checkpoint.CheckpointLoader;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.io.Npy;
import dev.llava.model.io.SafetensorsDtype;
import dev.llava.model.io.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * F16 and BF16 checkpoints (in the transformers >= 4.52 key layout) give the same logits as an F32
 * checkpoint holding the exactly upcast weights, where the upcast is computed here independently
 * of the reader (torch's half conversion; nearest-bfloat16 search in double).
 */
class HalfPrecisionCheckpointTest {
  @TempDir Path tmp;

  @Test
  void f16CheckpointMatchesUpcastF32() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      compare(SafetensorsDtype.F16, values -> {
        NDArray half = m.create(values).toType(DataType.FLOAT16, false);
        return half.toType(DataType.FLOAT32, false).toFloatArray();
      });
    }
  }

  @Test
  void bf16CheckpointMatchesUpcastF32() throws IOException {
    compare(SafetensorsDtype.BF16, values -> {
      float[] out = new float[values.length];
      for (int i = 0; i < values.length; i++) out[i] = nearestBfloat16(values[i]);
      return out;
    });
  }

  /** The bfloat16 value nearest to x (ties to an even last mantissa bit), by comparing neighbours. */
  static float nearestBfloat16(float x) {
    int bits = Float.floatToRawIntBits(x);
    float down = Float.intBitsToFloat(bits & 0xffff0000);
    float up = Float.intBitsToFloat((bits & 0xffff0000) + 0x10000);
    double dDown = Math.abs((double) x - down);
    double dUp = Math.abs((double) up - x);
    if (dDown != dUp) return dDown < dUp ? down : up;
    return ((Float.floatToRawIntBits(down) >>> 16) & 1) == 0 ? down : up;
  }

  private interface Upcast {
    float[] apply(float[] values);
  }

  private void compare(SafetensorsDtype dtype, Upcast upcast) throws IOException {
    Path half = tmp.resolve(dtype.name());
    Path upcastF32 = tmp.resolve("upcast");
    CheckpointCopy.write(Fixtures.llava15(), half, dtype,
        t -> new CheckpointCopy.Tensor(CheckpointCopy.modelPrefixed(t.key()), t.shape(), t.values()), c -> c);
    CheckpointCopy.write(Fixtures.llava15(), upcastF32, SafetensorsDtype.F32,
        t -> new CheckpointCopy.Tensor(t.key(), t.shape(), upcast.apply(t.values())), c -> c);
    try (SafetensorsReader r = SafetensorsReader.open(half)) {
      assertEquals(dtype, r.info("lm_head.weight").dtype());
    }

    float[] reference = Npy.read(Fixtures.llava15().resolve("expected/logits.npy")).toFloats();
    float[] fromHalf = logits(half, LlavaWeights.KeyLayout.MODEL_PREFIXED);
    float[] fromUpcast = logits(upcastF32, LlavaWeights.KeyLayout.CLASSIC);
    assertClose(dtype + " checkpoint vs upcast F32 checkpoint logits", fromUpcast, fromHalf, 1e-5);
    // The rounding really happened: the half checkpoint's logits moved away from the F32 fixture's.
    assertTrue(maxAbsDiff(reference, fromHalf) > 1e-4, dtype + " logits identical to F32: weights were not rounded?");
  }

  private static float[] logits(Path dir, LlavaWeights.KeyLayout expectedLayout) throws IOException {
    long[] ids = Npy.read(Fixtures.llava15().resolve("expected/input_ids.npy")).toLongs();
    Npy.Array px = Npy.read(Fixtures.llava15().resolve("expected/pixel_values.npy"));
    try (NDManager m = NDManager.newBaseManager()) {
      LlavaWeights weights = CheckpointLoader.load(dir, m);
      assertEquals(expectedLayout, weights.layout());
      try (LlavaModel model = new LlavaModel(weights); KvCache cache = model.newCache(ids.length)) {
        NDArray packed = model.projectAndPack(
            model.encodeImages(m.create(px.toFloats(), new Shape(px.shape()))), List.of(FixtureLayouts.LLAVA_15));
        return model.prefill(model.embedWithImages(ids, packed, m), cache, true).toFloatArray();
      }
    }
  }
}
