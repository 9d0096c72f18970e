package dev.llava.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShapeColorTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      // what other drawing programs typically use for the four names
      "ff0000, RED", "e53935, RED", "00ff00, GREEN", "008000, GREEN", "228b22, GREEN",
      "43a047, GREEN", "0000ff, BLUE", "1e40ff, BLUE", "1e88e5, BLUE", "1e90ff, BLUE", "ffff00, YELLOW", "ffd700, YELLOW"})
  void commonPureColoursFallInTheirFamily(String hex, ShapeColor expected) {
    assertEquals(expected, ShapeColor.classify(Integer.parseInt(hex, 16)));
  }

  @ParameterizedTest(name = "{0} is no object colour")
  @CsvSource({"ffffff", "000000", "808080", "f5f0e6", "1e1e28", "ffa500", "00ffff", "800080", "556b2f"})
  void neutralAndInBetweenColoursBelongToNoFamily(String hex) {
    assertNull(ShapeColor.classify(Integer.parseInt(hex, 16)));
  }

  @Test
  void everySampledColourClassifiesAsItsOwnFamily() {
    SplittableRandom random = new SplittableRandom(1);
    for (ShapeColor color : ShapeColor.values()) {
      for (int i = 0; i < 2000; i++) {
        int rgb = color.sampleRgb(random);
        assertEquals(color, ShapeColor.classify(rgb), color + " sampled " + Integer.toHexString(rgb));
      }
    }
  }
}
