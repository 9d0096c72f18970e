package dev.llava.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.Fixtures;
import dev.llava.model.checkpoint.ModelPart;
import dev.llava.model.io.Npy;
import java.io.IOException;
import java.util.Arrays;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Errors a caller can cause at the model's API, with both numbers in the message. */
class LlavaModelContractTest {
  @Test
  void imageTokenAndFeatureCountsMustAgree() throws IOException {
    long[] ids = Npy.read(Fixtures.llava15().resolve("expected/input_ids.npy")).toLongs();
    try (LlavaModel model = LlavaModel.load(Fixtures.llava15()); NDManager m = NDManager.newBaseManager()) {
      NDArray features = m.zeros(new Shape(576, 64));
      long[] oneLess = Arrays.stream(ids).filter(new java.util.function.LongPredicate() {
        boolean dropped;

        @Override
        public boolean test(long id) {
          if (!dropped && id == 384) {
            dropped = true;
            return false;
          }
          return true;
        }
      }).toArray();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.embedWithImages(oneLess, features, m));
      assertEquals("image tokens: 575, image features: 576", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> model.embedWithImages(ids, null, m));
      assertEquals("image tokens: 576, image features: 0", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> model.encodeImages(m.zeros(new Shape(1, 3, 224, 224))));
      assertEquals("pixel values must be [tiles, 3, 336, 336], got (1, 3, 224, 224)", e.getMessage());
    }
  }

  @Test
  void visionOnlyModelRefusesTextWork() throws IOException {
    try (LlavaModel model = LlavaModel.load(Fixtures.llava15(), Devices.preferred(), EnumSet.of(ModelPart.VISION))) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.newCache(4));
      assertTrue(e.getMessage().contains("loaded without TEXT"), e.getMessage());
    }
  }
}
