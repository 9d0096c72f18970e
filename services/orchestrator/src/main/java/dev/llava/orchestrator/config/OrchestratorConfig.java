package dev.llava.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Configuration of the orchestrator ({@code llava.orchestrator.*}). Every property can also be set as an
 * environment variable, for example {@code LLAVA_ORCHESTRATOR_LIMITS_MAX_IMAGE_BYTES}.
 */
@ConfigMapping(prefix = "llava.orchestrator")
public interface OrchestratorConfig {

  /** Models the platform serves; the first is the default for requests that name none. */
  List<Model> models();

  /**
   * Vision-encoder replicas as {@code host:port} (static discovery). Ignored when {@code discovery.mode} is
   * {@code kubernetes}.
   */
  Optional<List<String>> visionEncoders();

  /** Projector-lm replicas as {@code host:port} (static discovery). */
  Optional<List<String>> generators();

  /** Where backend replicas come from. */
  Discovery discovery();

  /** Per-call deadlines towards the backends. */
  Deadlines deadlines();

  /** Retries of idempotent or not-yet-started backend calls. */
  Retry retry();

  /** Per-endpoint circuit breaker. */
  CircuitBreaker circuitBreaker();

  /** Request limits; each violation is INVALID_ARGUMENT / HTTP 400 naming the limit. */
  Limits limits();

  /** Fetching {@code http(s)} image URLs (off by default: SSRF surface). */
  ImageFetch imageFetch();

  /** API keys. */
  Auth auth();

  /** Kafka connection, topics and the consume-transform-produce pipeline. */
  Kafka kafka();

  interface Model {
    /** Name clients put in {@code ModelRef.name} / OpenAI {@code model}. */
    String name();

    /** Checkpoint revision, when pinned; sent to the backends when the request pins none. */
    Optional<String> revision();

    /** Context window in tokens. */
    @WithDefault("4096")
    int maxContextTokens();
  }

  interface Discovery {
    /** {@code static} (the host:port lists) or {@code kubernetes} (EndpointSlices of the services below). */
    @WithDefault("static")
    String mode();

    /** Namespace of the backend services; the client's namespace when unset. */
    Optional<String> namespace();

    /** Kubernetes Service whose EndpointSlices list the vision-encoder pods. */
    @WithDefault("vision-encoder")
    String visionEncoderService();

    /** Kubernetes Service whose EndpointSlices list the projector-lm pods. */
    @WithDefault("projector-lm")
    String generatorService();

    /** EndpointSlice port name carrying gRPC; the slice's first port when unset. */
    Optional<String> portName();
  }

  interface Deadlines {
    /** Deadline of one {@code VisionEncoder.Encode} call. */
    @WithDefault("30s")
    Duration encode();

    /** Deadline of one {@code Generator.Generate} stream, first to last chunk. */
    @WithDefault("300s")
    Duration generate();

    /** Deadline of one {@code Generator.CountTokens} call. */
    @WithDefault("10s")
    Duration countTokens();
  }

  interface Retry {
    /**
     * Attempts per backend call (first try included) when a replica answers UNAVAILABLE. Generate is only
     * retried before its first chunk.
     */
    @WithDefault("3")
    int maxAttempts();
  }

  interface CircuitBreaker {
    /** Consecutive failures (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN) that open an endpoint's breaker. */
    @WithDefault("5")
    int failureThreshold();

    /** How long an open breaker rejects calls before letting one trial call through (half-open). */
    @WithDefault("10s")
    Duration coolDown();
  }

  interface Limits {
    /** Images in one request. */
    @WithDefault("8")
    int maxImagesPerRequest();

    /** Encoded bytes of one image (after base64 decoding or fetching). */
    @WithDefault("20971520")
    int maxImageBytes();

    /** Width x height of one image, read from the image header. */
    @WithDefault("40000000")
    long maxImagePixels();

    /** Characters of text over all messages. */
    @WithDefault("100000")
    int maxPromptChars();

    /**
     * Prompt tokens (image tokens included). When set, every request is counted with Generator.CountTokens
     * before generating; unset skips that extra call.
     */
    Optional<Integer> maxPromptTokens();

    /** Upper bound of {@code max_tokens} / {@code StoppingCriteria.max_new_tokens}. */
    @WithDefault("4096")
    int maxNewTokens();

    /** Messages in one request. */
    @WithDefault("256")
    int maxMessages();

    /** Stop strings in one request. */
    @WithDefault("16")
    int maxStopStrings();
  }

  interface ImageFetch {
    /** Whether {@code http(s)} image URLs are fetched at all; {@code data:} URLs always work. */
    @WithDefault("false")
    boolean enabled();

    /**
     * Allow-listed hosts: exact names or {@code *.example.com}. A listed host is trusted even when it resolves
     * to a private or loopback address (an internal image store).
     */
    Optional<List<String>> allowedHosts();

    /**
     * Whether hosts not on the allow-list may be fetched too, provided every address they resolve to is
     * public. False restricts fetching to the allow-list.
     */
    @WithDefault("true")
    boolean allowPublicHosts();

    /** Redirects followed; every hop is validated again. */
    @WithDefault("3")
    int maxRedirects();

    /** Connect plus download time of one fetch. */
    @WithDefault("10s")
    Duration timeout();
  }

  interface Auth {
    /** Accepted API keys ({@code Authorization: Bearer <key>}); empty turns authentication off. */
    Optional<List<String>> apiKeys();
  }

  interface Kafka {
    @WithDefault("localhost:9092")
    String bootstrapServers();

    @WithDefault("llava.chat.requests")
    String requestsTopic();

    @WithDefault("llava.chat.responses")
    String responsesTopic();

    /** Poison requests (unparseable or invalid) with the reason in headers. */
    @WithDefault("llava.chat.requests.dlq")
    String deadLetterTopic();

    @WithDefault("llava.usage")
    String usageTopic();

    /** Whether gRPC and REST requests publish a usage record (the Kafka pipeline always does). */
    @WithDefault("true")
    boolean usageEnabled();

    /** The consume-transform-produce worker. */
    Pipeline pipeline();

    interface Pipeline {
      /** Starts the worker at application start. */
      @WithDefault("false")
      boolean enabled();

      /** Consumer group shared by all orchestrator instances. */
      @WithDefault("llava-orchestrator")
      String groupId();

      /**
       * Transactional id; must be stable per instance (for example the StatefulSet pod name) so a restarted
       * instance fences its predecessor and aborts its open transaction at once.
       */
      @WithDefault("llava-orchestrator-chat-${HOSTNAME:local}")
      String transactionalId();

      /** Records per poll; they run through the pipeline concurrently and commit in one transaction. */
      @WithDefault("8")
      int maxPollRecords();

      /** Attempts of one request on retryable backend errors before it goes to the dead-letter topic. */
      @WithDefault("3")
      int maxAttempts();

      /** Longest a single request may take before it counts as failed (retryable). */
      @WithDefault("300s")
      Duration requestTimeout();
    }
  }
}
