package dev.llava.orchestrator.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llava.orchestrator.testing.Clients;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The playground in a real headless Chromium (Debian's chromium + chromium-driver; .ci/run installs them): upload
 * an image, ask, and watch the real engines' answer stream in with usage and timings.
 */
@QuarkusTest
@TestProfile(RealEnginesProfile.class)
class PlaygroundBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void uploadAskAndWatchTheAnswerStreamIn() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "headless browser test needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver");
    EndToEndTest.referenceAnswer();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + Files.createTempDirectory("chromium-"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    WebDriver browser = new ChromeDriver(service, options);
    try {
      browser.get("http://localhost:" + EndToEndTest.port() + "/");
      assertEquals("LLaVA playground", browser.getTitle());
      browser.findElement(By.id("apiKey")).sendKeys(Clients.KEY);
      browser.findElement(By.id("file")).sendKeys(EndToEndTest.image.toRealPath().toString());
      new WebDriverWait(browser, Duration.ofSeconds(10)).until(d ->
          d.findElement(By.id("preview")).getAttribute("src").startsWith("data:image/png;base64,"));
      browser.findElement(By.id("maxTokens")).clear();
      browser.findElement(By.id("maxTokens")).sendKeys(Integer.toString(EndToEndTest.MAX_TOKENS));
      browser.findElement(By.id("question")).sendKeys(EndToEndTest.QUESTION);
      browser.findElement(By.id("ask")).click();
      new WebDriverWait(browser, Duration.ofMinutes(2)).until(d ->
          d.findElement(By.id("stats")).getText().contains("completion tokens")
              || !d.findElement(By.id("error")).getText().isEmpty());
      assertEquals("", browser.findElement(By.id("error")).getText());
      assertEquals(EndToEndTest.expected.strip(), browser.findElement(By.id("answer")).getText().strip());
      String stats = browser.findElement(By.id("stats")).getText();
      assertTrue(stats.contains("completion tokens " + EndToEndTest.MAX_TOKENS), stats);
      assertTrue(stats.contains("prefill ms"), "stage timings shown: " + stats);
    } finally {
      browser.quit();
    }
  }
}
