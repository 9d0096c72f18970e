package dev.llava.model.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Paints a {@link Scene} into an RGB image: background straight into the raster, objects antialiased. */
public final class SceneRenderer {
  // drawn sizes relative to the bounding radius R: a circle of 0.9 R, a square whose corners touch
  // R (side sqrt(2) R) and a triangle inscribed in R look about equally large
  private static final double CIRCLE_RADIUS = 0.9;
  private static final double OUTLINE_DARKEN = 0.55;
  // standard deviations of a uniform byte (0..255) and of the sum of four such bytes
  private static final double UNIFORM_BYTE_SD = Math.sqrt((256.0 * 256.0 - 1) / 12);
  private static final double IRWIN_HALL_4_SD = 2 * UNIFORM_BYTE_SD;

  private SceneRenderer() {}

  public static BufferedImage render(Scene scene) {
    BufferedImage image = new BufferedImage(scene.width(), scene.height(), BufferedImage.TYPE_INT_RGB);
    int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData(); // [height * width] 0xRRGGBB
    paintBackground(scene.background(), scene.width(), scene.height(), pixels);

    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      for (SceneObject object : scene.objects()) {
        Shape outline = outlineOf(object);
        g.setColor(new Color(object.rgb()));
        g.fill(outline);
        if (object.outlineWidth() > 0) {
          g.setColor(darker(object.rgb()));
          g.setStroke(new BasicStroke(object.outlineWidth(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
          g.draw(outline);
        }
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  /** The object's outline in image pixels. */
  static Shape outlineOf(SceneObject object) {
    double r = object.radius();
    Shape local = switch (object.shape()) {
      case CIRCLE -> new Ellipse2D.Double(-CIRCLE_RADIUS * r, -CIRCLE_RADIUS * r, 2 * CIRCLE_RADIUS * r,
          2 * CIRCLE_RADIUS * r);
      case SQUARE -> polygon(r, -135, 4);
      case TRIANGLE -> polygon(r, -90, 3);
    };
    AffineTransform placement = new AffineTransform();
    placement.translate(object.x(), object.y());
    placement.rotate(Math.toRadians(object.rotationDegrees()));
    return placement.createTransformedShape(local);
  }

  // regular polygon inscribed in a circle of the given radius; first vertex at startDegrees
  // (image coordinates: -90 points up)
  private static Path2D polygon(double radius, double startDegrees, int vertices) {
    Path2D.Double path = new Path2D.Double();
    for (int i = 0; i < vertices; i++) {
      double angle = Math.toRadians(startDegrees + 360.0 * i / vertices);
      double px = radius * Math.cos(angle);
      double py = radius * Math.sin(angle);
      if (i == 0) {
        path.moveTo(px, py);
      } else {
        path.lineTo(px, py);
      }
    }
    path.closePath();
    return path;
  }

  private static void paintBackground(Background background, int width, int height, int[] pixels) {
    switch (background.kind()) {
      case GRADIENT -> {
        for (int y = 0; y < height; y++) {
          double t = height == 1 ? 0 : (double) y / (height - 1);
          Arrays.fill(pixels, y * width, (y + 1) * width, mix(background.rgb(), background.rgbEnd(), t));
        }
      }
      case NOISY -> paintNoise(background, width, height, pixels);
      default -> Arrays.fill(pixels, background.rgb());
    }
  }

  // grey noise around the base colour, constant over noiseBlock x noiseBlock squares; a weaker
  // per-channel part adds colour speckle without ever reaching an object's saturation. One
  // nextLong per block feeds both: the sum of four uniform bytes is near-Gaussian (Irwin-Hall) and
  // ten times cheaper than nextGaussian, which mattered for per-pixel noise on large images.
  private static void paintNoise(Background background, int width, int height, int[] pixels) {
    SplittableRandom random = new SplittableRandom(background.noiseSeed());
    int block = Math.max(1, background.noiseBlock());
    int blocksX = (width + block - 1) / block;
    int[] rowOfBlocks = new int[blocksX]; // [blocksX] noisy 0xRRGGBB per block of the current block row
    int baseR = (background.rgb() >> 16) & 0xFF;
    int baseG = (background.rgb() >> 8) & 0xFF;
    int baseB = background.rgb() & 0xFF;
    double greyScale = background.noiseSigma() / IRWIN_HALL_4_SD;
    double colourScale = background.noiseSigma() / 3 / UNIFORM_BYTE_SD;
    for (int y = 0; y < height; y++) {
      if (y % block == 0) {
        for (int bx = 0; bx < blocksX; bx++) {
          long bits = random.nextLong();
          double grey = (byteAt(bits, 0) + byteAt(bits, 1) + byteAt(bits, 2) + byteAt(bits, 3) - 510) * greyScale;
          int r = clamp(baseR + grey + (byteAt(bits, 4) - 127.5) * colourScale);
          int g = clamp(baseG + grey + (byteAt(bits, 5) - 127.5) * colourScale);
          int b = clamp(baseB + grey + (byteAt(bits, 6) - 127.5) * colourScale);
          rowOfBlocks[bx] = (r << 16) | (g << 8) | b;
        }
      }
      int offset = y * width;
      for (int x = 0; x < width; x++) {
        pixels[offset + x] = rowOfBlocks[x / block];
      }
    }
  }

  private static int byteAt(long bits, int index) {
    return (int) (bits >>> (8 * index)) & 0xFF;
  }

  private static int mix(int from, int to, double t) {
    int r = clamp(((from >> 16) & 0xFF) * (1 - t) + ((to >> 16) & 0xFF) * t);
    int g = clamp(((from >> 8) & 0xFF) * (1 - t) + ((to >> 8) & 0xFF) * t);
    int b = clamp((from & 0xFF) * (1 - t) + (to & 0xFF) * t);
    return (r << 16) | (g << 8) | b;
  }

  private static Color darker(int rgb) {
    return new Color(clamp(((rgb >> 16) & 0xFF) * OUTLINE_DARKEN), clamp(((rgb >> 8) & 0xFF) * OUTLINE_DARKEN),
        clamp((rgb & 0xFF) * OUTLINE_DARKEN));
  }

  private static int clamp(double value) {
    return (int) Math.max(0, Math.min(255, Math.round(value)));
  }
}
