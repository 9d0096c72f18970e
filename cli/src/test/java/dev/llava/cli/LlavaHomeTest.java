package dev.llava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When {@code bin/llava up} rebuilds the services before starting them. */
class LlavaHomeTest {
  private static final FileTime SOURCES_WRITTEN = FileTime.fromMillis(1_700_000_000_000L);
  private static final FileTime BUILT = FileTime.fromMillis(1_700_000_600_000L);

  @TempDir
  Path home;

  @Test
  void aMissingJarMeansAFirstBuild() throws Exception {
    checkout();
    Files.delete(LlavaHome.serviceJar(home, "trainer"));
    assertEquals(Optional.of("first run"), LlavaHome.staleness(home));
  }

  @Test
  void jarsNewerThanEverySourceNeedNoBuild() throws Exception {
    checkout();
    assertEquals(Optional.empty(), LlavaHome.staleness(home));
  }

  @Test
  void aSourceChangedAfterTheBuildNamesItself() throws Exception {
    checkout();
    Path changed = home.resolve("model/src/main/java/dev/llava/model/Changed.java");
    Files.setLastModifiedTime(changed, FileTime.fromMillis(BUILT.toMillis() + 1000));
    Optional<String> why = LlavaHome.staleness(home);
    assertTrue(why.isPresent(), "a model source newer than the jars must trigger a build");
    assertEquals("model/src/main/java/dev/llava/model/Changed.java changed since the last build", why.get());
  }

  @Test
  void testSourcesAndOtherFilesDoNotTriggerABuild() throws Exception {
    checkout();
    FileTime later = FileTime.fromMillis(BUILT.toMillis() + 1000);
    Path test = home.resolve("model/src/test/java/SomeTest.java");
    Files.createDirectories(test.getParent());
    Files.writeString(test, "class SomeTest {}");
    Files.setLastModifiedTime(test, later);
    Path notes = home.resolve("README.md");
    Files.writeString(notes, "# notes");
    Files.setLastModifiedTime(notes, later);
    assertEquals(Optional.empty(), LlavaHome.staleness(home));
  }

  @Test
  void aRootPomChangedAfterTheBuildTriggersOne() throws Exception {
    checkout();
    Files.setLastModifiedTime(home.resolve("pom.xml"), FileTime.fromMillis(BUILT.toMillis() + 1000));
    assertEquals(Optional.of("pom.xml changed since the last build"), LlavaHome.staleness(home));
  }

  /** A checkout whose service jars were built after its sources were written. */
  private void checkout() throws Exception {
    source(home.resolve("pom.xml"));
    for (String module : LlavaHome.SERVICE_SOURCES) {
      source(home.resolve(module).resolve("pom.xml"));
    }
    source(home.resolve("model/src/main/java/dev/llava/model/Changed.java"));
    for (String service : LlavaHome.SERVICES) {
      Path jar = LlavaHome.serviceJar(home, service);
      Files.createDirectories(jar.getParent());
      Files.writeString(jar, "jar");
      Files.setLastModifiedTime(jar, BUILT);
    }
  }

  private static void source(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "source");
    Files.setLastModifiedTime(file, SOURCES_WRITTEN);
  }
}
