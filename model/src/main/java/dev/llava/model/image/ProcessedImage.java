package dev.llava.model.image;

/**
 * One image ready for the vision tower: its pixel tiles and where its features go.
 *
 * @param pixels {@code [layout.numTiles(), 3, S, S]}
 * @param layout tiles, unpad window and token count, computed from the original size
 */
public record ProcessedImage(PixelValues pixels, ImageLayout layout) {
  public ProcessedImage {
    if (pixels.tiles() != layout.numTiles()) {
      throw new IllegalStateException("layout expects " + layout.numTiles() + " tiles, pixels have "
          + pixels.tiles());
    }
  }
}
