package dev.llava.engine.vision;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Content-addressed cache of encoded images, bounded in bytes and evicting the least recently used entry.
 * Keys combine the image digest with the model revision and preprocessing config, so a new checkpoint or config
 * never serves stale features.
 */
public final class FeatureCache {
  private final long maxBytes;
  private final LinkedHashMap<String, EncodedFeatures> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  /** @param maxBytes upper bound on the cached feature bytes; 0 disables caching */
  public FeatureCache(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("cache size must be >= 0 bytes, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  public synchronized EncodedFeatures get(String key) {
    EncodedFeatures f = entries.get(key);
    if (f == null) {
      misses.incrementAndGet();
    } else {
      hits.incrementAndGet();
    }
    return f;
  }

  public synchronized void put(String key, EncodedFeatures features) {
    long size = features.byteSize();
    if (size > maxBytes) {
      return; // larger than the whole cache: caching it would only evict everything else
    }
    EncodedFeatures previous = entries.put(key, features);
    if (previous != null) {
      bytes -= previous.byteSize();
    }
    bytes += size;
    var it = entries.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Map.Entry<String, EncodedFeatures> eldest = it.next();
      bytes -= eldest.getValue().byteSize();
      it.remove();
    }
  }

  public synchronized long bytes() {
    return bytes;
  }

  public synchronized int size() {
    return entries.size();
  }

  public long hits() {
    return hits.get();
  }

  public long misses() {
    return misses.get();
  }
}
