package dev.llava.cli;

import dev.llava.model.image.ImageDecoder;
import dev.llava.model.image.ImageLayout;
import dev.llava.model.image.ProcessedImage;
import dev.llava.model.runtime.LlavaRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code --image} files, decoded and preprocessed the way the HF processor does. */
final class ImageInputs {
  final List<ProcessedImage> images = new ArrayList<>();

  ImageInputs(String command, List<String> files, LlavaRuntime runtime) throws IOException {
    ImageDecoder decoder = new ImageDecoder();
    for (String f : files) {
      Path p = Args.existingFile(command, "--image", f);
      try {
        images.add(runtime.imageProcessor().process(decoder.decode(p)));
      } catch (IllegalArgumentException e) {
        throw new CliException("--image " + p + ": " + e.getMessage());
      }
    }
  }

  List<ImageLayout> layouts() {
    return images.stream().map(ProcessedImage::layout).toList();
  }

  int tiles() {
    return images.stream().mapToInt(i -> i.pixels().tiles()).sum();
  }

  /** All images' tiles concatenated: [tiles, 3, S, S]. */
  float[] pixels() {
    int total = images.stream().mapToInt(i -> i.pixels().data().length).sum();
    float[] out = new float[total];
    int at = 0;
    for (ProcessedImage i : images) {
      System.arraycopy(i.pixels().data(), 0, out, at, i.pixels().data().length);
      at += i.pixels().data().length;
    }
    return out;
  }

  /** CLIP features of every tile, images in order: [tiles, P, visionWidth]. */
  float[] features(LlavaRuntime runtime) {
    return runtime.encodeTiles(pixels(), tiles());
  }
}
