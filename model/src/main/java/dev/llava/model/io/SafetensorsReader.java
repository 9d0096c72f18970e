package dev.llava.model.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Memory-mapped reader for Hugging Face safetensors checkpoints: one {@code *.safetensors} file or a
 * sharded set described by {@code model.safetensors.index.json}.
 *
 * <p>Nothing is read until a tensor is asked for; each tensor's byte range is mapped on its own
 * (in chunks, so neither files nor tensors are limited to 2 GiB). Floating tensors (F32, F16, BF16)
 * arrive as float32 NDArrays and I64 tensors as int64; BF16/F16 are widened in Java.
 */
public final class SafetensorsReader implements AutoCloseable {
  public static final String INDEX_FILE = "model.safetensors.index.json";
  public static final String SINGLE_FILE = "model.safetensors";

  /** Elements converted per chunk: bounds the temporary direct buffers to 256 MiB of float32. */
  private static final int CHUNK_ELEMENTS = 1 << 26;
  private static final long MAX_HEADER_BYTES = 100L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where one tensor's bytes live: {@code offset} is absolute in {@code file}. */
  public record TensorInfo(String name, SafetensorsDtype dtype, long[] shape, Path file, long offset, long length) {
    public long numel() {
      long n = 1;
      for (long d : shape) n *= d;
      return n;
    }
  }

  private final Path source;
  private final Map<String, TensorInfo> tensors;
  private final Map<Path, FileChannel> channels;

  private SafetensorsReader(Path source, Map<String, TensorInfo> tensors, Map<Path, FileChannel> channels) {
    this.source = source;
    this.tensors = tensors;
    this.channels = channels;
  }

  /**
   * Opens a checkpoint: a directory (index JSON if present, else {@code model.safetensors}), an
   * index JSON, or one safetensors file.
   */
  public static SafetensorsReader open(Path path) throws IOException {
    Path file = path;
    if (Files.isDirectory(path)) {
      if (Files.exists(path.resolve(INDEX_FILE))) {
        file = path.resolve(INDEX_FILE);
      } else if (Files.exists(path.resolve(SINGLE_FILE))) {
        file = path.resolve(SINGLE_FILE);
      } else {
        throw new IOException(path + ": no " + INDEX_FILE + " and no " + SINGLE_FILE + " in this directory");
      }
    }
    if (!Files.isRegularFile(file)) throw new IOException(file + ": no such safetensors file");
    Map<Path, FileChannel> channels = new LinkedHashMap<>();
    Map<String, TensorInfo> tensors = new TreeMap<>();
    try {
      if (file.getFileName().toString().endsWith(".json")) {
        readIndex(file, channels, tensors);
      } else {
        tensors.putAll(readHeader(file, channel(channels, file)));
      }
    } catch (IOException | RuntimeException e) {
      for (FileChannel c : channels.values()) c.close();
      throw e;
    }
    return new SafetensorsReader(file, tensors, channels);
  }

  private static void readIndex(Path index, Map<Path, FileChannel> channels, Map<String, TensorInfo> tensors)
      throws IOException {
    JsonNode weightMap = JSON.readTree(index.toFile()).get("weight_map");
    if (weightMap == null || !weightMap.isObject()) {
      throw new IOException(index + ": expected a \"weight_map\" object mapping tensor names to shard files");
    }
    Map<Path, Map<String, TensorInfo>> shards = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Path shard = index.resolveSibling(e.getValue().asText());
      Map<String, TensorInfo> header = shards.get(shard);
      if (header == null) {
        if (!Files.isRegularFile(shard)) {
          throw new IOException(index + " maps '" + e.getKey() + "' to " + shard.getFileName() + ", which does not exist");
        }
        header = readHeader(shard, channel(channels, shard));
        shards.put(shard, header);
      }
      TensorInfo info = header.get(e.getKey());
      if (info == null) {
        throw new IOException(index + " maps '" + e.getKey() + "' to " + shard.getFileName()
            + ", but that file's header has no such tensor");
      }
      tensors.put(e.getKey(), info);
    }
  }

  private static FileChannel channel(Map<Path, FileChannel> channels, Path file) throws IOException {
    FileChannel c = channels.get(file);
    if (c == null) {
      c = FileChannel.open(file, StandardOpenOption.READ);
      channels.put(file, c);
    }
    return c;
  }

  private static Map<String, TensorInfo> readHeader(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 8) throw new IOException(file + ": " + size + " bytes is too short for a safetensors file (need >= 8)");
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    ch.read(lenBuf, 0);
    long headerLen = lenBuf.getLong(0);
    if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
      throw new IOException(file + ": header length " + headerLen + " does not fit a file of " + size
          + " bytes (not a safetensors file?)");
    }
    ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
    while (headerBuf.hasRemaining()) {
      if (ch.read(headerBuf, 8 + headerBuf.position()) < 0) throw new IOException(file + ": truncated header");
    }
    JsonNode header = JSON.readTree(headerBuf.array());
    long dataStart = 8 + headerLen;
    Map<String, TensorInfo> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) continue;
      String where = file + " tensor '" + e.getKey() + "'";
      JsonNode t = e.getValue();
      SafetensorsDtype dtype = SafetensorsDtype.parse(t.path("dtype").asText(), where);
      JsonNode shapeNode = t.path("shape");
      long[] shape = new long[shapeNode.size()];
      for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong();
      long begin = t.path("data_offsets").path(0).asLong(-1);
      long end = t.path("data_offsets").path(1).asLong(-1);
      TensorInfo info = new TensorInfo(e.getKey(), dtype, shape, file, dataStart + begin, end - begin);
      long expected = info.numel() * dtype.bytes();
      if (begin < 0 || end < begin || dataStart + end > size || end - begin != expected) {
        throw new IOException(where + ": data_offsets [" + begin + ", " + end + ") do not hold "
            + Arrays.toString(shape) + " " + dtype + " (" + expected + " bytes) inside a data section of "
            + (size - dataStart) + " bytes");
      }
      out.put(e.getKey(), info);
    }
    return out;
  }

  public Path source() {
    return source;
  }

  /** Tensor names, sorted. */
  public Set<String> keys() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  public boolean contains(String key) {
    return tensors.containsKey(key);
  }

  public TensorInfo info(String key) {
    TensorInfo t = tensors.get(key);
    if (t == null) {
      throw new IllegalArgumentException(source + " has no tensor '" + key + "' (" + tensors.size() + " tensors present)");
    }
    return t;
  }

  /**
   * Loads a tensor onto {@code manager}'s device: float32 for F32/F16/BF16, int64 for I64. The
   * result owns its memory (it never aliases the mapped file).
   */
  public NDArray load(String key, NDManager manager) throws IOException {
    return load(key, manager, CHUNK_ELEMENTS);
  }

  /** {@link #load(String, NDManager)} converting {@code chunkElements} at a time (tests use small chunks). */
  NDArray load(String key, NDManager manager, int chunkElements) throws IOException {
    TensorInfo t = info(key);
    long n = t.numel();
    DataType type = t.dtype().isFloat() ? DataType.FLOAT32 : DataType.INT64;
    Device device = manager.getDevice();
    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      NDList pieces = new NDList();
      long chunks = Math.max(1, (n + chunkElements - 1) / chunkElements);
      for (long c = 0; c < chunks; c++) {
        long start = c * chunkElements;
        int count = (int) Math.min(chunkElements, n - start);
        ByteBuffer data = hostBuffer(t, start, count);
        // DJL's create() wraps a direct buffer without copying, so copy before the buffer can go away.
        NDArray alias = staging.create(data, new Shape(count), type);
        pieces.add(device.isGpu() ? alias.toDevice(device, true) : alias.duplicate());
        Reference.reachabilityFence(data);
      }
      NDArray flat = pieces.size() == 1 ? pieces.singletonOrThrow() : NDArrays.concat(pieces);
      NDArray result = flat.reshape(new Shape(t.shape()));
      result.attach(manager);
      return result;
    }
  }

  /** Reads a floating tensor into a Java array (tests, small tensors). */
  public float[] readFloats(String key) throws IOException {
    TensorInfo t = info(key);
    if (!t.dtype().isFloat()) throw new IllegalArgumentException(source + " tensor '" + key + "' is " + t.dtype() + ", not a float type");
    float[] out = new float[Math.toIntExact(t.numel())];
    hostBuffer(t, 0, out.length).asFloatBuffer().get(out);
    return out;
  }

  /** Reads an I64 tensor into a Java array. */
  public long[] readLongs(String key) throws IOException {
    TensorInfo t = info(key);
    if (t.dtype() != SafetensorsDtype.I64) throw new IllegalArgumentException(source + " tensor '" + key + "' is " + t.dtype() + ", not I64");
    long[] out = new long[Math.toIntExact(t.numel())];
    hostBuffer(t, 0, out.length).asLongBuffer().get(out);
    return out;
  }

  /** {@code count} elements from {@code start}, as native-order float32 (or int64) in a direct buffer. */
  private ByteBuffer hostBuffer(TensorInfo t, long start, int count) throws IOException {
    int width = t.dtype().bytes();
    ByteBuffer raw = channels.get(t.file())
        .map(FileChannel.MapMode.READ_ONLY, t.offset() + start * width, (long) count * width)
        .order(ByteOrder.LITTLE_ENDIAN);
    boolean nativeLittle = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    switch (t.dtype()) {
      case F32, I64 -> {
        if (nativeLittle) return raw;
        ByteBuffer copy = ByteBuffer.allocateDirect(count * width).order(ByteOrder.nativeOrder());
        if (width == 4) copy.asFloatBuffer().put(raw.asFloatBuffer()); else copy.asLongBuffer().put(raw.asLongBuffer());
        return copy;
      }
      case BF16 -> {
        ByteBuffer out = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
        ShortBuffer in = raw.asShortBuffer();
        IntBuffer bits = out.asIntBuffer();
        for (int i = 0; i < count; i++) bits.put(i, (in.get(i) & 0xffff) << 16);
        return out;
      }
      case F16 -> {
        float[] table = F16Table.VALUES;
        ByteBuffer out = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
        ShortBuffer in = raw.asShortBuffer();
        var floats = out.asFloatBuffer();
        for (int i = 0; i < count; i++) floats.put(i, table[in.get(i) & 0xffff]);
        return out;
      }
      default -> throw new IllegalStateException("unhandled dtype " + t.dtype());
    }
  }

  /** All 65536 half values widened once: a table lookup beats bit twiddling per element. */
  private static final class F16Table {
    static final float[] VALUES = new float[1 << 16];

    static {
      for (int i = 0; i < VALUES.length; i++) VALUES[i] = SafetensorsDtype.f16ToFloat((short) i);
    }
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (FileChannel c : channels.values()) {
      try {
        c.close();
      } catch (IOException e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
  }
}
