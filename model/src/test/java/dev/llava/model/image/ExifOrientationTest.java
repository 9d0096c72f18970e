package dev.llava.model.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Transforms against Pillow's Image.transpose results; tag parsing on hand-built containers. */
class ExifOrientationTest {

  private static long crc(RgbImage image) {
    CRC32 crc = new CRC32();
    crc.update(image.pixels());
    return crc.getValue();
  }

  @Test
  void everyOrientationMatchesPillowsExifTranspose() {
    RgbImage image = PilBicubicResizerTest.pattern(3, 2);
    long[] expected = {0, 0, 2995452074L, 3569264843L, 2374892190L, 3382576294L, 454058534L, 3916499150L,
        564730573L};
    for (int orientation = 2; orientation <= 8; orientation++) {
      RgbImage out = ExifOrientation.apply(image, orientation);
      assertEquals(orientation >= 5 ? 2 : 3, out.width(), "orientation " + orientation);
      assertEquals(expected[orientation], crc(out), "orientation " + orientation);
    }
    assertEquals(image, ExifOrientation.apply(image, 1));
  }

  /** A little-endian TIFF block whose IFD0 holds only the orientation tag. */
  private static byte[] tiff(int orientation) {
    ByteBuffer b = ByteBuffer.allocate(26).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
    b.putShort((short) 1); // one entry
    b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
    b.putInt(0); // no next IFD
    return b.array();
  }

  @Test
  void readsTheTagFromPngAndWebpContainers() {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    byte[] exif = tiff(8);
    png.writeBytes(ByteBuffer.allocate(4).putInt(exif.length).array());
    png.writeBytes("eXIf".getBytes(StandardCharsets.US_ASCII));
    png.writeBytes(exif);
    png.writeBytes(new byte[4]); // CRC (not checked)
    assertEquals(8, ExifOrientation.read(png.toByteArray()));

    byte[] webpExif = tiff(3);
    ByteBuffer webp = ByteBuffer.allocate(12 + 8 + webpExif.length).order(ByteOrder.LITTLE_ENDIAN);
    webp.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + 8 + webpExif.length);
    webp.put("WEBP".getBytes(StandardCharsets.US_ASCII));
    webp.put("EXIF".getBytes(StandardCharsets.US_ASCII)).putInt(webpExif.length).put(webpExif);
    assertEquals(3, ExifOrientation.read(webp.array()));
  }

  @Test
  void missingOrBrokenExifReadsAsOne() {
    assertEquals(1, ExifOrientation.read(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE1, 0, 8,
        'E', 'x', 'i', 'f', 0, 0, 'I', 'I'})); // cut inside the TIFF header
    assertEquals(1, ExifOrientation.read(new byte[] {1, 2, 3}));
    byte[] bad = tiff(9); // out of range
    byte[] jpeg = new byte[4 + 2 + 6 + bad.length];
    jpeg[0] = (byte) 0xFF; jpeg[1] = (byte) 0xD8; jpeg[2] = (byte) 0xFF; jpeg[3] = (byte) 0xE1;
    jpeg[4] = 0; jpeg[5] = (byte) (2 + 6 + bad.length);
    System.arraycopy("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), 0, jpeg, 6, 6);
    System.arraycopy(bad, 0, jpeg, 12, bad.length);
    assertEquals(1, ExifOrientation.read(jpeg));
    System.arraycopy(tiff(6), 0, jpeg, 12, bad.length);
    assertEquals(6, ExifOrientation.read(jpeg));
  }
}
