package dev.llava.trainer.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a file another process appends to: offsets, partial lines, truncation, a missing file, old content. */
class MetricsFileTailTest {
  @TempDir Path dir;

  @Test
  void aMissingFileHasNoLinesUntilItIsWritten() throws IOException {
    Path file = dir.resolve("metrics.jsonl");
    MetricsFileTail tail = MetricsFileTail.of(file);
    assertEquals(List.of(), tail.readNewLines());
    append(file, "a\n");
    assertEquals(List.of("a"), tail.readNewLines());
  }

  @Test
  void eachReadReturnsOnlyTheLinesAppendedSinceTheLastOne() throws IOException {
    Path file = dir.resolve("metrics.jsonl");
    MetricsFileTail tail = MetricsFileTail.of(file);
    append(file, "one\ntwo\n");
    assertEquals(List.of("one", "two"), tail.readNewLines());
    assertEquals(8, tail.offset());
    assertEquals(List.of(), tail.readNewLines(), "nothing new");
    append(file, "three\r\nvier \u00fc\n");
    assertEquals(List.of("three", "vier \u00fc"), tail.readNewLines(), "CRLF and UTF-8 are whole lines too");
    assertEquals(8 + 7 + 8, tail.offset());
  }

  @Test
  void aLineStillBeingWrittenIsReadOnceItsLineEndIsThere() throws IOException {
    Path file = dir.resolve("metrics.jsonl");
    MetricsFileTail tail = MetricsFileTail.of(file);
    append(file, "one\n{\"step\":");
    assertEquals(List.of("one"), tail.readNewLines());
    assertEquals(4, tail.offset(), "the offset stops before the partial line");
    assertEquals(List.of(), tail.readNewLines(), "still partial");
    append(file, "2}\n");
    assertEquals(List.of("{\"step\":2}"), tail.readNewLines());
  }

  @Test
  void aTruncatedFileIsReadAgainFromItsStart() throws IOException {
    Path file = dir.resolve("metrics.jsonl");
    MetricsFileTail tail = MetricsFileTail.of(file);
    append(file, "old one\nold two\n");
    assertEquals(2, tail.readNewLines().size());
    Files.writeString(file, "new\n");   // a restarted run starts its log afresh
    assertEquals(List.of("new"), tail.readNewLines());
    assertEquals(4, tail.offset());
  }

  @Test
  void aDeletedFileIsReadFromItsStartWhenItComesBack() throws IOException {
    Path file = dir.resolve("metrics.jsonl");
    MetricsFileTail tail = MetricsFileTail.of(file);
    append(file, "first run\n");
    assertEquals(List.of("first run"), tail.readNewLines());
    Files.delete(file);
    assertEquals(List.of(), tail.readNewLines());
    assertEquals(0, tail.offset());
    append(file, "second run, longer\n");
    assertEquals(List.of("second run, longer"), tail.readNewLines());
  }

  @Test
  void whatWasThereBeforeIsIgnoredUntilTheFileIsRewritten() throws IOException {
    Path file = append(dir.resolve("metrics.jsonl"), "earlier run 1\nearlier run 2\n");
    MetricsFileTail tail = MetricsFileTail.ignoringWhatIsThereNow(file);
    assertEquals(List.of(), tail.readNewLines());
    assertEquals(List.of(), tail.readNewLines());
    Files.writeString(file, "this run 1\n");
    assertEquals(List.of("this run 1"), tail.readNewLines());
    append(file, "this run 2\n");
    assertEquals(List.of("this run 2"), tail.readNewLines());
  }

  @Test
  void ignoringAFileThatIsNotThereYetReadsAllOfIt() throws IOException {
    Path file = dir.resolve("metrics.jsonl");
    MetricsFileTail tail = MetricsFileTail.ignoringWhatIsThereNow(file);
    append(file, "this run 1\n");
    assertEquals(List.of("this run 1"), tail.readNewLines());
  }

  @Test
  void aLongBacklogComesOverSeveralBoundedReads() throws IOException {
    Path file = dir.resolve("metrics.jsonl");
    String line = "x".repeat(99);
    int count = 3 * MetricsFileTail.MAX_READ_BYTES / 100 + 7;
    append(file, (line + "\n").repeat(count));
    MetricsFileTail tail = MetricsFileTail.of(file);
    List<String> all = new ArrayList<>();
    int reads = 0;
    for (List<String> lines = tail.readNewLines(); !lines.isEmpty(); lines = tail.readNewLines()) {
      all.addAll(lines);
      reads++;
    }
    assertEquals(count, all.size());
    assertTrue(all.stream().allMatch(line::equals));
    assertEquals(4, reads);
  }

  @Test
  void aLineLongerThanOneReadIsHandedOnInPiecesRatherThanStallingTheTail() throws IOException {
    Path file = append(dir.resolve("metrics.jsonl"), "y".repeat(MetricsFileTail.MAX_READ_BYTES + 10) + "\nok\n");
    MetricsFileTail tail = MetricsFileTail.of(file);
    assertEquals(MetricsFileTail.MAX_READ_BYTES, tail.readNewLines().get(0).length());
    assertEquals(List.of("y".repeat(10), "ok"), tail.readNewLines());
  }

  private static Path append(Path file, String text) throws IOException {
    return Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
