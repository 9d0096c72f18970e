package dev.llava.vision.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Configuration of the vision-encoder service ({@code llava.vision.*}). */
@ConfigMapping(prefix = "llava.vision")
public interface VisionEncoderConfig {

  /** HF checkpoint directory whose vision tower and preprocessing are served. */
  Optional<String> modelDir();

  /** Name clients use in {@code ModelRef.name}. */
  @WithDefault("llava-demo")
  String modelName();

  /**
   * Rotate JPEGs by their EXIF orientation (as transformers' {@code load_image} does; the HF processors alone do
   * not). Phone photos come out upright.
   */
  @WithDefault("true")
  boolean applyExifOrientation();

  /** Request limits; each violation is INVALID_ARGUMENT. */
  Limits limits();

  /** Dynamic batching of tiles across concurrent requests. */
  Batching batching();

  /** Content-addressed feature cache. */
  Cache cache();

  interface Limits {
    /** Largest accepted encoded image, in bytes. */
    @WithDefault("20971520")
    int maxImageBytes();

    /** Largest accepted image, in pixels (width * height), checked from the header before decoding. */
    @WithDefault("40000000")
    long maxImagePixels();

    /** Most images in one Encode call. */
    @WithDefault("8")
    int maxImagesPerRequest();
  }

  interface Batching {
    /** Most tiles in one CLIP forward pass. */
    @WithDefault("16")
    int maxTilesPerBatch();

    /** How long the first waiting tile may wait for others to join its batch. */
    @WithDefault("5")
    int maxWaitMillis();

    /** Tiles that may wait; beyond this Encode answers RESOURCE_EXHAUSTED. */
    @WithDefault("256")
    int queueCapacity();

    /** Threads decoding and tiling images before they reach the batcher. */
    @WithDefault("2")
    int preprocessThreads();
  }

  interface Cache {
    /** Feature cache size bound in bytes; 0 disables the cache. */
    @WithDefault("536870912")
    long maxBytes();
  }
}
