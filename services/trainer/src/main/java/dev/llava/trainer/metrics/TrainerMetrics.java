package dev.llava.trainer.metrics;

import dev.llava.proto.v1.JobEvent;
import dev.llava.proto.v1.JobState;
import dev.llava.trainer.jobs.JobEventListener;
import dev.llava.trainer.jobs.JobRecord;
import dev.llava.trainer.jobs.JobStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The trainer's metrics (docs/METRICS.md), registered when the service starts so every series exists before the
 * first job: {@code llava_trainer_jobs{state}} (jobs the trainer knows, by state: queued, running, succeeded,
 * failed, cancelled), {@code llava_trainer_steps_total} (optimizer steps reported by jobs) and
 * {@code llava_trainer_loss} (the last reported training loss, NaN before the first step).
 */
public final class TrainerMetrics implements JobEventListener {
  private final Counter steps;
  private final AtomicLong lossBits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
  /** The last step counted per live job, so a runner reporting every k-th step still counts k steps. */
  private final Map<String, Integer> lastStep = new ConcurrentHashMap<>();

  public TrainerMetrics(MeterRegistry registry, JobStore store) {
    for (JobState state : JobState.values()) {
      if (state == JobState.UNRECOGNIZED || state == JobState.JOB_STATE_UNSPECIFIED) {
        continue;
      }
      Gauge.builder("llava.trainer.jobs", store, s -> s.count(state))
          .tag("state", label(state))
          .description("Training jobs the trainer knows, by state")
          .register(registry);
    }
    steps = Counter.builder("llava.trainer.steps").description("Optimizer steps reported by training jobs")
        .register(registry);
    Gauge.builder("llava.trainer.loss", lossBits, bits -> Double.longBitsToDouble(bits.get()))
        .description("Most recent training loss reported by any job").register(registry);
  }

  /** "JOB_STATE_RUNNING" -> "running". */
  public static String label(JobState state) {
    return state.name().substring("JOB_STATE_".length()).toLowerCase(Locale.ROOT);
  }

  @Override
  public void onEvent(JobEvent e) {
    if (e.getKind() == JobEvent.Kind.PROGRESS) {
      int before = lastStep.getOrDefault(e.getJobId(), 0);
      if (e.getStep() > before) {
        steps.increment(e.getStep() - before);
        lastStep.put(e.getJobId(), e.getStep());
      }
      lossBits.set(Double.doubleToLongBits(e.getLoss()));
    } else if (e.getKind() == JobEvent.Kind.STATE_CHANGED && JobRecord.isTerminal(e.getState())) {
      lastStep.remove(e.getJobId());
    }
  }
}
