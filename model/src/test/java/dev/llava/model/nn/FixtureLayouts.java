package dev.llava.model.nn;

import dev.llava.model.image.ImageLayout;

/**
 * The image layouts of the two reference fixtures, spelled out from their expected/README.md
 * (this package takes layouts as input; computing them is the image package's job).
 */
final class FixtureLayouts {
  private FixtureLayouts() {}

  /** tiny-llava-1.5: one 517x301 image, one 336px tile, 576 tokens. */
  static final ImageLayout LLAVA_15 = new ImageLayout(301, 517, 336, 336, 0, 0, 336, 24, 0, 0, 0, 0, 576);

  /**
   * tiny-llava-next: 1001x699 image, best 672x672, 2x2 grid; feature grid 48x48 unpadded to 34x48
   * (rows (48-34)/2 = 7 ..41); 576 + 34*48 + 34 = 2242 tokens.
   */
  static final ImageLayout LLAVA_NEXT = new ImageLayout(699, 1001, 672, 672, 2, 2, 336, 24, 34, 48, 7, 0, 2242);
}
