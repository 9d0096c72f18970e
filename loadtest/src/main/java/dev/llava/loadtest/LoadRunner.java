package dev.llava.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives a target with a workload, either open loop (Poisson arrivals at a rate: every request starts when it is
 * due, however slow the server is) or closed loop (a fixed number of clients, each sending its next request when
 * the previous one finished). Bounded by the workload size and a wall-clock limit.
 */
public final class LoadRunner {
  private LoadRunner() {}

  public static List<RequestResult> openLoop(ChatTarget target, List<RequestSpec> workload, double ratePerSecond,
      long seed, long maxSeconds) throws InterruptedException {
    PoissonArrivals arrivals = new PoissonArrivals(ratePerSecond, seed);
    ExecutorService pool = Executors.newCachedThreadPool();
    List<Future<RequestResult>> futures = new ArrayList<>();
    long start = System.nanoTime();
    long limit = start + TimeUnit.SECONDS.toNanos(maxSeconds);
    try {
      for (RequestSpec spec : workload) {
        long due = start + arrivals.nextArrivalNanos();
        if (due > limit) {
          break;
        }
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        futures.add(pool.submit(() -> target.send(spec, due)));
      }
      return collect(futures);
    } finally {
      pool.shutdownNow();
    }
  }

  public static List<RequestResult> closedLoop(ChatTarget target, List<RequestSpec> workload, int concurrency,
      long maxSeconds) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    AtomicInteger next = new AtomicInteger();
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
    List<Future<List<RequestResult>>> clients = new ArrayList<>();
    try {
      for (int c = 0; c < concurrency; c++) {
        clients.add(pool.submit(() -> {
          List<RequestResult> mine = new ArrayList<>();
          for (int i = next.getAndIncrement(); i < workload.size() && System.nanoTime() < limit;
              i = next.getAndIncrement()) {
            mine.add(target.send(workload.get(i), System.nanoTime()));
          }
          return mine;
        }));
      }
      List<RequestResult> all = new ArrayList<>();
      for (Future<List<RequestResult>> f : clients) {
        all.addAll(get(f));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<RequestResult> collect(List<Future<RequestResult>> futures) throws InterruptedException {
    List<RequestResult> out = new ArrayList<>(futures.size());
    for (Future<RequestResult> f : futures) {
      out.add(get(f));
    }
    return out;
  }

  private static <T> T get(Future<T> f) throws InterruptedException {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("a load client failed: " + e.getCause(), e.getCause());
    }
  }
}
