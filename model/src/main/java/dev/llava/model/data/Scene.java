package dev.llava.model.data;

import java.util.List;
import java.util.Optional;

/**
 * Everything needed to draw one image and to answer every question about it. Answers are computed
 * from this record only, never from pixels, so they are correct by construction.
 *
 * @param width image width in pixels
 * @param height image height in pixels
 * @param background how the background is painted
 * @param objects one to four objects, each in its own region
 */
public record Scene(int width, int height, Background background, List<SceneObject> objects) {

  public Scene {
    objects = List.copyOf(objects);
  }

  public long count(ShapeKind shape) {
    return objects.stream().filter(o -> o.shape() == shape).count();
  }

  public long count(ShapeColor color) {
    return objects.stream().filter(o -> o.color() == color).count();
  }

  public long count(ShapeColor color, ShapeKind shape) {
    return objects.stream().filter(o -> o.color() == color && o.shape() == shape).count();
  }

  /** The only object of this shape, or empty when there are none or several. */
  public Optional<SceneObject> unique(ShapeKind shape) {
    return count(shape) == 1 ? objects.stream().filter(o -> o.shape() == shape).findFirst() : Optional.empty();
  }

  /** The only object of this colour, or empty when there are none or several. */
  public Optional<SceneObject> unique(ShapeColor color) {
    return count(color) == 1 ? objects.stream().filter(o -> o.color() == color).findFirst() : Optional.empty();
  }

  /** The only object of this colour and shape, or empty when there are none or several. */
  public Optional<SceneObject> unique(ShapeColor color, ShapeKind shape) {
    return count(color, shape) == 1
        ? objects.stream().filter(o -> o.color() == color && o.shape() == shape).findFirst()
        : Optional.empty();
  }

  /** The object in this region (regions hold at most one object), if any. */
  public Optional<SceneObject> in(Region region) {
    return objects.stream().filter(o -> o.region() == region).findFirst();
  }
}
