package dev.llava.model.train;

import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.LlavaImageProcessor;
import dev.llava.model.image.PixelValues;
import dev.llava.model.image.ProcessedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decodes and preprocesses (CLIP or AnyRes, as the model's processor says) the images of a batch, one step ahead
 * on a background thread. Processed pixels are kept while they fit in a byte budget (no eviction: over many epochs
 * a fixed resident set beats LRU, which a shuffled scan defeats), so later epochs skip the decode and resize.
 */
final class PixelSource implements AutoCloseable {
  private final LlavaImageProcessor processor;
  private final ImageDecoder decoder = new ImageDecoder();
  private final long budgetBytes;
  private final AtomicLong cachedBytes = new AtomicLong();
  private final ConcurrentHashMap<Path, PixelValues> cache = new ConcurrentHashMap<>();
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "llava-train-pixels");
    t.setDaemon(true);
    return t;
  });

  PixelSource(LlavaImageProcessor processor, long budgetBytes) {
    this.processor = processor;
    this.budgetBytes = budgetBytes;
  }

  /** Starts loading the pixels of {@code samples} (null entries for text-only samples). */
  CompletableFuture<List<PixelValues>> prefetch(List<EncodedSample> samples) {
    return CompletableFuture.supplyAsync(() -> {
      List<PixelValues> out = new ArrayList<>(samples.size());
      for (EncodedSample s : samples) out.add(s.hasImage() ? load(s) : null);
      return out;
    }, worker);
  }

  PixelValues load(EncodedSample s) {
    PixelValues cached = cache.get(s.image());
    if (cached != null) return cached;
    ProcessedImage processed;
    try {
      processed = processor.process(decoder.decode(s.image()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read image " + s.image() + " of sample " + s.id(), e);
    }
    if (!processed.layout().equals(s.layout())) {
      throw new IllegalStateException("image " + s.image() + " changed since the data was read: layout "
          + processed.layout() + ", expected " + s.layout());
    }
    long bytes = 4L * processed.pixels().data().length;
    if (cachedBytes.addAndGet(bytes) <= budgetBytes) {
      cache.put(s.image(), processed.pixels());
    } else {
      cachedBytes.addAndGet(-bytes);
    }
    return processed.pixels();
  }

  long cachedBytes() {
    return cachedBytes.get();
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
