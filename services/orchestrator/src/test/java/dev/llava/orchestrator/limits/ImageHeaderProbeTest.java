package dev.llava.orchestrator.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.orchestrator.limits.ImageHeaderProbe.ImageInfo;
import dev.llava.orchestrator.testing.TestImages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImageHeaderProbeTest {

  @Test
  void readsSizesOfImagesWrittenByImageIo() {
    for (String format : new String[] {"png", "jpeg", "gif", "bmp"}) {
      ImageInfo info = ImageHeaderProbe.probe(TestImages.solid(format, 123, 45)).orElseThrow();
      assertEquals(format, info.format());
      assertEquals(123, info.width(), format);
      assertEquals(45, info.height(), format);
    }
  }

  @Test
  void readsJpegSizeAfterLargeAppSegments() {
    byte[] jpeg = TestImages.solid("jpeg", 640, 480);
    // insert a 40 kB APP1 (EXIF-like) segment right after SOI
    byte[] app = new byte[40_000];
    app[0] = (byte) 0xFF;
    app[1] = (byte) 0xE1;
    app[2] = (byte) ((app.length - 2) >> 8);
    app[3] = (byte) (app.length - 2);
    byte[] out = new byte[jpeg.length + app.length];
    System.arraycopy(jpeg, 0, out, 0, 2);
    System.arraycopy(app, 0, out, 2, app.length);
    System.arraycopy(jpeg, 2, out, 2 + app.length, jpeg.length - 2);
    ImageInfo info = ImageHeaderProbe.probe(out).orElseThrow();
    assertEquals(640, info.width());
    assertEquals(480, info.height());
  }

  @Test
  void readsTheThreeWebpHeaders() {
    // VP8 (lossy): frame tag, start code 9d 01 2a, then 14-bit width and height
    ByteBuffer lossy = riff("VP8 ", 30);
    lossy.position(20).put(new byte[] {0, 0, 0, (byte) 0x9d, 0x01, 0x2a}).putShort((short) 800).putShort((short) 600);
    assertSize(lossy.array(), 800, 600);
    // VP8L (lossless): signature 0x2f, then (width-1) and (height-1) in 14 bits each
    ByteBuffer lossless = riff("VP8L", 30);
    lossless.position(20).put((byte) 0x2f).putInt((1023) | (767 << 14));
    assertSize(lossless.array(), 1024, 768);
    // VP8X (extended): 24-bit (width-1), (height-1) at offsets 24 and 27
    ByteBuffer extended = riff("VP8X", 30);
    extended.position(24).put((byte) 0x3f).put((byte) 0x1f).put((byte) 0).put((byte) 0x0f).put((byte) 0x27).put((byte) 0);
    assertSize(extended.array(), 0x1f40, 0x2710);
  }

  @Test
  void refusesWhatIsNoImage() {
    assertTrue(ImageHeaderProbe.probe("<html>hello</html>".getBytes(StandardCharsets.UTF_8)).isEmpty());
    assertTrue(ImageHeaderProbe.probe(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}).isEmpty());
    assertTrue(ImageHeaderProbe.probe(new byte[0]).isEmpty());
  }

  private static ByteBuffer riff(String chunk, int size) {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(size - 8).put("WEBP".getBytes(StandardCharsets.US_ASCII))
        .put(chunk.getBytes(StandardCharsets.US_ASCII));
    return b;
  }

  private static void assertSize(byte[] bytes, int width, int height) {
    ImageInfo info = ImageHeaderProbe.probe(bytes).orElseThrow();
    assertEquals("webp", info.format());
    assertEquals(width, info.width());
    assertEquals(height, info.height());
  }
}
