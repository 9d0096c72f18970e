package dev.llava.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void findsSelectorsAndBareNamesButNotFunctionsOrGroupingLabels() {
    assertEquals(Set.of("llava_lm_waiting_sequences"),
        PromQl.metricNames("sum(llava_lm_waiting_sequences{namespace=\"llava\",service=\"projector-lm\"})"));
    assertEquals(Set.of("a_total", "b"),
        PromQl.metricNames("sum by (pod) (rate(a_total{x=\"1\"}[5m])) / on(pod) b > 0.5"));
  }

  @Test
  void readsEqualityMatchers() {
    assertEquals(Map.of("namespace", "llava", "service", "vision-encoder"),
        PromQl.labelMatchers("sum(x{namespace=\"llava\", service=\"vision-encoder\"})"));
  }
}
