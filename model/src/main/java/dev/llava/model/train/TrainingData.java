package dev.llava.model.train;

import dev.llava.model.data.DatasetReport;
import dev.llava.model.data.LlavaConversationDataset;
import dev.llava.model.data.LlavaRecord;
import dev.llava.model.data.TurnRotations;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A conversation file turned into training samples, with the count of everything that could not be used: bad
 * records (the reader's report) and records the encoder skipped (unreadable image, too long, nothing to learn).
 *
 * @param samples the usable samples in file order
 * @param report what the reader found
 * @param skipped records dropped by the encoder
 * @param truncated samples cut to max_length but kept
 * @param skipReasons a few examples of why records were skipped
 */
public record TrainingData(List<EncodedSample> samples, DatasetReport report, int skipped, int truncated,
    Map<String, String> skipReasons) {
  private static final int MAX_REASONS = 10;

  /** Reads {@code json} (images relative to {@code imageDir}) and encodes every valid record. */
  public static TrainingData load(Path json, Path imageDir, SampleEncoder encoder) throws IOException {
    return encode(LlavaConversationDataset.load(json, imageDir, LlavaConversationDataset.Options.defaults()), false,
        encoder);
  }

  /**
   * Encodes every valid record of a loaded dataset; with {@code rotateTurns} each multi-question image record
   * becomes one sample per question, that question first ({@link TurnRotations}).
   */
  public static TrainingData encode(LlavaConversationDataset dataset, boolean rotateTurns, SampleEncoder encoder) {
    List<EncodedSample> samples = new ArrayList<>();
    Map<String, String> reasons = new LinkedHashMap<>();
    int skipped = 0;
    int truncated = 0;
    List<LlavaRecord> records = rotateTurns ? TurnRotations.all(dataset.records()) : dataset.records();
    for (LlavaRecord record : records) {
      SampleEncoder.Outcome outcome = encoder.encode(record, dataset.imagePath(record));
      if (outcome instanceof SampleEncoder.Encoded e) {
        samples.add(e.sample());
        if (e.truncated()) truncated++;
      } else if (outcome instanceof SampleEncoder.Skipped s) {
        skipped++;
        if (reasons.size() < MAX_REASONS) reasons.put(s.id(), s.reason());
      }
    }
    return new TrainingData(List.copyOf(samples), dataset.report(), skipped, truncated, reasons);
  }

  /** Records not trained on: bad in the file or skipped while encoding. */
  public int unusable() {
    return report.bad() + skipped;
  }

  public long imageSamples() {
    return samples.stream().filter(EncodedSample::hasImage).count();
  }

  /** One line for the log. */
  public String summary() {
    long tokens = samples.stream().mapToLong(EncodedSample::length).sum();
    long targets = samples.stream().mapToLong(EncodedSample::targetCount).sum();
    return String.format("data: %d records, %d usable samples (%d with image, %d text-only), %d bad, %d skipped,"
        + " %d truncated; %d tokens (%d trained)", report.records(), samples.size(), imageSamples(),
        samples.size() - imageSamples(), report.bad(), skipped, truncated, tokens, targets);
  }

  /** Sample ids and lengths, hashed: equal for the same data and encoding. */
  public String fingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (EncodedSample s : samples) {
        sha.update(s.id().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sha.update((byte) (s.length() >>> 8));
        sha.update((byte) s.length());
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
