package dev.llava.model.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A checkpoint's revision: a short digest of {@code config.json}, the preprocessor config and every safetensors
 * file's header and size. Headers name every tensor with its dtype, shape and byte range, so any re-save of other
 * weights changes the revision; hashing the headers instead of the (many-GB) contents keeps start-up fast.
 * Two services loading the same directory agree on it, which is how projector-lm checks that features came from
 * the same model.
 */
public final class ModelRevision {
  private ModelRevision() {}

  public static String of(Path dir) throws IOException {
    MessageDigest sha = sha256();
    for (String name : List.of("config.json", "preprocessor_config.json")) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) {
        sha.update(name.getBytes());
        sha.update(Files.readAllBytes(p));
      }
    }
    List<Path> weights;
    try (Stream<Path> files = Files.list(dir)) {
      weights = files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
    }
    for (Path w : weights) {
      sha.update(w.getFileName().toString().getBytes());
      sha.update(ByteBuffer.allocate(8).putLong(Files.size(w)).array());
      try (InputStream in = Files.newInputStream(w)) {
        byte[] len = in.readNBytes(8);
        if (len.length == 8) {
          long headerLength = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
          sha.update(in.readNBytes((int) Math.min(headerLength, 100L << 20)));
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
