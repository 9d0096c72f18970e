package dev.llava.orchestrator.testing;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Random;
import javax.imageio.ImageIO;

/** Real encoded images made with ImageIO, for requests. */
public final class TestImages {
  private TestImages() {}

  /** A solid-colour image (compresses to a few hundred bytes whatever its size). */
  public static byte[] solid(String format, int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    var g = image.createGraphics();
    g.setColor(new Color(200, 40, 90));
    g.fillRect(0, 0, width, height);
    g.dispose();
    return write(image, format);
  }

  /** Random pixels: a PNG of about 3 * width * height bytes. */
  public static byte[] noisePng(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(7);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    return write(image, "png");
  }

  public static byte[] png(int width, int height) {
    return solid("png", width, height);
  }

  public static String dataUrl(byte[] bytes) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] write(BufferedImage image, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
