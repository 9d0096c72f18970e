package dev.llava.engine.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.llava.engine.vision.OverloadedException;
import dev.llava.model.generate.FinishReason;
import dev.llava.model.runtime.DecodeStep;
import dev.llava.model.runtime.LlavaRuntime;
import dev.llava.model.runtime.Sequence;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Iteration-level scheduling (Orca / vLLM continuous batching) for one model on one device. A single scheduler
 * thread owns the model, and every DJL call (projecting, embedding, prefill, decode, freeing caches) happens on
 * it. Each iteration:
 * <ol>
 *   <li>ends sequences whose caller cancelled (client cancel or deadline), freeing slot and KV budget;</li>
 *   <li>admits waiting requests in arrival order while {@code running < maxRunningSequences} and the KV budget
 *       (sum of admitted {@code prompt + max_new_tokens}) allows, building their sequences;</li>
 *   <li>prefills at most {@code prefillChunkTokens} prompt tokens, oldest sequence first (vLLM's token budget:
 *       the first arrival gets its first token soonest, and a long prompt costs the others one chunk's time per
 *       iteration instead of its whole prefill);</li>
 *   <li>runs ONE batched {@link DecodeStep} for every decoding sequence, whatever their lengths.</li>
 * </ol>
 * Finished sequences leave the batch at the end of the iteration in which they finish. Admission is strictly
 * first-come-first-served (no overtaking by small requests), so a large request cannot starve.
 */
public final class ContinuousBatcher implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ContinuousBatcher.class.getName());

  private final LlavaRuntime runtime;
  private final LmEngineConfig limits;
  private final LmMetrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workArrived = lock.newCondition();
  private final ArrayDeque<ScheduledRequest> waiting = new ArrayDeque<>(); // guarded by lock
  private final List<ScheduledRequest> running = new ArrayList<>(); // scheduler thread only
  private final Thread scheduler;
  private volatile boolean closed;
  private volatile int runningCount;
  private volatile long kvTokensInUse;
  private final AtomicLong decodeSteps = new AtomicLong();
  private final AtomicLong batchedDecodeSteps = new AtomicLong();
  private volatile int largestDecodeBatch;

  public ContinuousBatcher(LlavaRuntime runtime, LmEngineConfig limits, LmMetrics metrics, String threadName) {
    this.runtime = runtime;
    this.limits = limits;
    this.metrics = metrics;
    this.scheduler = new Thread(this::run, threadName);
    this.scheduler.setDaemon(true);
    this.scheduler.start();
  }

  /** Queues a request without a deadline; see {@link #submit(PreparedRequest, GenerationListener, long)}. */
  public GenerationHandle submit(PreparedRequest request, GenerationListener listener) {
    return submit(request, listener, 0);
  }

  /**
   * Queues a request. Fails at once with {@link OverloadedException} when the waiting queue is full, and with
   * {@link IllegalArgumentException} when the request alone exceeds the KV budget (it could never be admitted).
   *
   * @param deadlineNanos {@link System#nanoTime()} after which the scheduler cancels the request by itself
   *     (waiting or running), whatever the transport reports; 0 for none
   */
  public GenerationHandle submit(PreparedRequest request, GenerationListener listener, long deadlineNanos) {
    if (request.kvTokens() > limits.kvCacheTokenBudget()) {
      throw new IllegalArgumentException("request needs " + request.kvTokens() + " KV-cache tokens (prompt "
          + request.promptIds().length + " + max_new_tokens " + request.params().maxNewTokens()
          + "), more than the scheduler's whole budget of " + limits.kvCacheTokenBudget() + " tokens");
    }
    ScheduledRequest r = new ScheduledRequest(request, listener, metrics, this::wake, deadlineNanos);
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the generation scheduler is shut down");
      }
      if (waiting.size() >= limits.maxWaitingSequences()) {
        throw new OverloadedException("generation queue full: " + waiting.size() + " sequences waiting (limit "
            + limits.maxWaitingSequences() + "), " + runningCount + " running; retry later");
      }
      waiting.add(r);
      metrics.setWaiting(waiting.size());
      workArrived.signal();
    } finally {
      lock.unlock();
    }
    return r;
  }

  /** Sequences in the running batch. */
  public int running() {
    return runningCount;
  }

  public int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  /** KV-cache tokens reserved by the running sequences. */
  public long kvTokensInUse() {
    return kvTokensInUse;
  }

  /** Decode steps run so far, and how many of them decoded more than one sequence together. */
  public long decodeSteps() {
    return decodeSteps.get();
  }

  public long batchedDecodeSteps() {
    return batchedDecodeSteps.get();
  }

  public int largestDecodeBatch() {
    return largestDecodeBatch;
  }

  private void wake() {
    lock.lock();
    try {
      workArrived.signal();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    try {
      while (!closed) {
        List<ScheduledRequest> admitted = admit();
        if (closed) {
          break;
        }
        for (ScheduledRequest r : admitted) {
          start(r);
        }
        endCancelled();
        prefill();
        decode();
        removeFinished();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      LOG.log(System.Logger.Level.ERROR, "generation scheduler died", t);
      closed = true;
    } finally {
      shutDown();
    }
  }

  /**
   * Under the lock: drops cancelled waiting requests, takes the requests that fit, and sleeps while there is
   * nothing to do. Ending dropped requests happens here too (their listeners only see the CANCELLED result).
   */
  private List<ScheduledRequest> admit() throws InterruptedException {
    List<ScheduledRequest> admitted = new ArrayList<>();
    List<ScheduledRequest> dropped = new ArrayList<>();
    lock.lock();
    try {
      while (true) {
        for (Iterator<ScheduledRequest> it = waiting.iterator(); it.hasNext(); ) {
          ScheduledRequest r = it.next();
          if (r.cancelRequested()) {
            it.remove();
            dropped.add(r);
          }
        }
        long kv = kvTokensInUse;
        int slots = limits.maxRunningSequences() - running.size();
        while (slots > 0 && !waiting.isEmpty() && kv + waiting.peek().input.kvTokens() <= limits.kvCacheTokenBudget()) {
          ScheduledRequest r = waiting.poll();
          kv += r.input.kvTokens();
          admitted.add(r);
          slots--;
        }
        kvTokensInUse = kv;
        if (!admitted.isEmpty() || !running.isEmpty() || !dropped.isEmpty() || closed) {
          break;
        }
        workArrived.await(); // waiting requests with a deadline are only possible while others run
      }
      running.addAll(admitted);
      runningCount = running.size();
      metrics.setQueues(running.size(), waiting.size(), kvTokensInUse);
    } finally {
      lock.unlock();
    }
    dropped.forEach(r -> r.endUnadmitted(FinishReason.CANCELLED));
    return admitted;
  }

  /** Projects and packs the images and embeds the prompt: the sequence's native memory is born here. */
  private void start(ScheduledRequest r) {
    r.admittedNanos = System.nanoTime();
    if (r.cancelRequested()) {
      return; // endCancelled reports it without building anything
    }
    PreparedRequest in = r.input;
    try (NDManager scope = NDManager.newBaseManager(runtime.model().device())) {
      NDArray packed = null;
      if (in.imageFeatures() != null) {
        long t0 = System.nanoTime();
        packed = runtime.packFeatures(in.imageFeatures(), in.layouts(), scope); // [imageTokens, textHidden]
        r.projectNanos = System.nanoTime() - t0;
        metrics.projectStage.record(r.projectNanos, TimeUnit.NANOSECONDS);
      }
      long t0 = System.nanoTime();
      r.sequence = runtime.newSequence(in.id(), in.promptIds(), packed, in.params(), r);
      r.prefillNanos += System.nanoTime() - t0;
    } catch (RuntimeException e) {
      r.fail(e);
    }
  }

  private void endCancelled() {
    for (ScheduledRequest r : running) {
      if (r.cancelRequested() && !r.ended()) {
        if (r.sequence != null) {
          r.sequence.cancel(); // frees the KV cache now; the sink reports CANCELLED
        } else {
          r.endUnadmitted(FinishReason.CANCELLED);
        }
      }
    }
  }

  /** Spends this iteration's prefill token budget on the prefilling sequences, oldest first. */
  private void prefill() {
    int budget = limits.prefillChunkTokens();
    for (ScheduledRequest r : running) {
      Sequence s = r.sequence;
      if (budget == 0) {
        break;
      }
      if (s == null || s.state() != Sequence.State.PREFILL || r.ended()) {
        continue;
      }
      int n = Math.min(budget, s.pendingPrefill());
      long t0 = System.nanoTime();
      try {
        s.prefillStep(runtime.model(), n);
      } catch (RuntimeException e) {
        r.fail(e);
        continue;
      } finally {
        long took = System.nanoTime() - t0;
        r.prefillNanos += took;
        metrics.prefillStage.record(took, TimeUnit.NANOSECONDS);
      }
      metrics.promptTokens.increment(n);
      budget -= n;
    }
  }

  /** One forward pass for every decoding sequence. */
  private void decode() {
    List<Sequence> batch = new ArrayList<>(running.size());
    for (ScheduledRequest r : running) {
      if (r.sequence != null && r.sequence.state() == Sequence.State.DECODE) {
        batch.add(r.sequence);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    long t0 = System.nanoTime();
    try {
      DecodeStep.run(runtime.model(), batch);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "decode step of " + batch.size() + " sequences failed", e);
      for (ScheduledRequest r : running) {
        if (r.sequence != null && batch.contains(r.sequence)) {
          r.fail(e);
        }
      }
      return;
    }
    metrics.decodeStage.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    metrics.batchSize.record(batch.size());
    decodeSteps.incrementAndGet();
    if (batch.size() > 1) {
      batchedDecodeSteps.incrementAndGet();
    }
    largestDecodeBatch = Math.max(largestDecodeBatch, batch.size());
  }

  /** Finished and cancelled sequences leave the batch; their slots and KV budget are free for the next admit. */
  private void removeFinished() {
    long kv = 0;
    for (Iterator<ScheduledRequest> it = running.iterator(); it.hasNext(); ) {
      ScheduledRequest r = it.next();
      if (r.ended()) {
        it.remove();
      } else {
        kv += r.input.kvTokens();
      }
    }
    lock.lock();
    try {
      kvTokensInUse = kv;
      runningCount = running.size();
      metrics.setQueues(running.size(), waiting.size(), kv);
    } finally {
      lock.unlock();
    }
  }

  /** Fails everything still queued or running (their sequences' memory is freed on this thread). */
  private void shutDown() {
    List<ScheduledRequest> left;
    lock.lock();
    try {
      closed = true;
      left = new ArrayList<>(waiting);
      waiting.clear();
    } finally {
      lock.unlock();
    }
    IllegalStateException stopped = new IllegalStateException("the generation scheduler shut down");
    running.forEach(r -> r.fail(stopped));
    left.forEach(r -> r.fail(stopped));
    running.clear();
    runningCount = 0;
    kvTokensInUse = 0;
    metrics.setQueues(0, 0, 0);
  }

  /** Whether the scheduler thread has ended (after {@link #close()}, the model is no longer touched). */
  public boolean stopped() {
    return !scheduler.isAlive();
  }

  /**
   * Stops the scheduler after its current iteration; unfinished requests fail with IllegalStateException
   * (UNAVAILABLE). Waits up to 30 s for the iteration to end.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      workArrived.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      scheduler.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (scheduler.isAlive()) {
      LOG.log(System.Logger.Level.WARNING, "generation scheduler still busy 30 s after close");
    }
  }
}
