package dev.llava.engine.vision;

import dev.llava.model.image.ImageLayout;

/**
 * One image's pre-projector CLIP features.
 *
 * @param features {@code [tiles, patchesPerTile, width]} row-major float32
 * @param tiles number of tiles (1 without AnyRes; base + grid with AnyRes)
 * @param patchesPerTile feature rows per tile (576 for 336/14 with the default strategy)
 * @param width CLIP hidden size
 * @param layout where the features go when packed
 * @param digest {@code sha256:<hex>} of the encoded image bytes
 */
public record EncodedFeatures(float[] features, int tiles, int patchesPerTile, int width, ImageLayout layout,
    String digest) {

  public EncodedFeatures {
    long expected = (long) tiles * patchesPerTile * width;
    if (features.length != expected) {
      throw new IllegalArgumentException("features hold " + features.length + " values, expected tiles "
          + tiles + " x patches " + patchesPerTile + " x width " + width + " = " + expected);
    }
  }

  public long byteSize() {
    return 4L * features.length;
  }
}
