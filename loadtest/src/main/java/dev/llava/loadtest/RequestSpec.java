package dev.llava.loadtest;

/**
 * One request of a workload.
 *
 * @param image encoded image bytes (PNG), or null for a text-only request
 * @param cachedImage true when the same bytes were sent before (the vision encoder's feature cache should hit)
 */
public record RequestSpec(int index, byte[] image, boolean cachedImage, String question, int maxTokens) {}
