package dev.llava.orchestrator.kafka;

import dev.llava.orchestrator.pipeline.ChatResult;
import dev.llava.proto.v1.ChatRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Runs one request to completion; failures complete the future with a ChatException. */
@FunctionalInterface
public interface ChatProcessor {
  CompletableFuture<ChatResult> process(ChatRequest request, Duration timeout);
}
