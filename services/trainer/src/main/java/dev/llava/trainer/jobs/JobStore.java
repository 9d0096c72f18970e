package dev.llava.trainer.jobs;

import dev.llava.proto.v1.JobState;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The jobs this trainer knows, in memory only: they do not survive a restart (a restarted trainer starts empty;
 * Kubernetes Jobs it created keep running on the cluster but are no longer followed). Finished jobs beyond
 * {@code maxRetained} are forgotten, oldest first.
 */
public final class JobStore {
  private final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();
  private final int maxRetained;

  public JobStore(int maxRetained) {
    this.maxRetained = maxRetained;
  }

  /** Adds a job unless its id is taken; false on a collision. */
  public boolean add(JobRecord job) {
    boolean added = jobs.putIfAbsent(job.id(), job) == null;
    if (added) {
      forgetOldFinished();
    }
    return added;
  }

  public Optional<JobRecord> get(String id) {
    return Optional.ofNullable(jobs.get(id));
  }

  /** Newest first; every job when {@code state} is null. */
  public List<JobRecord> list(JobState state) {
    return jobs.values().stream()
        .filter(j -> state == null || j.state() == state)
        .sorted(Comparator.comparingLong(JobRecord::sequence).reversed())
        .toList();
  }

  /** How many jobs are in each state (every state present, 0 when none). */
  public Map<JobState, Long> countByState() {
    Map<JobState, Long> counts = new EnumMap<>(JobState.class);
    for (JobState s : JobState.values()) {
      if (s != JobState.UNRECOGNIZED && s != JobState.JOB_STATE_UNSPECIFIED) {
        counts.put(s, 0L);
      }
    }
    jobs.values().forEach(j -> counts.merge(j.state(), 1L, Long::sum));
    return counts;
  }

  public long count(JobState state) {
    return jobs.values().stream().filter(j -> j.state() == state).count();
  }

  private void forgetOldFinished() {
    List<JobRecord> finished = jobs.values().stream().filter(JobRecord::finished)
        .sorted(Comparator.comparingLong(JobRecord::sequence)).toList();
    for (int i = 0; i < finished.size() - maxRetained; i++) {
      jobs.remove(finished.get(i).id());
    }
  }
}
