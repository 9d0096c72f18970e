package dev.llava.model.generate;

import java.util.List;
import java.util.Set;

/**
 * Decides when a sequence ends and which text may be released, given each generated token and the
 * text the detokenizer released for it.
 *
 * <p>Stop strings are matched on the text, so one split across tokens ({@code "</"} + {@code "s>"},
 * {@code "\nUS"} + {@code "ER"}) is caught. Text that could still become the start of a stop string
 * is held back, so a stop string is never emitted, not even in part; once it can no longer match it
 * is released. The stop string itself and everything after it is dropped (vLLM's default). Stop
 * token ids end the sequence and are not emitted.
 */
public final class StopChecker {

  /**
   * What one step releases.
   *
   * @param text text that is now safe to show (may be empty)
   * @param finishReason why the sequence ended, or null while it goes on
   */
  public record Step(String text, FinishReason finishReason) {
    public boolean finished() {
      return finishReason != null;
    }
  }

  private final Set<Long> stopTokenIds;
  private final List<String> stopStrings;
  private final int maxNewTokens;
  private final StringBuilder held = new StringBuilder();
  private int generated;
  private FinishReason finished;

  public StopChecker(Set<Long> stopTokenIds, List<String> stopStrings, int maxNewTokens) {
    this.stopTokenIds = Set.copyOf(stopTokenIds);
    this.stopStrings = List.copyOf(stopStrings);
    this.maxNewTokens = maxNewTokens;
    for (String s : this.stopStrings) {
      if (s.isEmpty()) {
        throw new IllegalArgumentException("stop strings must be non-empty");
      }
    }
  }

  public static StopChecker of(SamplingParams params) {
    return new StopChecker(params.stopTokenIds(), params.stopStrings(), params.maxNewTokens());
  }

  /** Feeds one generated token and the text the detokenizer released with it. */
  public Step accept(long tokenId, String newText) {
    if (finished != null) {
      throw new IllegalStateException("sequence already finished (" + finished + "); no more tokens accepted");
    }
    generated++;
    if (stopTokenIds.contains(tokenId)) {
      return finish(FinishReason.STOP, takeAll());
    }
    held.append(newText);
    int stopAt = firstStopString();
    if (stopAt >= 0) {
      String released = held.substring(0, stopAt);
      held.setLength(0);
      return finish(FinishReason.STOP, released);
    }
    if (generated >= maxNewTokens) {
      return finish(FinishReason.LENGTH, takeAll());
    }
    int keep = heldBackStart();
    String released = held.substring(0, keep);
    held.delete(0, keep);
    return new Step(released, null);
  }

  /** Ends the sequence now (e.g. the client went away), releasing the text held so far. */
  public Step cancel() {
    if (finished != null) {
      return new Step("", finished);
    }
    return finish(FinishReason.CANCELLED, takeAll());
  }

  public int generatedTokens() {
    return generated;
  }

  /** The reason the sequence ended, or null while it goes on. */
  public FinishReason finishReason() {
    return finished;
  }

  private Step finish(FinishReason reason, String text) {
    finished = reason;
    return new Step(text, reason);
  }

  private String takeAll() {
    String all = held.toString();
    held.setLength(0);
    return all;
  }

  private int firstStopString() {
    int first = -1;
    for (String s : stopStrings) {
      int at = held.indexOf(s);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  /** Start of the longest suffix of the held text that is a proper prefix of some stop string. */
  private int heldBackStart() {
    String text = held.toString();
    int n = text.length();
    for (int start = Math.max(0, n - longestStop() + 1); start < n; start++) {
      for (String s : stopStrings) {
        int len = n - start;
        if (len < s.length() && s.regionMatches(0, text, start, len)) {
          return start;
        }
      }
    }
    return n;
  }

  private int longestStop() {
    int max = 0;
    for (String s : stopStrings) {
      max = Math.max(max, s.length());
    }
    return max;
  }
}
