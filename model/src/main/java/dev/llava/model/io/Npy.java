package dev.llava.model.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format 1.0/2.0, C order, little-endian) for the dtypes
 * the fixtures use: {@code <f4}, {@code <f8}, {@code <i8}, {@code <i4}, {@code |u1}.
 * Values are exposed as float[] or long[] regardless of the stored width.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** An array read from disk: its dtype descriptor, shape and raw little-endian data. */
  public record Array(String descr, long[] shape, ByteBuffer data) {
    public long size() {
      long n = 1;
      for (long d : shape) n *= d;
      return n;
    }

    public float[] toFloats() {
      int n = Math.toIntExact(size());
      float[] out = new float[n];
      ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      switch (descr) {
        case "<f4" -> b.asFloatBuffer().get(out);
        case "<f8" -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8); }
        case "<i8" -> { for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8); }
        case "<i4" -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
        case "|u1" -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
        default -> throw new IllegalArgumentException("unsupported npy dtype " + descr);
      }
      return out;
    }

    public long[] toLongs() {
      int n = Math.toIntExact(size());
      long[] out = new long[n];
      ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      switch (descr) {
        case "<i8" -> b.asLongBuffer().get(out);
        case "<i4" -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
        case "|u1" -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
        default -> throw new IllegalArgumentException("expected an integer npy array, got dtype " + descr);
      }
      return out;
    }
  }

  private Npy() {}

  public static Array read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < MAGIC.length; i++) {
      if (all.length < 10 || all[i] != MAGIC[i]) {
        throw new IOException(file + ": not a .npy file (expected the \\x93NUMPY magic)");
      }
    }
    int major = all[6];
    int headerLen;
    int headerStart;
    if (major == 1) {
      headerLen = Short.toUnsignedInt(buf.getShort(8));
      headerStart = 10;
    } else {
      headerLen = buf.getInt(8);
      headerStart = 12;
    }
    String header = new String(all, headerStart, headerLen, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher o = ORDER.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !o.find() || !s.find()) {
      throw new IOException(file + ": malformed .npy header: " + header.trim());
    }
    if (o.group(1).equals("True")) {
      throw new IOException(file + ": fortran_order arrays are not supported (expected C order)");
    }
    List<Long> dims = new ArrayList<>();
    for (String part : s.group(1).split(",")) {
      if (!part.isBlank()) dims.add(Long.parseLong(part.trim()));
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    int dataStart = headerStart + headerLen;
    ByteBuffer data = ByteBuffer.wrap(all, dataStart, all.length - dataStart).slice();
    return new Array(d.group(1), shape, data);
  }

  public static void writeFloats(Path file, float[] values, long... shape) throws IOException {
    ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(values);
    write(file, "<f4", shape, data.array());
  }

  public static void writeLongs(Path file, long[] values, long... shape) throws IOException {
    ByteBuffer data = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    data.asLongBuffer().put(values);
    write(file, "<i8", shape, data.array());
  }

  /** Writes raw little-endian data; {@code descr} is a numpy dtype string such as {@code <f4}. */
  public static void write(Path file, String descr, long[] shape, byte[] data) throws IOException {
    String dims = shape.length == 1 ? shape[0] + "," : String.join(", ",
        Arrays.stream(shape).mapToObj(Long::toString).toArray(String[]::new));
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Header (magic + version + length + dict + padding + '\n') is padded to a multiple of 64 bytes.
    int unpadded = 10 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(MAGIC);
      out.write(new byte[] {1, 0});
      out.write(header.length() & 0xff);
      out.write((header.length() >> 8) & 0xff);
      out.write(header.getBytes(StandardCharsets.ISO_8859_1));
      out.write(data);
    }
  }
}
