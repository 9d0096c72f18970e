package dev.llava.engine.lm;

import dev.llava.engine.wire.ImageLayoutProtos;
import dev.llava.engine.wire.TensorCodec;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.proto.v1.EncodedImage;
import dev.llava.proto.v1.Tensor;
import java.util.List;

/**
 * Checks encoded images against the served model before any of them reaches the scheduler, so a bad tensor
 * fails its own request with INVALID_ARGUMENT (naming what differs and what was expected) instead of failing
 * on the scheduler thread. The layout must be exactly what this model's preprocessing computes for the image's
 * original size: that is what makes the features, the prompt's image tokens and the packing agree.
 */
final class ImageFeatureReader {
  private final LlavaRuntime runtime;

  ImageFeatureReader(LlavaRuntime runtime) {
    this.runtime = runtime;
  }

  /** The layout of image {@code index}, checked against this model's preprocessing. */
  ImageLayout layout(int index, EncodedImage image) {
    if (!image.hasLayout()) {
      throw new IllegalArgumentException("image " + index + ": layout is required (as returned by "
          + "VisionEncoder.Encode)");
    }
    ImageLayout got = ImageLayoutProtos.toModel(image.getLayout());
    ImageLayout expected;
    try {
      expected = runtime.imageProcessor().layout(got.originalHeight(), got.originalWidth());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("image " + index + ": layout " + e.getMessage(), e);
    }
    String diff = ImageLayoutProtos.differences(got, expected);
    if (!diff.isEmpty()) {
      throw new IllegalArgumentException("image " + index + ": layout does not match this model's preprocessing "
          + "of a " + got.originalHeight() + "x" + got.originalWidth() + " (height x width) image: " + diff);
    }
    return got;
  }

  /**
   * Checks the feature tensor's shape against the layout and the model, then decodes it:
   * {@code [tiles, patchesPerTile, visionWidth]} float32, row-major.
   */
  float[] features(int index, EncodedImage image, ImageLayout layout) {
    checkShape(index, image, layout);
    try {
      return TensorCodec.decode(image.getFeatures());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("image " + index + ": features " + e.getMessage(), e);
    }
  }

  /** Shape checks only (CountTokens need not decode the bytes). */
  void checkShape(int index, EncodedImage image, ImageLayout layout) {
    String expected = "[" + layout.numTiles() + ", " + runtime.patchesPerTile() + ", " + runtime.visionWidth() + "]";
    if (!image.hasFeatures()) {
      throw new IllegalArgumentException("image " + index + ": features are required, expected a tensor of shape "
          + expected);
    }
    Tensor t = image.getFeatures();
    List<Long> shape = t.getShapeList();
    if (shape.size() != 3) {
      throw new IllegalArgumentException("image " + index + ": features must have rank 3 [tiles, patches_per_tile, "
          + "vision_width] = " + expected + ", got shape " + shape);
    }
    if (shape.get(0) != layout.numTiles()) {
      throw new IllegalArgumentException("image " + index + ": features have " + shape.get(0) + " tiles, its layout ("
          + tilesDescription(layout) + ") needs " + layout.numTiles() + "; expected shape " + expected);
    }
    if (shape.get(1) != runtime.patchesPerTile()) {
      throw new IllegalArgumentException("image " + index + ": features have " + shape.get(1) + " patches per tile, "
          + "this model's vision tower gives " + runtime.patchesPerTile() + "; expected shape " + expected);
    }
    if (shape.get(2) != runtime.visionWidth()) {
      throw new IllegalArgumentException("image " + index + ": features have width " + shape.get(2) + ", this "
          + "model's vision hidden size is " + runtime.visionWidth() + "; expected shape " + expected);
    }
  }

  private static String tilesDescription(ImageLayout l) {
    return l.anyRes() ? "base + " + l.gridRows() + "x" + l.gridCols() + " grid" : "one tile, no AnyRes";
  }
}
