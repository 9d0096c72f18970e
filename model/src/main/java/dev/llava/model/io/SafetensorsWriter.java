package dev.llava.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a single safetensors file (F32, F16, BF16 floats; I64 integers). Tensors are buffered in
 * memory until {@link #write(Path)}: meant for tests and for the trainer's projector checkpoints,
 * not for re-sharding 7B models.
 */
public final class SafetensorsWriter {
  private record Entry(SafetensorsDtype dtype, long[] shape, byte[] data) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  public SafetensorsWriter() {
    metadata.put("format", "pt");
  }

  public SafetensorsWriter putMetadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** Adds float values stored as {@code dtype} (F32, F16 or BF16, rounded to nearest even). */
  public SafetensorsWriter add(String name, float[] values, long[] shape, SafetensorsDtype dtype) {
    checkSize(name, values.length, shape);
    ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> b.asFloatBuffer().put(values);
      case F16 -> { for (int i = 0; i < values.length; i++) b.putShort(2 * i, SafetensorsDtype.floatToF16(values[i])); }
      case BF16 -> { for (int i = 0; i < values.length; i++) b.putShort(2 * i, SafetensorsDtype.floatToBf16(values[i])); }
      default -> throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " is not a float dtype; use addLongs");
    }
    return put(name, new Entry(dtype, shape.clone(), b.array()));
  }

  /** Adds a float32 NDArray stored as {@code dtype}; the array is copied to the host. */
  public SafetensorsWriter add(String name, NDArray array, SafetensorsDtype dtype) {
    if (array.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException("tensor '" + name + "': expected a FLOAT32 NDArray, got " + array.getDataType());
    }
    return add(name, array.toFloatArray(), array.getShape().getShape(), dtype);
  }

  public SafetensorsWriter addLongs(String name, long[] values, long[] shape) {
    checkSize(name, values.length, shape);
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return put(name, new Entry(SafetensorsDtype.I64, shape.clone(), b.array()));
  }

  private SafetensorsWriter put(String name, Entry e) {
    if (entries.putIfAbsent(name, e) != null) throw new IllegalArgumentException("tensor '" + name + "' added twice");
    return this;
  }

  private static void checkSize(String name, long count, long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    if (n != count) {
      throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " holds " + n
          + " values, got " + count);
    }
  }

  public void write(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    ObjectNode meta = header.putObject("__metadata__");
    metadata.forEach(meta::put);
    long offset = 0;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", e.getValue().dtype().name());
      ArrayNode shape = t.putArray("shape");
      for (long d : e.getValue().shape()) shape.add(d);
      ArrayNode offsets = t.putArray("data_offsets");
      offsets.add(offset);
      offset += e.getValue().data().length;
      offsets.add(offset);
    }
    byte[] headerBytes = json.writeValueAsBytes(header);
    // Pad the header with spaces so the data section starts 8-byte aligned, as the reference writer does.
    int padded = (headerBytes.length + 7) / 8 * 8;
    byte[] headerPadded = Arrays.copyOf(headerBytes, padded);
    Arrays.fill(headerPadded, headerBytes.length, padded, (byte) ' ');
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
      out.write(headerPadded);
      for (Entry e : entries.values()) out.write(e.data());
    }
  }

  /** Number of tensors added so far. */
  public int size() {
    return entries.size();
  }
}
