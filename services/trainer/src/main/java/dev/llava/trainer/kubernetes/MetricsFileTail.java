package dev.llava.trainer.kubernetes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole lines appended to a file since the last read, for a file another process is writing (a training pod's
 * {@code metrics.jsonl} on the shared volume). Not thread-safe: one reader at a time.
 *
 * <p>The offset only moves past a line's newline, so a last line still being written is read again, whole, next
 * time. A missing file has no lines (yet). A file that got shorter than the offset, or was replaced by another
 * file, was restarted: it is read again from its start. A backlog longer than {@link #MAX_READ_BYTES} comes over
 * several calls.
 */
final class MetricsFileTail {
  /** At most this much is read per call, so a long backlog (a resumed run's history) never needs a huge buffer. */
  static final int MAX_READ_BYTES = 1 << 20;

  private final Path file;
  private long offset;
  private Object fileKey;
  /** The file as it was before the job could write it (an earlier run's log); ignored until it changes. */
  private Snapshot stale;

  private record Snapshot(long size, FileTime modified, Object fileKey) {
    static Snapshot of(BasicFileAttributes a) {
      return new Snapshot(a.size(), a.lastModifiedTime(), a.fileKey());
    }
  }

  private MetricsFileTail(Path file, Snapshot stale) {
    this.file = file;
    this.stale = stale;
  }

  /** Reads {@code file} from its start. */
  static MetricsFileTail of(Path file) {
    return new MetricsFileTail(file, null);
  }

  /**
   * Reads {@code file} once it differs from what is there now: what an earlier job left in the same directory is
   * not this job's. (A training run starts its log afresh, truncating, so its first line changes the file.)
   */
  static MetricsFileTail ignoringWhatIsThereNow(Path file) throws IOException {
    BasicFileAttributes now = attributes(file);
    return new MetricsFileTail(file, now == null ? null : Snapshot.of(now));
  }

  Path file() {
    return file;
  }

  /** Bytes consumed so far: the end of the last whole line read. */
  long offset() {
    return offset;
  }

  /** The complete lines appended since the last call, without their line ends; empty when there are none. */
  List<String> readNewLines() throws IOException {
    BasicFileAttributes a = attributes(file);
    if (a == null) {
      restart();   // deleted: whatever appears there next is read from its start
      return List.of();
    }
    if (stale != null) {
      if (stale.equals(Snapshot.of(a))) {
        return List.of();
      }
      stale = null;   // rewritten since this tail was made: all of it is the job's
      restart();
    }
    if (a.size() < offset || (fileKey != null && a.fileKey() != null && !fileKey.equals(a.fileKey()))) {
      restart();
    }
    fileKey = a.fileKey();
    if (a.size() == offset) {
      return List.of();
    }
    byte[] appended;
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      appended = readFrom(in, offset, (int) Math.min(a.size() - offset, MAX_READ_BYTES));
    } catch (NoSuchFileException goneMeanwhile) {
      restart();
      return List.of();
    }
    return consumeWholeLines(appended);
  }

  private List<String> consumeWholeLines(byte[] bytes) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
        lines.add(new String(bytes, start, end - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start == 0 && bytes.length == MAX_READ_BYTES) {
      // No line end in a whole read: not a metrics line. Hand it on as one (bad) line rather than stall on it.
      lines.add(new String(bytes, StandardCharsets.UTF_8));
      start = bytes.length;
    }
    // Splitting on the newline byte is safe in UTF-8: it never occurs inside a multi-byte character.
    offset += start;
    return lines;
  }

  private static byte[] readFrom(FileChannel in, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      int n = in.read(buffer, position + buffer.position());
      if (n < 0) {
        break;   // truncated while reading: the next read sees the shorter file
      }
    }
    byte[] bytes = new byte[buffer.position()];
    buffer.flip().get(bytes);
    return bytes;
  }

  private void restart() {
    offset = 0;
    fileKey = null;
  }

  private static BasicFileAttributes attributes(Path file) throws IOException {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException notYet) {
      return null;
    }
  }
}
