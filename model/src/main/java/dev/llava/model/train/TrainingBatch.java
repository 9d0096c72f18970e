package dev.llava.model.train;

import dev.llava.model.image.ImageLayout;
import dev.llava.model.image.PixelValues;
import java.util.ArrayList;
import java.util.List;

/**
 * A micro-batch: samples right-padded to the longest, and the pixels of those that have an image (in sample
 * order). Image and text-only samples may be mixed; the trainer draws one modality per batch as LLaVA-1.5 does.
 *
 * @param samples B samples
 * @param pixels one entry per sample, null for text-only samples
 */
public record TrainingBatch(List<EncodedSample> samples, List<PixelValues> pixels) {
  public TrainingBatch {
    samples = List.copyOf(samples);
    pixels = new ArrayList<>(pixels); // may hold nulls
    if (samples.isEmpty()) throw new IllegalArgumentException("a batch needs at least one sample");
    if (pixels.size() != samples.size()) {
      throw new IllegalArgumentException(samples.size() + " samples but " + pixels.size() + " pixel entries");
    }
    for (int i = 0; i < samples.size(); i++) {
      EncodedSample s = samples.get(i);
      PixelValues p = pixels.get(i);
      if (s.hasImage() != (p != null)) {
        throw new IllegalArgumentException("sample " + s.id() + (s.hasImage() ? " has an image but no pixels"
            : " is text-only but has pixels"));
      }
      if (p != null && p.tiles() != s.layout().numTiles()) {
        throw new IllegalArgumentException("sample " + s.id() + ": layout needs " + s.layout().numTiles()
            + " tiles, pixels have " + p.tiles());
      }
    }
  }

  public int size() {
    return samples.size();
  }

  /** Padded length L: the longest sample. */
  public int maxLength() {
    return samples.stream().mapToInt(EncodedSample::length).max().orElse(0);
  }

  public int[] lengths() {
    return samples.stream().mapToInt(EncodedSample::length).toArray();
  }

  /** Trained next-token positions over the batch. */
  public int targetCount() {
    return samples.stream().mapToInt(EncodedSample::targetCount).sum();
  }

  public List<ImageLayout> layouts() {
    return samples.stream().filter(EncodedSample::hasImage).map(EncodedSample::layout).toList();
  }

  public int tiles() {
    return layouts().stream().mapToInt(ImageLayout::numTiles).sum();
  }
}
