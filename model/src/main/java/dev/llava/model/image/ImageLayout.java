package dev.llava.model.image;

/**
 * Where one image's features sit: computed from the image size alone (no pixels needed), shared by
 * the image processor (which tiles), the feature packer (which unpads) and pre-flight token counting.
 *
 * <p>LLaVA-1.5 (no AnyRes): {@code gridRows == gridCols == 0}, {@code best == tile}, one tile.
 * LLaVA-NeXT: tile 0 is the squashed base image, then {@code gridRows x gridCols} tiles row-major.
 * The feature map of the grid is {@code (gridRows*patchesPerSide) x (gridCols*patchesPerSide)};
 * unpadding keeps rows {@code [rowOffset, rowOffset+unpaddedRows)} and columns
 * {@code [colOffset, colOffset+unpaddedCols)}.
 *
 * @param originalHeight image height in pixels before any processing
 * @param originalWidth image width in pixels
 * @param bestHeight chosen AnyRes resolution height (== tileSize without AnyRes)
 * @param bestWidth chosen AnyRes resolution width
 * @param gridRows tile rows of the AnyRes grid (0 without AnyRes)
 * @param gridCols tile columns of the AnyRes grid (0 without AnyRes)
 * @param tileSize CLIP input size S (336)
 * @param patchesPerSide S / patch_size (24)
 * @param unpaddedRows feature rows kept after unpad (0 without AnyRes)
 * @param unpaddedCols feature columns kept after unpad
 * @param rowOffset first kept feature row
 * @param colOffset first kept feature column
 * @param imageTokens number of {@code <image>} tokens this image expands to
 */
public record ImageLayout(
    int originalHeight,
    int originalWidth,
    int bestHeight,
    int bestWidth,
    int gridRows,
    int gridCols,
    int tileSize,
    int patchesPerSide,
    int unpaddedRows,
    int unpaddedCols,
    int rowOffset,
    int colOffset,
    int imageTokens) {

  public boolean anyRes() {
    return gridRows > 0;
  }

  /** Tiles fed to CLIP: 1 without AnyRes, otherwise the base image plus the grid. */
  public int numTiles() {
    return anyRes() ? 1 + gridRows * gridCols : 1;
  }
}
