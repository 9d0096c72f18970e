package dev.llava.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** Configuration of the orchestrator ({@code llava.orchestrator.*}). */
@ConfigMapping(prefix = "llava.orchestrator")
public interface OrchestratorConfig {

  /** Models the platform serves; the first is the default for requests that name none. */
  List<Model> models();

  /** Kafka connection and topic names. */
  Kafka kafka();

  interface Model {
    /** Name clients put in {@code ModelRef.name} / OpenAI {@code model}. */
    String name();

    /** Checkpoint revision, when pinned. */
    Optional<String> revision();

    /** Context window in tokens. */
    @WithDefault("4096")
    int maxContextTokens();
  }

  interface Kafka {
    @WithDefault("localhost:9092")
    String bootstrapServers();

    @WithDefault("llava.chat.requests")
    String requestsTopic();

    @WithDefault("llava.chat.responses")
    String responsesTopic();

    @WithDefault("llava.usage")
    String usageTopic();
  }
}
