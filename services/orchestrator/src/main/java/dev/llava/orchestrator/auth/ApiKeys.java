package dev.llava.orchestrator.auth;

import dev.llava.orchestrator.config.OrchestratorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The accepted API keys ({@code llava.orchestrator.auth.api-keys}); none configured turns authentication
 * off. Keys are compared as SHA-256 digests in constant time.
 */
@ApplicationScoped
public class ApiKeys {
  /** The answer to one credential. */
  public enum Verdict {
    /** Authentication is off, or the key is known. */
    ACCEPTED,
    /** No {@code Bearer} credential: 401 / UNAUTHENTICATED. */
    MISSING,
    /** A credential that is not a known key: 403 / PERMISSION_DENIED. */
    REJECTED
  }

  private final List<byte[]> digests;

  @Inject
  public ApiKeys(OrchestratorConfig config) {
    this.digests = config.auth().apiKeys().orElse(List.of()).stream().map(String::strip)
        .filter(k -> !k.isEmpty()).map(ApiKeys::sha256).toList();
  }

  public boolean enabled() {
    return !digests.isEmpty();
  }

  /** Checks an {@code Authorization} header value ({@code Bearer <key>}). */
  public Verdict check(String authorization) {
    if (!enabled()) {
      return Verdict.ACCEPTED;
    }
    if (authorization == null || authorization.length() < 8
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Verdict.MISSING;
    }
    String key = authorization.substring(7).strip();
    if (key.isEmpty()) {
      return Verdict.MISSING;
    }
    byte[] digest = sha256(key);
    boolean known = false;
    for (byte[] d : digests) {
      known |= MessageDigest.isEqual(d, digest);
    }
    return known ? Verdict.ACCEPTED : Verdict.REJECTED;
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
