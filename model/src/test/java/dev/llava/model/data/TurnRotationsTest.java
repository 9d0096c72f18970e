package dev.llava.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class TurnRotationsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static LlavaRecord record(String image, String meta, Turn... turns) throws Exception {
    return new LlavaRecord("r1", image, List.of(turns), meta == null ? null : MAPPER.readTree(meta));
  }

  @Test
  void everyQuestionLeadsOnceWithTheImageBeforeIt() throws Exception {
    LlavaRecord r = record("images/a.png", "{\"types\": [\"color\", \"count\", \"shape\"], \"scene\": {}}",
        Turn.human("<image>\nWhat color?"), Turn.gpt("red"),
        Turn.human("How many?"), Turn.gpt("2"),
        Turn.human("What shape?"), Turn.gpt("circle"));

    List<LlavaRecord> rotations = TurnRotations.of(r);

    assertEquals(3, rotations.size());
    assertSame(r, rotations.get(0), "rotation 0 is the record itself");
    LlavaRecord second = rotations.get(1);
    assertEquals("r1@1", second.id());
    assertEquals("images/a.png", second.image());
    assertEquals(List.of(Turn.human("<image>\nHow many?"), Turn.gpt("2"), Turn.human("What shape?"),
        Turn.gpt("circle"), Turn.human("What color?"), Turn.gpt("red")), second.conversations());
    assertEquals("[\"count\",\"shape\",\"color\"]", second.meta().get("types").toString());
    assertEquals("[\"color\",\"count\",\"shape\"]", r.meta().get("types").toString(), "the original is untouched");
    LlavaRecord third = rotations.get(2);
    assertEquals(List.of("<image>\nWhat shape?", "circle", "What color?", "red", "How many?", "2"),
        third.conversations().stream().map(Turn::value).toList());
  }

  @Test
  void aMarkerAfterTheTextMovesToTheFrontOfTheNewFirstQuestion() throws Exception {
    LlavaRecord r = record("a.png", null, Turn.human("What color?\n<image>"), Turn.gpt("red"),
        Turn.human("How many?"), Turn.gpt("2"));
    List<LlavaRecord> rotations = TurnRotations.of(r);
    assertEquals(List.of(Turn.human("<image>\nHow many?"), Turn.gpt("2"), Turn.human("What color?"), Turn.gpt("red")),
        rotations.get(1).conversations());
    assertEquals(null, rotations.get(1).meta());
  }

  @Test
  void recordsThatCannotRotateStayAsTheyAre() throws Exception {
    LlavaRecord textOnly = record(null, null, Turn.human("Hi"), Turn.gpt("Hello"), Turn.human("Bye"), Turn.gpt("Bye"));
    LlavaRecord oneQuestion = record("a.png", null, Turn.human("<image>\nDescribe."), Turn.gpt("A red circle."));
    LlavaRecord twoMarkers = record("a.png", null, Turn.human("<image>\nA?"), Turn.gpt("a"),
        Turn.human("<image>\nB?"), Turn.gpt("b"));
    LlavaRecord unanswered = record("a.png", null, Turn.human("<image>\nA?"), Turn.gpt("a"), Turn.human("B?"));
    for (LlavaRecord r : List.of(textOnly, oneQuestion, twoMarkers, unanswered)) {
      assertEquals(List.of(r), TurnRotations.of(r), r.toString());
    }
    assertEquals(1 + 1 + 1 + 1, TurnRotations.all(List.of(textOnly, oneQuestion, twoMarkers, unanswered)).size());
  }
}
