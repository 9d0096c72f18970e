package dev.llava.engine.wire;

import dev.llava.model.image.ImageLayout;

/** The wire {@code llava.v1.ImageLayout} and the model's {@link ImageLayout} are the same fields. */
public final class ImageLayoutProtos {
  private ImageLayoutProtos() {}

  public static ImageLayout toModel(dev.llava.proto.v1.ImageLayout p) {
    return new ImageLayout(p.getOriginalHeight(), p.getOriginalWidth(), p.getBestHeight(), p.getBestWidth(),
        p.getGridRows(), p.getGridCols(), p.getTileSize(), p.getPatchesPerSide(), p.getUnpaddedRows(),
        p.getUnpaddedCols(), p.getRowOffset(), p.getColOffset(), p.getImageTokens());
  }

  public static dev.llava.proto.v1.ImageLayout toProto(ImageLayout l) {
    return dev.llava.proto.v1.ImageLayout.newBuilder()
        .setOriginalHeight(l.originalHeight()).setOriginalWidth(l.originalWidth())
        .setBestHeight(l.bestHeight()).setBestWidth(l.bestWidth())
        .setGridRows(l.gridRows()).setGridCols(l.gridCols())
        .setTileSize(l.tileSize()).setPatchesPerSide(l.patchesPerSide())
        .setUnpaddedRows(l.unpaddedRows()).setUnpaddedCols(l.unpaddedCols())
        .setRowOffset(l.rowOffset()).setColOffset(l.colOffset())
        .setImageTokens(l.imageTokens())
        .build();
  }

  /** "image_tokens 600 (expected 576), grid_rows 1 (expected 2)" for every field that differs, or "". */
  public static String differences(ImageLayout got, ImageLayout expected) {
    StringBuilder b = new StringBuilder();
    diff(b, "best_height", got.bestHeight(), expected.bestHeight());
    diff(b, "best_width", got.bestWidth(), expected.bestWidth());
    diff(b, "grid_rows", got.gridRows(), expected.gridRows());
    diff(b, "grid_cols", got.gridCols(), expected.gridCols());
    diff(b, "tile_size", got.tileSize(), expected.tileSize());
    diff(b, "patches_per_side", got.patchesPerSide(), expected.patchesPerSide());
    diff(b, "unpadded_rows", got.unpaddedRows(), expected.unpaddedRows());
    diff(b, "unpadded_cols", got.unpaddedCols(), expected.unpaddedCols());
    diff(b, "row_offset", got.rowOffset(), expected.rowOffset());
    diff(b, "col_offset", got.colOffset(), expected.colOffset());
    diff(b, "image_tokens", got.imageTokens(), expected.imageTokens());
    return b.toString();
  }

  private static void diff(StringBuilder b, String field, int got, int expected) {
    if (got != expected) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(field).append(' ').append(got).append(" (expected ").append(expected).append(')');
    }
  }
}
