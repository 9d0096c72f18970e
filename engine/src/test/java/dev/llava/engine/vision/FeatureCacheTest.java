package dev.llava.engine.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.llava.model.image.ImageLayout;
import org.junit.jupiter.api.Test;

class FeatureCacheTest {
  private static EncodedFeatures features(int floats, String digest) {
    ImageLayout layout = new ImageLayout(10, 10, 336, 336, 0, 0, 336, 24, 0, 0, 0, 0, 576);
    return new EncodedFeatures(new float[floats], 1, floats, 1, layout, digest);
  }

  @Test
  void evictsLeastRecentlyUsedWhenOverTheByteBound() {
    FeatureCache cache = new FeatureCache(3 * 400); // three 100-float entries
    cache.put("a", features(100, "a"));
    cache.put("b", features(100, "b"));
    cache.put("c", features(100, "c"));
    assertNotNull(cache.get("a")); // a is now most recent
    cache.put("d", features(100, "d"));
    assertNull(cache.get("b"), "b was least recently used");
    assertNotNull(cache.get("a"));
    assertNotNull(cache.get("c"));
    assertNotNull(cache.get("d"));
    assertEquals(1200, cache.bytes());
    assertEquals(4, cache.hits());
    assertEquals(1, cache.misses());
  }

  @Test
  void entriesLargerThanTheCacheAreNotStoredAndZeroDisables() {
    FeatureCache cache = new FeatureCache(100);
    cache.put("big", features(26, "big"));
    assertNull(cache.get("big"));
    FeatureCache off = new FeatureCache(0);
    off.put("x", features(1, "x"));
    assertEquals(0, off.size());
  }
}
