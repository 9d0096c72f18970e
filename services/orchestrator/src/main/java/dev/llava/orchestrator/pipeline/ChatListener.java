package dev.llava.orchestrator.pipeline;

/** Receives one chat's output: text deltas, then exactly one of onComplete / onError. Calls are serial. */
public interface ChatListener {
  void onText(String delta);

  void onComplete(ChatResult result);

  void onError(ChatException error);
}
