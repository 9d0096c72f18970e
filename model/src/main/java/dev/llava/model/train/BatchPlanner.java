package dev.llava.model.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The order samples are trained in, LLaVA-1.5's {@code group_by_modality_length}: each epoch shuffles the image
 * samples and the text-only samples separately (seeded by seed and epoch), cuts each into global batches of one
 * modality, shuffles those batches, and puts the leftovers of both together into one last mixed batch. Inside a
 * batch samples are sorted longest first, so micro-batches cut from it waste little padding.
 *
 * <p>The plan is a pure function of (samples, batch size, seed, epoch): step {@code s} always trains the same
 * samples, which is what makes a resumed run continue the same loss curve.
 */
public final class BatchPlanner {
  private final List<EncodedSample> samples;
  private final int globalBatch;
  private final long seed;
  private final int perEpoch;
  private int plannedEpoch = -1;
  private List<List<Integer>> plan;

  public BatchPlanner(List<EncodedSample> samples, int globalBatch, long seed) {
    if (samples.isEmpty()) throw new IllegalArgumentException("no samples to train on");
    this.samples = List.copyOf(samples);
    this.globalBatch = globalBatch;
    this.seed = seed;
    long images = samples.stream().filter(EncodedSample::hasImage).count();
    long texts = samples.size() - images;
    long leftovers = images % globalBatch + texts % globalBatch;
    this.perEpoch = (int) (images / globalBatch + texts / globalBatch + (leftovers > 0 ? 1 : 0));
  }

  /** Optimizer steps in one pass over the data. */
  public int batchesPerEpoch() {
    return perEpoch;
  }

  public List<EncodedSample> samples() {
    return samples;
  }

  /** Sample indices of global step {@code step} (0-based), longest first. */
  public synchronized List<Integer> batch(int step) {
    int epoch = step / perEpoch;
    if (epoch != plannedEpoch) {
      plan = plan(epoch);
      plannedEpoch = epoch;
    }
    return plan.get(step % perEpoch);
  }

  /** Cuts a global batch into micro-batches of at most {@code micro} samples, in order. */
  public static List<List<Integer>> micro(List<Integer> batch, int micro) {
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < batch.size(); i += micro) out.add(batch.subList(i, Math.min(batch.size(), i + micro)));
    return out;
  }

  private List<List<Integer>> plan(int epoch) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 0x7261L);
    List<Integer> images = new ArrayList<>();
    List<Integer> texts = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) (samples.get(i).hasImage() ? images : texts).add(i);
    shuffle(images, random);
    shuffle(texts, random);
    List<List<Integer>> batches = new ArrayList<>();
    List<Integer> leftovers = new ArrayList<>();
    for (List<Integer> modality : List.of(images, texts)) {
      int full = modality.size() / globalBatch * globalBatch;
      for (int i = 0; i < full; i += globalBatch) batches.add(new ArrayList<>(modality.subList(i, i + globalBatch)));
      leftovers.addAll(modality.subList(full, modality.size()));
    }
    shuffle(batches, random);
    if (!leftovers.isEmpty()) batches.add(leftovers);
    Comparator<Integer> longestFirst = Comparator.comparingInt((Integer i) -> -samples.get(i).length())
        .thenComparingInt(i -> i);
    for (List<Integer> b : batches) b.sort(longestFirst);
    return batches;
  }

  private static <T> void shuffle(List<T> items, SplittableRandom random) {
    for (int i = items.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      items.set(i, items.set(j, items.get(i)));
    }
  }
}
