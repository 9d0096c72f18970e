package dev.llava.model.data;

import java.util.Locale;
import java.util.Optional;

/**
 * Where an object is: the cell of a 3x3 grid over the image that holds the object's centre.
 * Only the four edge-middle cells and the centre cell are named; the corner cells are never used,
 * because "top-left" has no single-word answer. The generator keeps every centre well inside its
 * cell (away from the grid lines), so the answer never depends on a pixel near a border.
 *
 * <pre>
 *   .     | top    | .
 *   left  | center | right
 *   .     | bottom | .
 * </pre>
 */
public enum Region {
  LEFT(0, 1, "on the left"),
  RIGHT(2, 1, "on the right"),
  TOP(1, 0, "at the top"),
  BOTTOM(1, 2, "at the bottom"),
  CENTER(1, 1, "in the center");

  private final int column;
  private final int row;
  private final String phrase;

  Region(int column, int row, String phrase) {
    this.column = column;
    this.row = row;
    this.phrase = phrase;
  }

  /** Grid column 0..2 (left to right). */
  public int column() {
    return column;
  }

  /** Grid row 0..2 (top to bottom). */
  public int row() {
    return row;
  }

  /** Single-word answer ("left", "center"). */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Prepositional phrase for captions ("on the left", "in the center"). */
  public String phrase() {
    return phrase;
  }

  /**
   * The region holding the point (x, y) of a width x height image, or empty for a corner cell.
   * This is the definition of "position": tests re-derive answers with it.
   */
  public static Optional<Region> of(double x, double y, int width, int height) {
    int column = Math.min(2, Math.max(0, (int) Math.floor(3.0 * x / width)));
    int row = Math.min(2, Math.max(0, (int) Math.floor(3.0 * y / height)));
    for (Region region : values()) {
      if (region.column == column && region.row == row) {
        return Optional.of(region);
      }
    }
    return Optional.empty();
  }

  public static Region fromWord(String word) {
    for (Region region : values()) {
      if (region.word().equals(word)) {
        return region;
      }
    }
    throw new IllegalArgumentException("unknown position '" + word + "', expected one of left, right, top, bottom, center");
  }
}
