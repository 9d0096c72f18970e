package dev.llava.engine.lm;

import dev.llava.model.generate.FinishReason;
import dev.llava.model.runtime.Sequence;
import dev.llava.model.runtime.TokenSink;
import java.util.Arrays;

/**
 * One request inside the {@link ContinuousBatcher}: its prepared input, its {@link Sequence} once admitted, and
 * the clock readings behind its timings and latency metrics. Receives the sequence's tokens ({@link TokenSink},
 * scheduler thread) and forwards them to the caller's {@link GenerationListener}; {@link #cancel()} is the only
 * method other threads call.
 */
final class ScheduledRequest implements TokenSink, GenerationHandle {
  private static final System.Logger LOG = System.getLogger(ScheduledRequest.class.getName());

  final PreparedRequest input;
  private final GenerationListener listener;
  private final LmMetrics metrics;
  private final Runnable wakeScheduler;
  private final long deadlineNanos; // System.nanoTime() after which the request is cancelled; 0 = none
  private volatile boolean cancelRequested;

  // Everything below is touched by the scheduler thread only.
  Sequence sequence;
  final long submittedNanos = System.nanoTime();
  long admittedNanos;
  long projectNanos;
  long prefillNanos;
  private long firstTokenNanos;
  private long lastTokenNanos;
  private int emittedIds;
  private RuntimeException failure;
  private boolean ended;

  ScheduledRequest(PreparedRequest input, GenerationListener listener, LmMetrics metrics, Runnable wakeScheduler,
      long deadlineNanos) {
    this.input = input;
    this.listener = listener;
    this.metrics = metrics;
    this.wakeScheduler = wakeScheduler;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public void cancel() {
    cancelRequested = true;
    wakeScheduler.run();
  }

  /** Cancelled by the caller, or its deadline has passed (checked by the scheduler every iteration). */
  boolean cancelRequested() {
    return cancelRequested || (deadlineNanos != 0 && System.nanoTime() - deadlineNanos > 0);
  }

  boolean ended() {
    return ended;
  }

  @Override
  public void onToken(long tokenId, String text) {
    countToken(System.nanoTime());
    emittedIds++;
    try {
      listener.onTokens(text, new long[] {tokenId});
    } catch (RuntimeException e) {
      // a broken consumer must not stall the batch: stop this sequence at the next iteration
      LOG.log(System.Logger.Level.WARNING, "request " + input.id() + ": listener failed, cancelling", e);
      cancelRequested = true;
    }
  }

  @Override
  public void onFinish(FinishReason reason, String trailingText, int promptTokens, int completionTokens) {
    long now = System.nanoTime();
    long[] all = sequence.generatedIds();
    long[] tail = Arrays.copyOfRange(all, Math.min(emittedIds, all.length), all.length);
    for (int i = 0; i < tail.length; i++) {
      countToken(now); // the final token (EOS, or the one that hit the length limit) was generated too
    }
    emittedIds = all.length;
    end(now, reason, trailingText, tail, completionTokens);
  }

  /** Ends a request that never got a sequence (cancelled while waiting). */
  void endUnadmitted(FinishReason reason) {
    end(System.nanoTime(), reason, "", new long[0], 0);
  }

  /** Ends the request with an error; a running sequence is cancelled (freeing its memory) first. */
  void fail(RuntimeException error) {
    if (ended) {
      return;
    }
    failure = error;
    if (sequence != null && !sequence.finished()) {
      sequence.cancel(); // calls onFinish, which reports the failure
    } else {
      end(System.nanoTime(), FinishReason.CANCELLED, "", new long[0], 0);
    }
  }

  private void countToken(long now) {
    if (firstTokenNanos == 0) {
      firstTokenNanos = now;
      metrics.timeToFirstToken.record(now - input.startNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    } else {
      metrics.interTokenLatency.record(now - lastTokenNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    lastTokenNanos = now;
    metrics.generationTokens.increment();
  }

  private void end(long now, FinishReason reason, String text, long[] ids, int completionTokens) {
    if (ended) {
      return;
    }
    ended = true;
    metrics.requestDuration.record(now - input.startNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    long admitted = admittedNanos != 0 ? admittedNanos : now;
    StageTimes timings = new StageTimes(
        ms(admitted - submittedNanos),
        ms(projectNanos),
        ms(prefillNanos),
        firstTokenNanos != 0 ? ms(firstTokenNanos - input.startNanos()) : 0,
        firstTokenNanos != 0 ? ms(lastTokenNanos - firstTokenNanos) : 0,
        ms(now - input.startNanos()));
    try {
      if (failure != null) {
        listener.onFailed(failure);
      } else {
        listener.onFinished(text, ids, new GenerationResult(reason, input.promptIds().length, input.imageTokens(),
            completionTokens, timings));
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "request " + input.id() + ": listener failed at the end", e);
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
