package dev.llava.model.text;

/** A half-open range {@code [start, end)} of UTF-16 indices in a rendered prompt. */
public record TextSpan(int start, int end) {
  public TextSpan {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("span must satisfy 0 <= start <= end, got [" + start + ", " + end + ")");
    }
  }

  public boolean overlaps(int otherStart, int otherEnd) {
    return otherStart < end && start < otherEnd;
  }
}
