package dev.llava.trainer.jobs;

import dev.llava.model.train.TrainingResult;
import dev.llava.model.train.TrainingRunner;
import dev.llava.model.train.TrainingListener;
import dev.llava.model.train.TrainingSpec;
import java.lang.reflect.InvocationTargetException;
import java.util.function.BooleanSupplier;

/**
 * Finds the {@link TrainingRunner} the local runner drives by class name (llava.trainer.runner-class, by default
 * the in-JVM DJL trainer {@code dev.llava.model.train.LlavaTrainer}), so the service builds and starts before that
 * class exists and a test double can stand in.
 */
public final class TrainingRunners {
  private TrainingRunners() {}

  /** A runner that cannot run, saying why; the local runner reports the reason instead of accepting jobs. */
  public record Unavailable(String reason) implements TrainingRunner {
    @Override
    public TrainingResult run(TrainingSpec spec, TrainingListener listener, BooleanSupplier cancelled) {
      throw new IllegalStateException(reason);
    }
  }

  /** An instance of {@code className} made by its public no-arg constructor, or {@link Unavailable} saying why not. */
  public static TrainingRunner load(String className, ClassLoader loader) {
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return new Unavailable("the trainer class " + className + " (llava.trainer.runner-class) is not on the class"
          + " path: " + e);
    }
    if (!TrainingRunner.class.isAssignableFrom(type)) {
      return new Unavailable("llava.trainer.runner-class " + className + " does not implement "
          + TrainingRunner.class.getName());
    }
    try {
      return (TrainingRunner) type.getConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      return new Unavailable("the trainer class " + className + " has no public no-arg constructor");
    } catch (InvocationTargetException e) {
      return new Unavailable("constructing " + className + " failed: " + e.getCause());
    } catch (ReflectiveOperationException | RuntimeException e) {
      return new Unavailable("constructing " + className + " failed: " + e);
    }
  }
}
