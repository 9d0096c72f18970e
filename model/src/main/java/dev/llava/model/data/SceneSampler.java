package dev.llava.model.data;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Draws random scenes: image size and aspect ratio, background, and one to four non-overlapping
 * objects. Each object gets its own region and its bounding circle stays inside that region's grid
 * cell, which makes both "no overlap" and "unambiguous position" hold by construction.
 */
public final class SceneSampler {
  /** Smallest image side; matches the smallest CLIP input we expect (224). */
  public static final int MIN_SIDE = 224;
  /** Largest image side; large enough that AnyRes picks multi-tile grids. */
  public static final int MAX_SIDE = 900;
  public static final int MAX_OBJECTS = 4;

  // object bounding radius as a fraction of the smaller grid-cell side
  private static final double MIN_RADIUS = 0.25;
  private static final double MAX_RADIUS = 0.45;
  // how far a centre may move from its cell centre, as a fraction of the free room in the cell;
  // below 1 so a centre never comes near a grid line
  private static final double CENTRE_JITTER = 0.7;

  private SceneSampler() {}

  public static Scene sample(RandomGenerator random) {
    int width = side(random);
    // a third of the images are square: common in real data and the simplest AnyRes grid
    int height = random.nextDouble() < 0.35 ? width : side(random);
    Background background = sampleBackground(random);

    int objectCount = random.nextInt(1, MAX_OBJECTS + 1);
    Region[] regions = Region.values().clone();
    shuffle(regions, random);
    List<SceneObject> objects = new ArrayList<>(objectCount);
    for (Region region : Arrays.copyOf(regions, objectCount)) {
      objects.add(sampleObject(region, width, height, random));
    }
    return new Scene(width, height, background, objects);
  }

  // log-uniform in [MIN_SIDE, MAX_SIDE]: every AnyRes grid still occurs, but small images are more
  // common, which keeps the average image (and its encode/decode time) about a third smaller
  private static int side(RandomGenerator random) {
    double logSide = random.nextDouble(Math.log(MIN_SIDE), Math.log(MAX_SIDE + 1));
    return Math.min(MAX_SIDE, (int) Math.exp(logSide));
  }

  private static SceneObject sampleObject(Region region, int width, int height, RandomGenerator random) {
    ShapeKind shape = ShapeKind.values()[random.nextInt(ShapeKind.values().length)];
    ShapeColor color = ShapeColor.values()[random.nextInt(ShapeColor.values().length)];
    double cellWidth = width / 3.0;
    double cellHeight = height / 3.0;
    double radius = random.nextDouble(MIN_RADIUS, MAX_RADIUS) * Math.min(cellWidth, cellHeight);
    // |offset| <= 0.7 * (cell/2 - radius) keeps the bounding circle inside the cell
    double x = (region.column() + 0.5) * cellWidth
        + random.nextDouble(-1, 1) * CENTRE_JITTER * (cellWidth / 2 - radius);
    double y = (region.row() + 0.5) * cellHeight
        + random.nextDouble(-1, 1) * CENTRE_JITTER * (cellHeight / 2 - radius);
    double rotation = switch (shape) {
      case CIRCLE -> 0;
      case SQUARE -> random.nextBoolean() ? 0 : random.nextDouble(-15, 15);
      // mostly apex-up as most drawing programs do, sometimes any orientation
      case TRIANGLE -> random.nextDouble() < 0.7 ? random.nextDouble(-8, 8) : random.nextDouble(0, 360);
    };
    int outline = random.nextDouble() < 0.25 ? random.nextInt(1, 4) : 0;
    return new SceneObject(shape, color, region, round2(x), round2(y), round2(radius), round2(rotation),
        color.sampleRgb(random), outline);
  }

  private static Background sampleBackground(RandomGenerator random) {
    double pick = random.nextDouble();
    if (pick < 0.30) {
      return Background.plain(Background.Kind.PLAIN_LIGHT, light(random));
    } else if (pick < 0.45) {
      return Background.plain(Background.Kind.PLAIN_DARK, dark(random));
    } else if (pick < 0.65) {
      // low saturation keeps a tinted background from reading as an object colour
      boolean pastel = random.nextDouble() < 0.7;
      int rgb = pastel
          ? hsb(random.nextDouble(0, 360), random.nextDouble(0.05, 0.18), random.nextDouble(0.85, 1.0))
          : hsb(random.nextDouble(0, 360), random.nextDouble(0.10, 0.30), random.nextDouble(0.12, 0.30));
      return Background.plain(Background.Kind.TINTED, rgb);
    } else if (pick < 0.80) {
      boolean lightPair = random.nextDouble() < 0.7;
      int top = lightPair ? light(random) : dark(random);
      int bottom = lightPair ? light(random) : dark(random);
      return new Background(Background.Kind.GRADIENT, top, bottom, 0, 1, 0);
    } else {
      int base = random.nextDouble() < 0.7 ? light(random) : dark(random);
      return new Background(Background.Kind.NOISY, base, base, round2(random.nextDouble(6, 20)),
          random.nextInt(1, 5), random.nextLong());
    }
  }

  private static int light(RandomGenerator random) {
    return hsb(random.nextDouble(0, 360), random.nextDouble(0, 0.05), random.nextDouble(0.85, 1.0));
  }

  private static int dark(RandomGenerator random) {
    return hsb(random.nextDouble(0, 360), random.nextDouble(0, 0.10), random.nextDouble(0.04, 0.25));
  }

  private static int hsb(double hueDegrees, double saturation, double brightness) {
    return Color.HSBtoRGB((float) (hueDegrees / 360.0), (float) saturation, (float) brightness) & 0xFFFFFF;
  }

  // geometry is stored in the JSON metadata; two decimals keep it short and exactly reproducible
  private static double round2(double value) {
    return Math.round(value * 100.0) / 100.0;
  }

  static <T> void shuffle(T[] items, RandomGenerator random) {
    for (int i = items.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T swap = items[i];
      items[i] = items[j];
      items[j] = swap;
    }
  }
}
