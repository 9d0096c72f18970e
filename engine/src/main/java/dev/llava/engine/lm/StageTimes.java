package dev.llava.engine.lm;

/**
 * Where one request's time went, in milliseconds (the projector-lm fields of {@code StageTimings}).
 *
 * @param queueMs submitted until admitted into the running batch
 * @param projectMs projecting and packing image features (0 without images)
 * @param prefillMs building the prompt embeddings and every prefill chunk of this sequence
 * @param firstTokenMs request start until the first generated token
 * @param decodeMs first token until the last
 * @param totalMs request start until the end
 */
public record StageTimes(double queueMs, double projectMs, double prefillMs, double firstTokenMs,
    double decodeMs, double totalMs) {}
