package dev.llava.model.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code loss.svg}: the training loss per step (thin line) and its moving average (thick line) on a log-scaled
 * y axis, with the learning rate schedule underneath, as plain SVG text that any browser opens.
 */
public final class LossPlot {
  public static final String FILE = "loss.svg";
  private static final int W = 720;
  private static final int H = 420;
  private static final int LEFT = 64;
  private static final int RIGHT = 20;
  private static final int TOP = 36;
  private static final int LOSS_BOTTOM = 300;
  private static final int LR_TOP = 330;
  private static final int LR_BOTTOM = 390;

  private LossPlot() {}

  public static void write(List<MetricsLog.Entry> entries, String title, Path file) throws IOException {
    Files.writeString(file, svg(entries, title), StandardCharsets.UTF_8);
  }

  static String svg(List<MetricsLog.Entry> entries, String title) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", W, H, W, H));
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    b.append(text(LEFT, 20, escape(title), "font-size=\"14\""));
    if (entries.isEmpty()) return b.append(text(LEFT, 60, "no steps yet", "")).append("</svg>\n").toString();
    int maxStep = entries.get(entries.size() - 1).step();
    double lo = Double.MAX_VALUE;
    double hi = 0;
    double maxLr = 0;
    for (MetricsLog.Entry e : entries) {
      if (e.loss() > 0 && Double.isFinite(e.loss())) {
        lo = Math.min(lo, e.loss());
        hi = Math.max(hi, e.loss());
      }
      maxLr = Math.max(maxLr, e.learningRate());
    }
    if (hi <= 0) hi = lo = 1;
    double logLo = Math.floor(Math.log10(lo) * 4) / 4;
    double logHi = Math.max(logLo + 0.25, Math.ceil(Math.log10(hi) * 4) / 4);
    // axes and loss grid lines at the decades / quarter decades
    b.append(line(LEFT, TOP, LEFT, LOSS_BOTTOM, "#333")).append(line(LEFT, LOSS_BOTTOM, W - RIGHT, LOSS_BOTTOM, "#333"));
    for (double g = logLo; g <= logHi + 1e-9; g += 0.25) {
      double y = y(g, logLo, logHi);
      b.append(line(LEFT, y, W - RIGHT, y, "#eee"));
      b.append(text(LEFT - 6, y + 4, format(Math.pow(10, g)), "text-anchor=\"end\""));
    }
    for (int k = 0; k <= 4; k++) {
      int step = (int) Math.round((double) maxStep * k / 4);
      b.append(text(x(step, maxStep), LOSS_BOTTOM + 14, Integer.toString(step), "text-anchor=\"middle\""));
    }
    b.append(text(W - RIGHT, LOSS_BOTTOM + 26, "step", "text-anchor=\"end\""));
    b.append(text(LEFT + 4, TOP - 4, "loss (log scale)", "fill=\"#1f77b4\""));
    b.append(polyline(entries, maxStep, e -> e.loss(), logLo, logHi, "#9ecae1", 1));
    b.append(polyline(smoothed(entries), maxStep, e -> e.loss(), logLo, logHi, "#1f77b4", 2));
    // learning rate strip
    b.append(text(LEFT + 4, LR_TOP - 4, "learning rate (peak " + format(maxLr) + ")", "fill=\"#d62728\""));
    b.append(line(LEFT, LR_BOTTOM, W - RIGHT, LR_BOTTOM, "#333"));
    StringBuilder pts = new StringBuilder();
    for (MetricsLog.Entry e : entries) {
      double yy = LR_BOTTOM - (maxLr == 0 ? 0 : e.learningRate() / maxLr) * (LR_BOTTOM - LR_TOP);
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(e.step(), maxStep), yy));
    }
    b.append(String.format("<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" points=\"%s\"/>%n", pts));
    MetricsLog.Entry last = entries.get(entries.size() - 1);
    b.append(text(W - RIGHT, 20, String.format(Locale.ROOT, "final loss %.4f after %d steps, %.0f s", last.loss(),
        last.step(), last.elapsedMillis() / 1000.0), "text-anchor=\"end\""));
    return b.append("</svg>\n").toString();
  }

  /** Trailing moving average over ~2% of the run (at least 1 step). */
  static List<MetricsLog.Entry> smoothed(List<MetricsLog.Entry> entries) {
    int window = Math.max(1, entries.size() / 50);
    double[] sums = new double[entries.size() + 1];
    for (int i = 0; i < entries.size(); i++) sums[i + 1] = sums[i] + entries.get(i).loss();
    return java.util.stream.IntStream.range(0, entries.size()).mapToObj(i -> {
      int from = Math.max(0, i + 1 - window);
      MetricsLog.Entry e = entries.get(i);
      return new MetricsLog.Entry(e.step(), e.totalSteps(), e.epoch(), (sums[i + 1] - sums[from]) / (i + 1 - from),
          e.learningRate(), e.gradNorm(), e.samplesPerSecond(), e.tokens(), e.elapsedMillis());
    }).toList();
  }

  private static String polyline(List<MetricsLog.Entry> entries, int maxStep,
      java.util.function.ToDoubleFunction<MetricsLog.Entry> value, double logLo, double logHi, String color,
      double width) {
    StringBuilder pts = new StringBuilder();
    for (MetricsLog.Entry e : entries) {
      double v = value.applyAsDouble(e);
      if (!(v > 0) || !Double.isFinite(v)) continue;
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(e.step(), maxStep), y(Math.log10(v), logLo, logHi)));
    }
    return String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" points=\"%s\"/>%n",
        color, width, pts);
  }

  private static double x(int step, int maxStep) {
    return LEFT + (double) step / Math.max(1, maxStep) * (W - LEFT - RIGHT);
  }

  private static double y(double log, double logLo, double logHi) {
    return LOSS_BOTTOM - (log - logLo) / (logHi - logLo) * (LOSS_BOTTOM - TOP);
  }

  private static String line(double x1, double y1, double x2, double y2, String color) {
    return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
        x1, y1, x2, y2, color);
  }

  private static String text(double x, double y, String s, String attrs) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" %s>%s</text>%n", x, y, attrs, s);
  }

  private static String format(double v) {
    return v >= 0.01 && v < 1000 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, "%.1e", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
