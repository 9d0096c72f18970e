package dev.llava.engine.lm;

import dev.llava.model.generate.FinishReason;

/**
 * How a generation ended and what it used.
 *
 * @param promptTokens prompt tokens, image tokens included
 * @param imageTokens of those, image tokens
 * @param completionTokens generated tokens (a final EOS included)
 */
public record GenerationResult(FinishReason finishReason, int promptTokens, int imageTokens, int completionTokens,
    StageTimes timings) {}
