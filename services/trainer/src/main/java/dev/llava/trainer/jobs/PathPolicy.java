package dev.llava.trainer.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a job may read and write on the trainer's (or the job pod's shared volume's) file system: outputs strictly
 * inside the work dir, inputs inside the work dir or a data root. Paths are resolved (relative ones against the
 * work dir), normalized ({@code a/../b}) and, where they exist, followed through symbolic links, so neither
 * {@code ..} nor a link can reach outside the roots.
 */
public final class PathPolicy {

  /** What an input path must be. */
  public enum Kind { FILE, DIRECTORY }

  /** A resolved path, or the problem with it (then {@code path} is null). */
  public record Checked(Path path, String problem) {
    static Checked ok(Path path) {
      return new Checked(path, null);
    }

    static Checked bad(String problem) {
      return new Checked(null, problem);
    }
  }

  private final Path workDir;
  private final List<Path> inputRoots;

  public PathPolicy(Path workDir, List<Path> dataRoots) {
    this.workDir = workDir.toAbsolutePath().normalize();
    List<Path> roots = new ArrayList<>();
    roots.add(this.workDir);
    dataRoots.forEach(r -> roots.add(r.toAbsolutePath().normalize()));
    this.inputRoots = List.copyOf(roots);
  }

  public Path workDir() {
    return workDir;
  }

  /** An input that must exist as a file or directory inside the work dir or a data root. */
  public Checked input(String field, String raw, Kind kind) {
    Checked located = locate(field, raw, inputRoots);
    if (located.problem() != null) {
      return located;
    }
    Path p = located.path();
    if (kind == Kind.FILE && !Files.isRegularFile(p)) {
      return Checked.bad(field + " " + raw + ": expected an existing file, found "
          + (Files.isDirectory(p) ? "a directory" : "nothing") + " at " + p);
    }
    if (kind == Kind.DIRECTORY && !Files.isDirectory(p)) {
      return Checked.bad(field + " " + raw + ": expected an existing directory, found "
          + (Files.exists(p) ? "a file" : "nothing") + " at " + p);
    }
    return located;
  }

  /** An output directory strictly below the work dir (it need not exist yet). */
  public Checked output(String field, String raw) {
    Checked located = locate(field, raw, List.of(workDir));
    if (located.problem() != null) {
      return located;
    }
    Path p = located.path();
    if (p.equals(realOrNormal(workDir))) {
      return Checked.bad(field + " " + raw + ": expected a sub-directory of the work dir " + workDir
          + ", found the work dir itself");
    }
    if (Files.exists(p) && !Files.isDirectory(p)) {
      return Checked.bad(field + " " + raw + ": expected a directory (or nothing yet), found a file at " + p);
    }
    return located;
  }

  private Checked locate(String field, String raw, List<Path> roots) {
    Path given;
    try {
      given = Path.of(raw);
    } catch (InvalidPathException e) {
      return Checked.bad(field + " " + printable(raw) + ": not a valid path (" + e.getReason() + ")");
    }
    Path normal = (given.isAbsolute() ? given : workDir.resolve(given)).normalize();
    if (!insideAny(normal, roots, false)) {
      String how = given.isAbsolute() ? "is outside" : "escapes";
      return Checked.bad(field + " " + raw + " " + how + " the allowed roots: expected a path inside "
          + describe(roots) + ", found " + normal);
    }
    // Follow symbolic links of the existing part: a link inside a root may point anywhere.
    Path real = realOrNormal(normal);
    if (!insideAny(real, roots, true)) {
      return Checked.bad(field + " " + raw + " resolves through a symbolic link to " + real
          + ", outside " + describe(roots));
    }
    return Checked.ok(real);
  }

  private static boolean insideAny(Path p, List<Path> roots, boolean realRoots) {
    for (Path root : roots) {
      if (p.startsWith(realRoots ? realOrNormal(root) : root)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The real path of the longest existing prefix of {@code p} with the rest appended: {@code toRealPath} for
   * paths that do not exist yet (an output dir) still sees a link in their parent.
   */
  static Path realOrNormal(Path p) {
    Path existing = p;
    Path rest = null;
    while (existing != null && !Files.exists(existing)) {
      Path name = existing.getFileName();
      rest = rest == null ? name : name.resolve(rest);
      existing = existing.getParent();
    }
    if (existing == null) {
      return p;
    }
    try {
      Path real = existing.toRealPath();
      return rest == null ? real : real.resolve(rest).normalize();
    } catch (IOException e) {
      return p;
    }
  }

  private static String describe(List<Path> roots) {
    return roots.size() == 1 ? "the work dir " + roots.get(0) : "the work dir or data roots " + roots;
  }

  private static String printable(String raw) {
    return raw.replace("\0", "\\0");
  }
}
