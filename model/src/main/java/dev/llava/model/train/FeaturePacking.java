package dev.llava.model.train;

import static dev.llava.model.train.Activations.linear;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.LlavaConfig;
import dev.llava.model.config.ProjectorType;
import dev.llava.model.image.ImageLayout;
import java.util.List;

/**
 * Projector and LLaVA-NeXT packing for autograd (HF {@code LlavaMultiModalProjector} and
 * {@code pack_image_features}): per image the base tile's rows, then the grid tiles reassembled into one feature
 * map, cropped to the unpadded window, with {@code image_newline} after every row. Mirrors
 * {@code nn.MultiModalProjector} / {@code nn.NextFeaturePacker}, but never clones (DJL's duplicate() cuts the
 * graph) and never adds in place.
 */
final class FeaturePacking {
  private final LlavaConfig config;
  private final LlavaWeights.Projector w;
  private final NDArray imageNewline; // [Ht], null for LLaVA-1.5

  FeaturePacking(LlavaConfig config, LlavaWeights.Projector projector, NDArray imageNewline) {
    this.config = config;
    this.w = projector;
    this.imageNewline = imageNewline;
  }

  /** [..., Hv] -> [..., Ht] in features' manager. */
  NDArray project(NDArray features) {
    NDArray h = linear(features, w.linear1Weight(), w.linear1Bias());
    if (config.projectorType() == ProjectorType.LINEAR) return h;
    return linear(Activations.apply(config.projectorHiddenAct(), h), w.linear2Weight(), w.linear2Bias());
  }

  /**
   * @param projected [total tiles, tokens per tile, Ht], all images' tiles in order
   * @return [sum of imageTokens, Ht] in projected's manager: the rows replacing the image tokens, in order
   */
  NDArray pack(NDArray projected, List<ImageLayout> layouts) {
    long expectedTiles = layouts.stream().mapToLong(ImageLayout::numTiles).sum();
    if (expectedTiles != projected.getShape().get(0)) {
      throw new IllegalArgumentException("image layouts need " + expectedTiles + " tiles, features have "
          + projected.getShape().get(0));
    }
    NDList pieces = new NDList();
    int tile = 0;
    for (int i = 0; i < layouts.size(); i++) {
      ImageLayout layout = layouts.get(i);
      NDList image = packImage(projected, tile, layout, i);
      long rows = 0;
      for (NDArray a : image) rows += a.getShape().get(0);
      if (rows != layout.imageTokens()) {
        throw new IllegalArgumentException("image " + i + ": layout says " + layout.imageTokens()
            + " image tokens, packed features have " + rows + " rows");
      }
      pieces.addAll(image);
      tile += layout.numTiles();
    }
    return pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(pieces, 0);
  }

  private NDList packImage(NDArray projected, int tile, ImageLayout layout, int index) {
    NDArray base = projected.get(tile); // [tokens, Ht]
    long hidden = projected.getShape().get(2);
    if (imageNewline == null) {
      if (layout.anyRes()) {
        throw new IllegalArgumentException("image " + index + ": an AnyRes layout needs a LLaVA-NeXT model with"
            + " image_newline");
      }
      return new NDList(base);
    }
    if (!layout.anyRes()) return new NDList(base, newlines(base, 1));
    int p = layout.patchesPerSide();
    int rows = layout.gridRows();
    int cols = layout.gridCols();
    NDArray grid = projected.get(new NDIndex().addSliceDim(tile + 1, tile + 1 + (long) rows * cols))
        .reshape(rows, cols, p, p, hidden)
        .transpose(0, 2, 1, 3, 4) // [rows, p, cols, p, Ht]
        .reshape((long) rows * p, (long) cols * p, hidden)
        .get(new NDIndex()
            .addSliceDim(layout.rowOffset(), layout.rowOffset() + layout.unpaddedRows())
            .addSliceDim(layout.colOffset(), layout.colOffset() + layout.unpaddedCols())); // [uR, uC, Ht]
    NDArray newline = newlines(base, layout.unpaddedRows()).reshape(layout.unpaddedRows(), 1, hidden);
    NDArray withNewlines = NDArrays.concat(new NDList(grid, newline), 1)
        .reshape((long) layout.unpaddedRows() * (layout.unpaddedCols() + 1), hidden);
    return new NDList(base, withNewlines);
  }

  /** [count, Ht] rows of image_newline, made from an activation so they land in its manager. */
  private NDArray newlines(NDArray like, long count) {
    long hidden = like.getShape().get(1);
    return like.get(new NDIndex().addSliceDim(0, 1)).zerosLike().repeat(0, count).add(imageNewline);
  }
}
