package dev.llava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void unknownCommandIsAUsageErrorNamingTheKnownOnes() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = Main.run(new String[] {"frobnicate"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, rc);
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains("unknown command 'frobnicate'") && message.contains("up"), message);
  }

  @Test
  void unknownOptionListsTheKnownOnes() {
    CliException e = org.junit.jupiter.api.Assertions.assertThrows(CliException.class, () ->
        new Args("generate", new String[] {"--modle", "x"}, 0, Set.of("model", "prompt"), Set.of("json")));
    assertEquals("unknown option --modle (expected one of [--json, --model, --prompt])", e.getMessage());
  }

  @Test
  void repeatedOptionsAndInlineValuesAreKept() {
    Args a = new Args("generate", new String[] {"--image", "a.png", "--image=b.png", "--json", "rest"}, 0,
        Set.of("image"), Set.of("json"));
    assertEquals(java.util.List.of("a.png", "b.png"), a.all("image"));
    assertTrue(a.flag("json"));
    assertEquals(java.util.List.of("rest"), a.positional());
  }
}
