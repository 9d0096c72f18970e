package dev.llava.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.llava.model.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {
  @TempDir Path tmp;

  @Test
  void readsTheSameValuesAsDjlsOwnDecoder() throws IOException {
    Path file = Fixtures.llava15().resolve("model.safetensors");
    try (NDManager m = NDManager.newBaseManager(); SafetensorsReader reader = SafetensorsReader.open(Fixtures.llava15())) {
      NDList reference = NDList.decode(m, Files.readAllBytes(file)); // whole-file decoder, F32 only
      assertEquals(reference.size(), reader.keys().size());
      for (NDArray expected : reference) {
        NDArray actual = reader.load(expected.getName(), m);
        assertEquals(expected.getShape(), actual.getShape(), expected.getName());
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 0f, expected.getName());
      }
    }
  }

  @Test
  void shardedIndexFindsTensorsInEveryShard() throws IOException {
    try (SafetensorsReader reader = SafetensorsReader.open(Fixtures.llavaNext())) {
      assertTrue(reader.source().endsWith(SafetensorsReader.INDEX_FILE));
      assertEquals("model-00001-of-00002.safetensors", reader.info("image_newline").file().getFileName().toString());
      String second = reader.keys().stream().filter(k -> k.startsWith("vision_tower")).findFirst().orElseThrow();
      assertEquals("model-00002-of-00002.safetensors", reader.info(second).file().getFileName().toString());
      assertEquals(64, reader.readFloats("image_newline").length);
    }
  }

  @Test
  void halfFormatsRoundTripThroughWriterAndReader() throws IOException {
    float[] values = {1f, -2.5f, 65504f, 0.1f, 6.1035156e-5f, 5.9604645e-8f, 1e-9f, 65520f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 3.14159265f};
    Path file = tmp.resolve("half.safetensors");
    new SafetensorsWriter()
        .add("f16", values, new long[] {3, 4}, SafetensorsDtype.F16)
        .add("bf16", values, new long[] {12}, SafetensorsDtype.BF16)
        .add("f32", values, new long[] {12}, SafetensorsDtype.F32)
        .addLongs("ids", new long[] {1, -2, 1L << 40}, new long[] {3})
        .write(file);
    try (SafetensorsReader r = SafetensorsReader.open(file); NDManager m = NDManager.newBaseManager()) {
      assertArrayEquals(new long[] {3, 4}, r.info("f16").shape());
      assertArrayEquals(new float[] {1f, -2.5f, 65504f, 0.0999755859375f, 6.1035156e-5f, 5.9604645e-8f, 0f,
          Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 3.140625f}, r.readFloats("f16"), 0f);
      assertArrayEquals(new float[] {1f, -2.5f, 65536f, 0.10009765625f, 6.1035156e-5f, 5.9604645e-8f, 9.968062e-10f,
          65536f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 3.140625f}, r.readFloats("bf16"), 0f);
      assertArrayEquals(values, r.load("f32", m).toFloatArray(), 0f);
      NDArray ids = r.load("ids", m);
      assertEquals(DataType.INT64, ids.getDataType());
      assertArrayEquals(new long[] {1, -2, 1L << 40}, ids.toLongArray());
      assertArrayEquals(r.readFloats("f16"), r.load("f16", m).toFloatArray(), 0f);
    }
  }

  @Test
  void f16WideningAgreesWithTorchForEveryHalfValue() throws IOException {
    // All 65536 bit patterns, widened by torch (DJL supports FLOAT16) and by our table.
    ByteBuffer bits = ByteBuffer.allocate(2 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 1 << 16; i++) bits.putShort((short) i);
    Path file = tmp.resolve("all-halves.safetensors");
    writeRaw(file, "h", "F16", 1 << 16, bits.array());
    try (SafetensorsReader r = SafetensorsReader.open(file); NDManager m = NDManager.newBaseManager()) {
      float[] ours = r.readFloats("h");
      bits.rewind();
      float[] torch = m.create(bits, new ai.djl.ndarray.types.Shape(1 << 16), DataType.FLOAT16)
          .toType(DataType.FLOAT32, false).toFloatArray();
      for (int i = 0; i < ours.length; i++) {
        if (Float.isNaN(torch[i])) {
          assertTrue(Float.isNaN(ours[i]), "half 0x" + Integer.toHexString(i));
        } else {
          assertEquals(Float.floatToRawIntBits(torch[i]), Float.floatToRawIntBits(ours[i]), "half 0x" + Integer.toHexString(i));
        }
      }
    }
  }

  @Test
  void f16RoundingAgreesWithTorch() {
    Random random = new Random(7);
    try (NDManager m = NDManager.newBaseManager()) {
      float[] values = new float[100_000];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(40) - 26));
      }
      float[] torch = m.create(values).toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).toFloatArray();
      for (int i = 0; i < values.length; i++) {
        assertEquals(torch[i], SafetensorsDtype.f16ToFloat(SafetensorsDtype.floatToF16(values[i])), 0f, "value " + values[i]);
      }
    }
  }

  @Test
  void largeTensorsAreConvertedInChunks() throws IOException {
    float[] values = new float[1000];
    for (int i = 0; i < values.length; i++) values[i] = (i % 256) - 128f; // integers: exact in bfloat16
    Path file = tmp.resolve("chunks.safetensors");
    new SafetensorsWriter().add("w", values, new long[] {10, 100}, SafetensorsDtype.BF16).write(file);
    try (SafetensorsReader r = SafetensorsReader.open(file); NDManager m = NDManager.newBaseManager()) {
      NDArray chunked = r.load("w", m, 77); // 13 chunks, the last one partial
      assertEquals(new ai.djl.ndarray.types.Shape(10, 100), chunked.getShape());
      assertArrayEquals(values, chunked.toFloatArray(), 0f);
    }
  }

  @Test
  void errorsNameTheFileAndTheKey() throws IOException {
    Path file = tmp.resolve("one.safetensors");
    new SafetensorsWriter().add("present", new float[] {1}, new long[] {1}, SafetensorsDtype.F32).write(file);
    try (SafetensorsReader r = SafetensorsReader.open(file)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.readFloats("absent"));
      assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("'absent'"), e.getMessage());
    }
    Path f64 = tmp.resolve("f64.safetensors");
    writeRaw(f64, "d", "F64", 1, new byte[8]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsReader.open(f64));
    assertTrue(e.getMessage().contains("tensor 'd'") && e.getMessage().contains("unsupported safetensors dtype 'F64'"),
        e.getMessage());
    Path truncated = tmp.resolve("truncated.safetensors");
    byte[] whole = Files.readAllBytes(file);
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 2));
    IOException io = assertThrows(IOException.class, () -> SafetensorsReader.open(truncated));
    assertTrue(io.getMessage().contains("'present'") && io.getMessage().contains("data_offsets [0, 4)"), io.getMessage());
    IOException none = assertThrows(IOException.class, () -> SafetensorsReader.open(tmp.resolve("nothing-here")));
    assertTrue(none.getMessage().contains("no such safetensors file"), none.getMessage());
  }

  private static void writeRaw(Path file, String name, String dtype, long count, byte[] data) throws IOException {
    String header = "{\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + count + "],\"data_offsets\":[0,"
        + data.length + "]}}";
    ByteBuffer out = ByteBuffer.allocate(8 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(header.length()).put(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(data);
    Files.write(file, out.array());
  }
}
