package dev.llava.model.data;

/**
 * One drawn object. Geometry is in pixels of the scene's image.
 *
 * @param shape what it is
 * @param color its colour family (the answer)
 * @param region the grid cell holding (x, y); always {@code Region.of(x, y, w, h)}
 * @param x centre column in pixels
 * @param y centre row in pixels
 * @param radius radius of the circle that bounds the drawn shape (objects never overlap because
 *     these bounding circles lie inside distinct grid cells)
 * @param rotationDegrees clockwise rotation of squares and triangles (0 = axis-aligned / apex up)
 * @param rgb the exact fill drawn, 0xRRGGBB
 * @param outlineWidth width in pixels of a darker outline, 0 for none
 */
public record SceneObject(
    ShapeKind shape,
    ShapeColor color,
    Region region,
    double x,
    double y,
    double radius,
    double rotationDegrees,
    int rgb,
    int outlineWidth) {

  /** "red circle". */
  public String noun() {
    return color.word() + " " + shape.word();
  }
}
