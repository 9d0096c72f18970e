package dev.llava.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.llava.model.image.ImageLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Packing order on features whose values name their origin: value = tile * 1000 + token index
 * (tiles of 2x2 patches, width-1 features), newline = -7.
 */
class NextFeaturePackerTest {
  private static final float NEWLINE = -7f;

  private static NDArray tiles(NDManager m, int count) {
    float[] v = new float[count * 4];
    for (int t = 0; t < count; t++) for (int k = 0; k < 4; k++) v[t * 4 + k] = t * 1000 + k;
    return m.create(v, new Shape(count, 4, 1));
  }

  /** 1x2 grid (feature map 2x4), unpadded to columns 1..2. */
  private static final ImageLayout WIDE = new ImageLayout(10, 5, 2, 4, 1, 2, 2, 2, 2, 2, 0, 1, 4 + 2 * 2 + 2);
  private static final ImageLayout SINGLE = new ImageLayout(4, 4, 2, 2, 0, 0, 2, 2, 0, 0, 0, 0, 4);

  @Test
  void baseFirstThenUnpaddedGridRowsEachFollowedByNewline() {
    try (NDManager m = NDManager.newBaseManager()) {
      NextFeaturePacker packer = new NextFeaturePacker(m.create(new float[] {NEWLINE}));
      NDArray packed = packer.pack(tiles(m, 3), List.of(WIDE));
      // grid(r, c) = tile 1 + c / 2, token (r % 2) * 2 + c % 2; kept columns 1 and 2.
      assertArrayEquals(new float[] {0, 1, 2, 3, 1001, 2000, NEWLINE, 1003, 2002, NEWLINE}, packed.toFloatArray());
      assertEquals(new Shape(10, 1), packed.getShape());
    }
  }

  @Test
  void singleTileNextImageGetsOneNewlineAndLlava15GetsNone() {
    try (NDManager m = NDManager.newBaseManager()) {
      NextFeaturePacker next = new NextFeaturePacker(m.create(new float[] {NEWLINE}));
      ImageLayout singleNext = new ImageLayout(4, 4, 2, 2, 0, 0, 2, 2, 0, 0, 0, 0, 5);
      assertArrayEquals(new float[] {0, 1, 2, 3, NEWLINE}, next.pack(tiles(m, 1), List.of(singleNext)).toFloatArray());
      NextFeaturePacker llava15 = new NextFeaturePacker(null);
      assertArrayEquals(new float[] {0, 1, 2, 3, 1000, 1001, 1002, 1003},
          llava15.pack(tiles(m, 2), List.of(SINGLE, SINGLE)).toFloatArray());
    }
  }

  @Test
  void imagesArePackedInOrderWithTheirOwnTiles() {
    try (NDManager m = NDManager.newBaseManager()) {
      NextFeaturePacker packer = new NextFeaturePacker(m.create(new float[] {NEWLINE}));
      ImageLayout singleNext = new ImageLayout(4, 4, 2, 2, 0, 0, 2, 2, 0, 0, 0, 0, 5);
      float[] packed = packer.pack(tiles(m, 4), List.of(singleNext, WIDE)).toFloatArray();
      assertArrayEquals(new float[] {0, 1, 2, 3, NEWLINE, 1000, 1001, 1002, 1003, 2001, 3000, NEWLINE, 2003, 3002, NEWLINE},
          packed);
    }
  }

  @Test
  void contractViolationsNameBothNumbers() {
    try (NDManager m = NDManager.newBaseManager()) {
      NextFeaturePacker packer = new NextFeaturePacker(m.create(new float[] {NEWLINE}));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> packer.pack(tiles(m, 4), List.of(WIDE)));
      assertEquals("image layouts need 3 tiles, features have 4", e.getMessage());
      ImageLayout wrongCount = new ImageLayout(10, 5, 2, 4, 1, 2, 2, 2, 2, 2, 0, 1, 11);
      e = assertThrows(IllegalArgumentException.class, () -> packer.pack(tiles(m, 3), List.of(wrongCount)));
      assertEquals("image 0: layout says 11 image tokens, packed features have 10 rows", e.getMessage());
      ImageLayout outside = new ImageLayout(10, 5, 2, 4, 1, 2, 2, 2, 2, 2, 1, 1, 10);
      e = assertThrows(IllegalArgumentException.class, () -> packer.pack(tiles(m, 3), List.of(outside)));
      assertEquals("image 0: unpadded window rows [1, 3) x cols [1, 3) does not fit the 2x4 feature grid", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> new NextFeaturePacker(null).pack(tiles(m, 3), List.of(WIDE)));
      assertEquals("image 0: an AnyRes layout (1x2 grid) needs a LLaVA-NeXT model with image_newline", e.getMessage());
    }
  }
}
