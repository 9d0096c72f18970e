package dev.llava.engine.vision;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching of CLIP tiles across concurrent requests: one inference thread per device takes up to
 * {@code maxTilesPerBatch} waiting tiles (waiting at most {@code maxWait} for a batch to fill) and runs them
 * through the encoder in one forward pass. The queue is bounded in tiles; a submit that does not fit fails at
 * once with {@link OverloadedException} rather than growing an unbounded backlog.
 *
 * <p>A request's tiles may be split across batches; its future completes when all of them are encoded.
 */
public final class TileBatcher implements AutoCloseable {

  /** Runs CLIP on a batch: pixels {@code [tiles, 3, S, S]} to features {@code [tiles, patches * width]}. */
  public interface BatchEncoder {
    float[] encode(float[] pixels, int tiles);
  }

  /** Observes each forward pass (metrics). */
  public interface BatchListener {
    void onBatch(int tiles, long nanos);
  }

  private final BatchEncoder encoder;
  private final int tileLength;
  private final int featureLength;
  private final int maxTilesPerBatch;
  private final long maxWaitNanos;
  private final int queueCapacity;
  private final BatchListener listener;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final ArrayDeque<PendingTile> queue = new ArrayDeque<>();
  private final Thread worker;
  private volatile boolean closed;

  /** One tile of a job, in the queue. */
  private record PendingTile(Job job, int index) {}

  /** A submitted request: its pixels, where its features go, and how many tiles are still pending. */
  private static final class Job {
    final float[] pixels;
    final float[] features;
    final CompletableFuture<float[]> done = new CompletableFuture<>();
    int remaining;

    Job(float[] pixels, int tiles, int featureLength) {
      this.pixels = pixels;
      this.features = new float[tiles * featureLength];
      this.remaining = tiles;
    }
  }

  /**
   * @param tileLength floats per input tile (3 * S * S)
   * @param featureLength floats per output tile (patches * width)
   */
  public TileBatcher(BatchEncoder encoder, int tileLength, int featureLength, int maxTilesPerBatch,
      Duration maxWait, int queueCapacity, BatchListener listener, String threadName) {
    if (maxTilesPerBatch < 1 || queueCapacity < 1) {
      throw new IllegalArgumentException("max tiles per batch and queue capacity must be >= 1, got "
          + maxTilesPerBatch + " and " + queueCapacity);
    }
    this.encoder = encoder;
    this.tileLength = tileLength;
    this.featureLength = featureLength;
    this.maxTilesPerBatch = maxTilesPerBatch;
    this.maxWaitNanos = maxWait.toNanos();
    this.queueCapacity = queueCapacity;
    this.listener = listener;
    this.worker = new Thread(this::run, threadName);
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /** Queues a request's tiles; the future yields {@code [tiles, featureLength]} features. */
  public CompletableFuture<float[]> submit(float[] pixels, int tiles) {
    if (pixels.length != (long) tiles * tileLength) {
      throw new IllegalArgumentException("pixels hold " + pixels.length + " floats, expected " + tiles
          + " tiles x " + tileLength);
    }
    Job job = new Job(pixels, tiles, featureLength);
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("tile batcher is closed");
      }
      if (queue.size() + tiles > queueCapacity) {
        throw new OverloadedException("encode queue full: " + queue.size() + " tiles waiting, capacity "
            + queueCapacity + ", request needs " + tiles);
      }
      for (int i = 0; i < tiles; i++) {
        queue.add(new PendingTile(job, i));
      }
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
    return job.done;
  }

  /** Tiles waiting for a forward pass. */
  public int queuedTiles() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (!closed) {
      List<PendingTile> batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        return;
      }
      if (batch.isEmpty()) {
        continue;
      }
      float[] pixels = new float[batch.size() * tileLength];
      for (int i = 0; i < batch.size(); i++) {
        PendingTile t = batch.get(i);
        System.arraycopy(t.job().pixels, t.index() * tileLength, pixels, i * tileLength, tileLength);
      }
      long start = System.nanoTime();
      float[] features;
      try {
        features = encoder.encode(pixels, batch.size());
      } catch (RuntimeException | Error e) {
        batch.forEach(t -> t.job().done.completeExceptionally(e));
        continue;
      }
      listener.onBatch(batch.size(), System.nanoTime() - start);
      for (int i = 0; i < batch.size(); i++) {
        PendingTile t = batch.get(i);
        System.arraycopy(features, i * featureLength, t.job().features, t.index() * featureLength, featureLength);
        if (--t.job().remaining == 0) {
          t.job().done.complete(t.job().features);
        }
      }
    }
  }

  /** Blocks for a first tile, then waits up to maxWait for the batch to fill. */
  private List<PendingTile> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() && !closed) {
        notEmpty.await();
      }
      long deadline = System.nanoTime() + maxWaitNanos;
      while (queue.size() < maxTilesPerBatch && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        notEmpty.await(left, TimeUnit.NANOSECONDS);
      }
      List<PendingTile> batch = new ArrayList<>(Math.min(queue.size(), maxTilesPerBatch));
      while (!queue.isEmpty() && batch.size() < maxTilesPerBatch) {
        batch.add(queue.poll());
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      queue.forEach(t -> t.job().done.completeExceptionally(new IllegalStateException("tile batcher closed")));
      queue.clear();
    } finally {
      lock.unlock();
    }
    worker.interrupt();
  }
}
