package dev.llava.orchestrator.pipeline;

import dev.llava.proto.v1.StageTimings;
import java.util.Locale;

/**
 * Stage timings as one header value, milliseconds with one decimal:
 * {@code image_decode=1.2;preprocess=0.0;encode=35.1;queue=0.3;project=2.0;prefill=40.2;first_token=80.4;decode=120.9;total=210.7}.
 */
public final class TimingsHeader {
  public static final String NAME = "X-LLaVA-Timings";

  private TimingsHeader() {}

  public static String format(StageTimings t) {
    return String.format(Locale.ROOT,
        "image_decode=%.1f;preprocess=%.1f;encode=%.1f;queue=%.1f;project=%.1f;prefill=%.1f;first_token=%.1f;decode=%.1f;total=%.1f",
        t.getImageDecodeMs(), t.getPreprocessMs(), t.getEncodeMs(), t.getQueueMs(), t.getProjectMs(),
        t.getPrefillMs(), t.getFirstTokenMs(), t.getDecodeMs(), t.getTotalMs());
  }
}
