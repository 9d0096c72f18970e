package dev.llava.trainer.jobs;

import java.security.SecureRandom;

/**
 * Job ids: "job-" and 10 random lower-case base-36 characters (~51 bits), a valid Kubernetes name and label value
 * ({@code llava-train-<id>} stays far below 63 characters).
 */
public final class JobIds {
  private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private JobIds() {}

  public static String next() {
    StringBuilder id = new StringBuilder("job-");
    for (int i = 0; i < 10; i++) {
      id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }
}
