package dev.llava.orchestrator.pipeline;

import dev.llava.proto.v1.EncodedImage;
import java.util.List;

/**
 * A request's images after the vision encoder, in prompt order, with what the image phase cost.
 *
 * @param fetchMs longest fetch/decode/probe of one image in the orchestrator (images run in parallel)
 * @param encodeWallMs longest Encode call
 * @param decodeMs vision-encoder decode time, summed over images
 * @param preprocessMs vision-encoder preprocessing time, summed
 * @param encodeMs vision-encoder CLIP time, summed (0 for cache hits)
 */
public record EncodedImages(List<EncodedImage> images, double fetchMs, double encodeWallMs, double decodeMs,
    double preprocessMs, double encodeMs) {
  public static final EncodedImages NONE = new EncodedImages(List.of(), 0, 0, 0, 0, 0);
}
