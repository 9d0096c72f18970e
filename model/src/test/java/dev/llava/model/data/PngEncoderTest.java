package dev.llava.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngEncoderTest {

  @Test
  void imageIoDecodesExactlyThePixelsWritten() throws IOException {
    SplittableRandom random = new SplittableRandom(5);
    for (int[] size : new int[][] {{1, 1}, {37, 23}, {300, 2}}) {
      BufferedImage image = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < size[1]; y++) {
        for (int x = 0; x < size[0]; x++) {
          // noise in the top half (Sub and Up both poor), flat rows below (Up wins)
          image.setRGB(x, y, y < size[1] / 2 ? random.nextInt(1 << 24) : 0x336699 + x % 3);
        }
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      PngEncoder.write(image, bytes);
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
      assertEquals(size[0], decoded.getWidth());
      assertEquals(size[1], decoded.getHeight());
      assertArrayEquals(image.getRGB(0, 0, size[0], size[1], null, 0, size[0]),
          decoded.getRGB(0, 0, size[0], size[1], null, 0, size[0]), size[0] + "x" + size[1]);
    }
  }

  @Test
  void refusesImagesThatAreNotIntRgb() {
    BufferedImage argb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PngEncoder.write(argb, new ByteArrayOutputStream()));
    assertEquals("PngEncoder writes TYPE_INT_RGB images (type 1), got type 2", e.getMessage());
  }
}
