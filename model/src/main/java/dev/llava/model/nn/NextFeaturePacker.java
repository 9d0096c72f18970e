package dev.llava.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.llava.model.image.ImageLayout;
import java.util.List;

/**
 * Turns projected tile features into the rows that replace an image's {@code <image>} tokens
 * (HF LlavaNextForConditionalGeneration.pack_image_features).
 *
 * <p>LLaVA-NeXT, per image: the base tile's rows first; then the grid tiles (row-major, each
 * {@code p x p} patches row-major) reassembled into a {@code (rows*p) x (cols*p)} feature map,
 * cropped to the unpadded window of the layout, and read row by row with {@code image_newline}
 * after every row. A NeXT image with a single tile is its rows plus one newline. LLaVA-1.5 (no
 * newline weight): just the tile's rows.
 */
public final class NextFeaturePacker {
  private final NDArray imageNewline; // [Ht], null for LLaVA-1.5

  public NextFeaturePacker(NDArray imageNewline) {
    this.imageNewline = imageNewline;
  }

  /**
   * @param projected [total tiles, tokens per tile, Ht]: all images' tiles in order
   * @param layouts one per image, in the same order
   * @return [sum of imageTokens, Ht] in projected's manager
   */
  public NDArray pack(NDArray projected, List<ImageLayout> layouts) {
    long totalTiles = projected.getShape().get(0);
    long expectedTiles = 0;
    for (ImageLayout l : layouts) expectedTiles += l.numTiles();
    if (expectedTiles != totalTiles) {
      throw new IllegalArgumentException("image layouts need " + expectedTiles + " tiles, features have " + totalTiles);
    }
    try (NDManager scope = NDManager.subManagerOf(projected)) {
      projected.tempAttach(scope);
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
      return scope.ret(pieces.size() == 1 ? pieces.get(0).duplicate() : NDArrays.concat(pieces, 0));
    }
  }

  private NDList packImage(NDArray projected, int tile, ImageLayout layout, int imageIndex) {
    NDArray base = projected.get(tile); // [tokens, Ht]
    if (imageNewline == null) {
      if (layout.anyRes()) {
        throw new IllegalArgumentException("image " + imageIndex + ": an AnyRes layout (" + layout.gridRows() + "x"
            + layout.gridCols() + " grid) needs a LLaVA-NeXT model with image_newline");
      }
      return new NDList(base);
    }
    if (!layout.anyRes()) return new NDList(base, newlineRows(base, 1));

    int p = layout.patchesPerSide();
    long tokens = projected.getShape().get(1);
    long hidden = projected.getShape().get(2);
    if (tokens != (long) p * p) {
      throw new IllegalArgumentException("image " + imageIndex + ": AnyRes needs " + p + "x" + p + " = " + (p * p)
          + " tokens per tile, features have " + tokens);
    }
    int rows = layout.gridRows();
    int cols = layout.gridCols();
    if (layout.rowOffset() < 0 || layout.colOffset() < 0
        || layout.rowOffset() + layout.unpaddedRows() > rows * p
        || layout.colOffset() + layout.unpaddedCols() > cols * p) {
      throw new IllegalArgumentException("image " + imageIndex + ": unpadded window rows [" + layout.rowOffset() + ", "
          + (layout.rowOffset() + layout.unpaddedRows()) + ") x cols [" + layout.colOffset() + ", "
          + (layout.colOffset() + layout.unpaddedCols()) + ") does not fit the " + (rows * p) + "x" + (cols * p)
          + " feature grid");
    }
    NDArray grid = projected.get(new NDIndex().addSliceDim(tile + 1, tile + 1 + (long) rows * cols))
        .reshape(rows, cols, p, p, hidden)
        .transpose(0, 2, 1, 3, 4) // [rows, p, cols, p, Ht]
        .reshape((long) rows * p, (long) cols * p, hidden)
        .get(new NDIndex()
            .addSliceDim(layout.rowOffset(), layout.rowOffset() + layout.unpaddedRows())
            .addSliceDim(layout.colOffset(), layout.colOffset() + layout.unpaddedCols())); // [uR, uC, Ht]
    NDArray newline = newlineRows(base, layout.unpaddedRows()).reshape(layout.unpaddedRows(), 1, hidden);
    NDArray withNewlines = NDArrays.concat(new NDList(grid, newline), 1) // [uR, uC + 1, Ht]
        .reshape((long) layout.unpaddedRows() * (layout.unpaddedCols() + 1), hidden);
    return new NDList(base, withNewlines);
  }

  /** [count, Ht] copies of image_newline, created from {@code like} so they land in its manager. */
  private NDArray newlineRows(NDArray like, long count) {
    long hidden = like.getShape().get(1);
    if (imageNewline.getShape().get(0) != hidden) {
      throw new IllegalArgumentException("image_newline has width " + imageNewline.getShape().get(0)
          + ", projected features " + hidden);
    }
    return like.get(new NDIndex().addSliceDim(0, 1)).zerosLike().reshape(1, hidden).repeat(0, count).addi(imageNewline);
  }
}
