package dev.llava.orchestrator.routing;

import dev.llava.orchestrator.pipeline.ChatException;
import dev.llava.proto.v1.GenerateResponse;

/** Receives one Generate stream. Calls are serial: chunks, then exactly one of onCompleted / onError. */
public interface GenerateListener {
  void onChunk(GenerateResponse chunk);

  void onCompleted();

  void onError(ChatException error);
}
