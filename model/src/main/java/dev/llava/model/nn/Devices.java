package dev.llava.model.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** The one place that decides where tensors live: the first GPU when PyTorch sees one, else the CPU. */
public final class Devices {
  private Devices() {}

  public static Device preferred() {
    return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
  }
}
