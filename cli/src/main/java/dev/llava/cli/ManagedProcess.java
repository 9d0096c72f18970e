package dev.llava.cli;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One child process of {@code bin/llava up}: started with its log in a file, probed for readiness, stopped. */
final class ManagedProcess {
  final String name;
  final int port;
  final Path log;
  private final List<String> command;
  private final String readyPath; // null: ready when the port accepts connections
  private Process process;

  ManagedProcess(String name, int port, Path log, List<String> command, String readyPath) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.command = command;
    this.readyPath = readyPath;
  }

  void start(Path workDir) throws IOException {
    Files.createDirectories(log.getParent());
    process = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Polls until ready; fails early if the process exits. */
  void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!alive()) {
        throw new IOException(name + " exited with status " + process.exitValue() + " before it was ready; see " + log);
      }
      if (ready()) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IOException(name + " not ready after " + timeout.toSeconds() + " s; see " + log);
  }

  private boolean ready() {
    if (readyPath == null) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("localhost", port), 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    }
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost:" + port + readyPath).toURL()
          .openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      return c.getResponseCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGTERM, then SIGKILL after a grace period, including any children it started. */
  void stop() {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static boolean portFree(int port) {
    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("localhost", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
