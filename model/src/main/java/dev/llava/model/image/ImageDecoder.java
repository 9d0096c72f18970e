package dev.llava.model.image;

import java.awt.color.ColorSpace;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Image bytes -> {@link RgbImage} through javax.imageio (JDK PNG/GIF/BMP/TIFF readers plus the
 * TwelveMonkeys JPEG incl. progressive and CMYK, WebP and BMP plugins), with PIL's
 * {@code Image.open(f).convert("RGB")} semantics (see {@link PilRgbConversion}): alpha dropped,
 * grey replicated, palettes expanded; GIF and other multi-frame formats give their first frame.
 *
 * <p><b>EXIF orientation</b> is <em>not</em> applied by default: transformers' image processors take
 * the pixels as stored (PIL does not rotate on open), which is what the reference fixtures assume.
 * Note that {@code transformers.image_utils.load_image} (used when a URL or path is passed to a
 * pipeline) does call {@code ImageOps.exif_transpose}; choose {@link #withExifOrientation()} to match
 * that path instead.
 *
 * <p><b>Limits</b>: {@link #probe} reads only the header, so a caller can reject huge images before
 * decoding; {@link #decode} itself refuses more than {@link #maxPixels()} pixels (default
 * {@link #PIL_MAX_PIXELS}, where PIL raises {@code DecompressionBombError}).
 * Truncated data is an error (PIL raises "image file is truncated"), not a partially grey image.
 *
 * <p>Checked against Pillow 11.3 (libjpeg-turbo, libwebp): baseline 4:2:0/4:2:2/4:4:4, progressive,
 * greyscale and Adobe CMYK JPEGs (CMYK read raw and converted with PIL's formula, not ICC),
 * lossless WebP, PNG and BMP decode to identical bytes. Known differences: <b>lossy WebP</b> is
 * decoded by TwelveMonkeys' own VP8 decoder, which differs from libwebp by a few levels on most
 * pixels (mean ~3, more at hard edges); YCCK JPEGs are untested; a GIF whose first frame is smaller
 * than its logical screen decodes to the frame's size (PIL uses the screen size).
 * Instances are immutable and thread-safe.
 */
public final class ImageDecoder {
  /** {@code 2 * Image.MAX_IMAGE_PIXELS}: PIL's DecompressionBombError threshold. */
  public static final long PIL_MAX_PIXELS = 2L * (1024 * 1024 * 1024 / 4 / 3);

  static {
    // ImageIO's registry discovers plugins with the class loader of the thread that first touched it;
    // in containers (Quarkus, app servers) that may not see the TwelveMonkeys jars, so look again.
    if (!ImageIO.getImageReadersByFormatName("webp").hasNext()) {
      ImageIO.scanForPlugins();
    }
  }

  private final boolean applyExifOrientation;
  private final long maxPixels;

  /** HF-processor parity: EXIF orientation ignored, PIL's pixel limit. */
  public ImageDecoder() {
    this(false, PIL_MAX_PIXELS);
  }

  public ImageDecoder(boolean applyExifOrientation, long maxPixels) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
    }
    this.applyExifOrientation = applyExifOrientation;
    this.maxPixels = maxPixels;
  }

  /** A decoder that rotates/flips by the EXIF orientation, like {@code load_image}. */
  public static ImageDecoder withExifOrientation() {
    return new ImageDecoder(true, PIL_MAX_PIXELS);
  }

  public boolean appliesExifOrientation() {
    return applyExifOrientation;
  }

  public long maxPixels() {
    return maxPixels;
  }

  /**
   * Format and size from the header only (no pixel decoding). Width and height are those
   * {@link #decode} will return, i.e. swapped for EXIF orientations 5-8 when this decoder applies them.
   */
  public ImageHeader probe(byte[] data) {
    checkNotEmpty(data);
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
      ImageReader reader = readerFor(in, data);
      try {
        reader.setInput(in, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        int orientation = ExifOrientation.read(data);
        boolean swap = applyExifOrientation && ExifOrientation.swapsAxes(orientation);
        return new ImageHeader(formatName(reader), swap ? h : w, swap ? w : h, orientation);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw failure("could not read the image header", data, e);
    }
  }

  public RgbImage decode(Path file) throws IOException {
    byte[] data = Files.readAllBytes(file);
    try {
      return decode(data);
    } catch (ImageDecodeException e) {
      throw new ImageDecodeException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * An already decoded image (e.g. one drawn in memory) as PIL's {@code convert("RGB")} gives it; no EXIF, no
   * size limit.
   */
  public static RgbImage toRgb(java.awt.image.BufferedImage image) {
    return PilRgbConversion.toRgb(image);
  }

  /** Decodes the first frame to RGB (and applies EXIF orientation if configured). */
  public RgbImage decode(byte[] data) {
    ImageHeader header = probe(data);
    if (header.pixels() > maxPixels) {
      throw new ImageDecodeException("image of " + header.width() + "x" + header.height() + " = "
          + header.pixels() + " pixels exceeds the limit of " + maxPixels + " pixels");
    }
    checkRiffLength(data);
    RgbImage rgb;
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
      ImageReader reader = readerFor(in, data);
      String format = formatName(reader);
      List<String> truncation = new ArrayList<>();
      IIOReadWarningListener listener = (source, warning) -> {
        // JPEG readers only warn on missing data and hand back grey filler; PIL raises
        // "image file is truncated" there. Other warnings (extraneous bytes, ICC notes) PIL ignores too.
        String lower = warning.toLowerCase(Locale.ROOT);
        if (lower.contains("truncated") || lower.contains("premature end")) {
          truncation.add(warning);
        }
      };
      try {
        reader.setInput(in, true, true);
        reader.addIIOReadWarningListener(listener);
        rgb = isJpegCmyk(reader, format)
            ? PilRgbConversion.fromAdobeCmyk(reader.readRaster(0, null))
            : PilRgbConversion.toRgb(reader.read(0));
      } finally {
        reader.dispose();
      }
      if (!truncation.isEmpty()) {
        throw new ImageDecodeException("truncated or corrupt " + format + " data (" + data.length + " bytes): "
            + String.join("; ", truncation));
      }
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw failure("could not decode the " + header.format() + " image (" + header.width() + "x"
          + header.height() + ")", data, e);
    }
    return applyExifOrientation ? ExifOrientation.apply(rgb, header.exifOrientation()) : rgb;
  }

  /** CMYK JPEGs are read raw and converted with PIL's formula instead of TwelveMonkeys' ICC path. */
  private static boolean isJpegCmyk(ImageReader reader, String format) throws IOException {
    if (!format.equals("jpeg") || !reader.canReadRaster()) {
      return false;
    }
    ImageTypeSpecifier raw = reader.getRawImageType(0);
    return raw != null && raw.getNumBands() == 4
        && raw.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK;
  }

  /** RIFF (WebP) declares its length up front; a shorter file is truncated even if a reader copes. */
  private static void checkRiffLength(byte[] d) {
    if (d.length >= 12 && d[0] == 'R' && d[1] == 'I' && d[2] == 'F' && d[3] == 'F') {
      long declared = 8 + ((d[4] & 0xffL) | (d[5] & 0xffL) << 8 | (d[6] & 0xffL) << 16 | (d[7] & 0xffL) << 24);
      if (d.length < declared) {
        throw new ImageDecodeException("truncated RIFF/WebP data: header declares " + declared + " bytes, got "
            + d.length);
      }
    }
  }

  private static ImageReader readerFor(ImageInputStream in, byte[] data) {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw new ImageDecodeException("unsupported or unrecognised image data: expected JPEG, PNG, GIF, BMP,"
          + " WebP or TIFF, got " + data.length + " bytes starting with " + firstBytes(data));
    }
    return readers.next();
  }

  private static String formatName(ImageReader reader) {
    try {
      return reader.getFormatName().toLowerCase(Locale.ROOT);
    } catch (IOException e) {
      return reader.getOriginatingProvider() != null
          ? reader.getOriginatingProvider().getFormatNames()[0].toLowerCase(Locale.ROOT)
          : "unknown";
    }
  }

  private static void checkNotEmpty(byte[] data) {
    if (data == null || data.length == 0) {
      throw new ImageDecodeException("expected image bytes (JPEG, PNG, GIF, BMP, WebP or TIFF), got none");
    }
  }

  private static ImageDecodeException failure(String what, byte[] data, Exception cause) {
    if (cause instanceof ImageDecodeException e) {
      return e;
    }
    String detail = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    return new ImageDecodeException(what + ": corrupt or truncated data (" + data.length + " bytes, starting with "
        + firstBytes(data) + "): " + detail, cause);
  }

  private static String firstBytes(byte[] data) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(8, data.length); i++) {
      sb.append(String.format("%02x", data[i] & 0xff)).append(i + 1 < Math.min(8, data.length) ? " " : "");
    }
    return sb.toString();
  }
}
