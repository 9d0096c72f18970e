package dev.llava.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StopCheckerTest {

  @Test
  void stopStringSplitAcrossTokensIsCaughtAndNeverEmitted() {
    StopChecker c = new StopChecker(Set.of(), List.of("STOP"), 100);
    assertEquals(new StopChecker.Step("Hel", null), c.accept(10, "Hel"));
    assertEquals(new StopChecker.Step("lo ", null), c.accept(11, "lo ST")); // "ST" might start STOP
    assertEquals(new StopChecker.Step("", FinishReason.STOP), c.accept(12, "OP and more"));
  }

  @Test
  void heldTextIsReleasedWhenItStopsMatching() {
    StopChecker c = new StopChecker(Set.of(), List.of("\nUSER:"), 100);
    assertEquals("Orange", c.accept(1, "Orange").text());
    assertEquals(".", c.accept(2, ".\n").text());
    assertEquals("", c.accept(3, "US").text());
    assertEquals("\nUSB cable", c.accept(4, "B cable").text());
    assertNull(c.finishReason());
  }

  @Test
  void earliestOfSeveralStopStringsWins() {
    StopChecker c = new StopChecker(Set.of(), List.of("</s>", "###"), 100);
    StopChecker.Step s = c.accept(1, "a###b</s>");
    assertEquals(new StopChecker.Step("a", FinishReason.STOP), s);
  }

  @Test
  void stopTokenEndsWithoutItsTextButReleasesHeldText() {
    StopChecker c = new StopChecker(Set.of(2L), List.of("</s>"), 100);
    assertEquals("x", c.accept(7, "x</").text());
    assertEquals(new StopChecker.Step("</", FinishReason.STOP), c.accept(2, ""));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.accept(3, "y"));
    assertEquals("sequence already finished (STOP); no more tokens accepted", e.getMessage());
  }

  @Test
  void lengthLimitFlushesHeldText() {
    StopChecker c = new StopChecker(Set.of(), List.of("END"), 2);
    assertEquals(new StopChecker.Step("a", null), c.accept(1, "a"));
    assertEquals(new StopChecker.Step(" EN", FinishReason.LENGTH), c.accept(1, " EN"));
    assertEquals(2, c.generatedTokens());
  }

  @Test
  void cancelReleasesHeldText() {
    StopChecker c = new StopChecker(Set.of(), List.of("END"), 10);
    assertEquals("", c.accept(1, "E").text());
    assertEquals(new StopChecker.Step("E", FinishReason.CANCELLED), c.cancel());
  }
}
