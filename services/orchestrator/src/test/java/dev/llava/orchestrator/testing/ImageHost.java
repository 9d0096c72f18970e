package dev.llava.orchestrator.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A real HTTP server on 127.0.0.1 serving test images and redirects, for the image-fetch and SSRF tests:
 * {@code /cat.png} (a 24x12 PNG), {@code /to-loopback} (302 to {@code 127.0.0.1}), {@code /hop/N} (N more
 * redirects before the image), {@code /big} (100 kB with Content-Length), {@code /big-chunked} (100 kB
 * without), {@code /slow} (answers after 3 s), {@code /missing} (404).
 */
public final class ImageHost implements AutoCloseable {
  public static final byte[] CAT = TestImages.png(24, 12);
  private final HttpServer server;

  public ImageHost() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/cat.png", ex -> {
      ex.getResponseHeaders().add("Content-Type", "image/png");
      ex.sendResponseHeaders(200, CAT.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(CAT);
      }
    });
    server.createContext("/to-loopback", ex -> {
      ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + port() + "/cat.png");
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
    server.createContext("/hop/", ex -> {
      int left = Integer.parseInt(ex.getRequestURI().getPath().substring("/hop/".length()));
      ex.getResponseHeaders().add("Location", left == 0 ? "/cat.png" : "/hop/" + (left - 1));
      ex.sendResponseHeaders(301, -1);
      ex.close();
    });
    server.createContext("/big", ex -> {
      byte[] body = new byte[100_000];
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    server.createContext("/big-chunked", ex -> {
      ex.sendResponseHeaders(200, 0);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(new byte[100_000]);
      } catch (IOException clientHungUp) {
        // the fetcher stops reading at its cap
      }
    });
    server.createContext("/slow", ex -> {
      try {
        Thread.sleep(3_000);
        ex.sendResponseHeaders(200, CAT.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(CAT);
        }
      } catch (InterruptedException | IOException e) {
        ex.close();
      }
    });
    server.createContext("/missing", ex -> {
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://localhost:<port><path>}: the host name the test profile allow-lists. */
  public String url(String path) {
    return "http://localhost:" + port() + path;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
