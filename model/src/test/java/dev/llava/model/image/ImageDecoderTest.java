package dev.llava.model.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

/** Decoding with PIL's convert("RGB") semantics; parity files were decoded by Pillow (see resources README). */
class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder();

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ImageDecoderTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return in.readAllBytes();
    }
  }

  private static long crc(RgbImage image) {
    CRC32 crc = new CRC32();
    crc.update(image.pixels());
    return crc.getValue();
  }

  private static byte[] write(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(image, format, out)) {
      throw new IOException("no ImageIO writer for " + format + " and " + image);
    }
    return out.toByteArray();
  }

  private static int[] rgbAt(RgbImage image, int x, int y) {
    return new int[] {image.get(x, y, 0), image.get(x, y, 1), image.get(x, y, 2)};
  }

  @Test
  void jpegsDecodeToPillowsBytes() throws IOException {
    assertEquals(929480274L, crc(decoder.decode(resource("pattern_420.jpg"))));
    assertEquals(2291617757L, crc(decoder.decode(resource("pattern_422.jpg"))));
    assertEquals(929480274L, crc(decoder.decode(resource("pattern_progressive.jpg"))));
    assertEquals(1171591859L, crc(decoder.decode(resource("grey.jpg")))); // L replicated
    assertEquals(2536647149L, crc(decoder.decode(resource("cmyk_adobe.jpg")))); // PIL's CMYK formula
  }

  @Test
  void losslessWebpDecodesExactlyAndLossyWebpIsCloseToLibwebp() throws IOException {
    assertEquals(PilBicubicResizerTest.pattern(67, 45), decoder.decode(resource("pattern_lossless.webp")));

    RgbImage ours = decoder.decode(resource("smooth_lossy.webp"));
    RgbImage pil = decoder.decode(resource("smooth_lossy.pil.png"));
    assertEquals(pil.width(), ours.width());
    assertEquals(pil.height(), ours.height());
    long sum = 0;
    int max = 0;
    for (int i = 0; i < ours.pixels().length; i++) {
      int d = Math.abs((ours.pixels()[i] & 0xff) - (pil.pixels()[i] & 0xff));
      sum += d;
      max = Math.max(max, d);
    }
    double mean = (double) sum / ours.pixels().length;
    // Known difference (TwelveMonkeys' VP8 decoder vs libwebp), measured: mean 3.4, max 16.
    assertTrue(mean < 4.0 && max <= 20, "lossy WebP vs libwebp: mean |diff| " + mean + ", max " + max);
  }

  @Test
  void exifOrientationIsIgnoredByDefaultAndAppliedOnRequest() throws IOException {
    byte[] jpeg = resource("orientation6.jpg");
    ImageHeader header = decoder.probe(jpeg);
    assertEquals(new ImageHeader("jpeg", 40, 24, 6), header);
    assertEquals(1837022326L, crc(decoder.decode(jpeg))); // as stored, like HF's processors

    ImageDecoder rotating = ImageDecoder.withExifOrientation();
    assertEquals(new ImageHeader("jpeg", 24, 40, 6), rotating.probe(jpeg));
    RgbImage rotated = rotating.decode(jpeg);
    assertEquals(2172926274L, crc(rotated)); // == PIL ImageOps.exif_transpose
  }

  @Test
  void rgbaPngDropsAlphaWithoutCompositing() throws IOException {
    BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x000A141E); // fully transparent (10, 20, 30)
    argb.setRGB(1, 0, 0x80C86432); // half transparent (200, 100, 50)
    RgbImage rgb = decoder.decode(write(argb, "png"));
    assertArrayEquals(new int[] {10, 20, 30}, rgbAt(rgb, 0, 0));
    assertArrayEquals(new int[] {200, 100, 50}, rgbAt(rgb, 1, 0));
  }

  @Test
  void greyIsReplicatedAndPalettesExpanded() throws IOException {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(0, 0, 0, 7);
    grey.getRaster().setSample(1, 0, 0, 250);
    RgbImage g = decoder.decode(write(grey, "png"));
    assertArrayEquals(new int[] {7, 7, 7, 250, 250, 250}, unsigned(g));

    // palette with a transparent entry: PIL's P -> RGB keeps that entry's colour. 256 entries, so every
    // writer stores 8-bit indices (the BMP writer packs 3 entries into 1 bit per pixel otherwise).
    byte[] reds = new byte[256];
    byte[] greens = new byte[256];
    byte[] blues = new byte[256];
    reds[0] = 1; greens[0] = 2; blues[0] = 3;
    reds[1] = (byte) 200; greens[1] = 100; blues[1] = 50;
    reds[2] = 9; greens[2] = 8; blues[2] = 7;
    IndexColorModel palette = new IndexColorModel(8, 256, reds, greens, blues, 2);
    BufferedImage indexed = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
    indexed.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {2, 1, 0});
    int[] expected = {9, 8, 7, 200, 100, 50, 1, 2, 3};
    assertArrayEquals(expected, unsigned(decoder.decode(write(indexed, "png"))));
    assertArrayEquals(expected, unsigned(decoder.decode(write(indexed, "gif"))));
    assertArrayEquals(expected, unsigned(decoder.decode(write(indexed, "bmp"))));
  }

  @Test
  void sixteenBitPngsFollowPil() throws IOException {
    // 16-bit RGB keeps the high byte ("RGB;16B")
    ColorModel cm = new ComponentColorModel(java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB),
        new int[] {16, 16, 16}, false, false, ColorModel.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(1, 1);
    raster.setPixel(0, 0, new int[] {0x12FF, 0xAB00, 0xFFFF});
    RgbImage rgb16 = decoder.decode(write(new BufferedImage(cm, raster, false, null), "png"));
    assertArrayEquals(new int[] {0x12, 0xAB, 0xFF}, unsigned(rgb16));

    // 16-bit grey opens in PIL as mode I / I;16, whose RGB conversion clips: 4660 -> 255 (checked in Pillow)
    BufferedImage grey16 = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
    grey16.getRaster().setSamples(0, 0, 4, 1, 0, new int[] {0, 128, 255, 0x1234});
    assertArrayEquals(new int[] {0, 0, 0, 128, 128, 128, 255, 255, 255, 255, 255, 255},
        unsigned(decoder.decode(write(grey16, "png"))));
  }

  @Test
  void bmpAndJpegFromImageIoWritersDecode() throws IOException {
    RgbImage pattern = PilBicubicResizerTest.pattern(9, 7);
    BufferedImage bgr = toBuffered(pattern);
    assertEquals(pattern, decoder.decode(write(bgr, "bmp")));
    byte[] jpeg = write(bgr, "jpeg");
    assertEquals(new ImageHeader("jpeg", 9, 7, 1), decoder.probe(jpeg));
    assertEquals(9, decoder.decode(jpeg).width());
  }

  @Test
  void gifGivesTheFirstFrame() throws IOException {
    IndexColorModel palette = new IndexColorModel(8, 2, new byte[] {10, 90}, new byte[] {20, 80},
        new byte[] {30, 70});
    BufferedImage first = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_INDEXED, palette);
    BufferedImage second = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_INDEXED, palette);
    second.getRaster().setSamples(0, 0, 2, 2, 0, new int[] {1, 1, 1, 1});
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.prepareWriteSequence(null);
      writer.writeToSequence(new IIOImage(first, null, null), null);
      writer.writeToSequence(new IIOImage(second, null, null), null);
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
    int[] expected = new int[12];
    for (int i = 0; i < 12; i += 3) {
      expected[i] = 10;
      expected[i + 1] = 20;
      expected[i + 2] = 30;
    }
    assertArrayEquals(expected, unsigned(decoder.decode(bytes.toByteArray())));
  }

  @Test
  void probeReadsTheSizeWithoutDecodingPixels() throws IOException {
    byte[] png = write(new BufferedImage(1234, 567, BufferedImage.TYPE_INT_RGB), "png");
    // keep only the signature and IHDR (8 + 25 bytes): no pixel data at all
    byte[] headerOnly = Arrays.copyOf(png, 33);
    assertEquals(new ImageHeader("png", 1234, 567, 1), decoder.probe(headerOnly));
    ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> decoder.decode(headerOnly));
    assertTrue(e.getMessage().contains("1234x567") && e.getMessage().contains("33 bytes"), e.getMessage());
  }

  @Test
  void decodeRefusesImagesOverThePixelLimit() throws IOException {
    byte[] png = write(new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB), "png");
    ImageDecodeException e = assertThrows(ImageDecodeException.class,
        () -> new ImageDecoder(false, 199).decode(png));
    assertEquals("image of 20x10 = 200 pixels exceeds the limit of 199 pixels", e.getMessage());
    assertEquals(178_956_970L, ImageDecoder.PIL_MAX_PIXELS);
  }

  @Test
  void corruptTruncatedAndUnknownDataFailClearly() throws IOException {
    ImageDecodeException unknown = assertThrows(ImageDecodeException.class,
        () -> decoder.decode("definitely not an image".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    assertTrue(unknown.getMessage().contains("expected JPEG, PNG, GIF, BMP, WebP")
        && unknown.getMessage().contains("64 65 66 69"), unknown.getMessage());

    ImageDecodeException empty = assertThrows(ImageDecodeException.class, () -> decoder.decode(new byte[0]));
    assertTrue(empty.getMessage().contains("got none"), empty.getMessage());

    byte[] jpeg = resource("pattern_420.jpg");
    ImageDecodeException truncatedJpeg = assertThrows(ImageDecodeException.class,
        () -> decoder.decode(Arrays.copyOf(jpeg, jpeg.length * 6 / 10)));
    assertTrue(truncatedJpeg.getMessage().startsWith("truncated or corrupt jpeg data (1950 bytes)"),
        truncatedJpeg.getMessage());

    byte[] png = write(toBuffered(PilBicubicResizerTest.pattern(67, 45)), "png");
    ImageDecodeException truncatedPng = assertThrows(ImageDecodeException.class,
        () -> decoder.decode(Arrays.copyOf(png, png.length * 6 / 10)));
    assertTrue(truncatedPng.getMessage().contains("could not decode the png image (67x45)"),
        truncatedPng.getMessage());
    byte[] garbledPng = png.clone(); // zlib stream of IDAT overwritten: corrupt, not just short
    Arrays.fill(garbledPng, 41, png.length - 12, (byte) 0x5A);
    assertThrows(ImageDecodeException.class, () -> decoder.decode(garbledPng));

    byte[] webp = resource("pattern_lossless.webp");
    ImageDecodeException truncatedWebp = assertThrows(ImageDecodeException.class,
        () -> decoder.decode(Arrays.copyOf(webp, 3000)));
    assertEquals("truncated RIFF/WebP data: header declares 5594 bytes, got 3000", truncatedWebp.getMessage());

    assertTrue(IllegalArgumentException.class.isAssignableFrom(ImageDecodeException.class));
  }

  private static BufferedImage toBuffered(RgbImage image) {
    BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++) {
        out.setRGB(x, y, image.get(x, y, 0) << 16 | image.get(x, y, 1) << 8 | image.get(x, y, 2));
      }
    }
    return out;
  }

  private static int[] unsigned(RgbImage image) {
    int[] out = new int[image.pixels().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = image.pixels()[i] & 0xff;
    }
    return out;
  }
}
