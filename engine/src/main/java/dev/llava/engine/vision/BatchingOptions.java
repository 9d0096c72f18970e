package dev.llava.engine.vision;

import java.time.Duration;

/**
 * Tile batching knobs.
 *
 * @param maxTilesPerBatch most tiles in one CLIP forward pass
 * @param maxWait how long the first waiting tile waits for others to join its batch
 * @param queueCapacity tiles that may wait; more is refused with {@link OverloadedException}
 * @param preprocessThreads threads decoding and tiling images (CPU work done before batching)
 */
public record BatchingOptions(int maxTilesPerBatch, Duration maxWait, int queueCapacity, int preprocessThreads) {}
