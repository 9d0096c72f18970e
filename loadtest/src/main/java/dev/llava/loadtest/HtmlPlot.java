package dev.llava.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * A self-contained HTML page (inline SVG, no scripts or downloads) plotting each request's TTFT and end-to-end
 * latency against its start order, one series per target, plus the JSON summary.
 */
public final class HtmlPlot {
  private static final String[] COLOURS = {"#3b6fe0", "#e0703b", "#2e9e5b", "#a23be0"};
  private static final int W = 820;
  private static final int H = 300;

  private HtmlPlot() {}

  public record Series(String name, List<RequestResult> results) {}

  public static String render(String title, List<Series> series, String summaryJson) {
    StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
        .append(escape(title)).append("</title><style>body{font-family:system-ui,sans-serif;max-width:880px;"
            + "margin:2rem auto}pre{background:#f5f6f8;padding:1rem;overflow:auto}</style></head><body><h1>")
        .append(escape(title)).append("</h1>");
    html.append(chart("Time to first token (ms) by request", series, true));
    html.append(chart("End-to-end latency (ms) by request", series, false));
    html.append("<h2>Summary</h2><pre>").append(escape(summaryJson)).append("</pre></body></html>");
    return html.toString();
  }

  private static String chart(String caption, List<Series> series, boolean ttft) {
    double max = 1;
    int n = 1;
    for (Series s : series) {
      n = Math.max(n, s.results().size());
      for (RequestResult r : s.results()) {
        double v = ttft ? r.ttftMillis() : r.e2eMillis();
        if (r.ok() && !Double.isNaN(v)) {
          max = Math.max(max, v);
        }
      }
    }
    StringBuilder svg = new StringBuilder("<h2>").append(escape(caption)).append("</h2><svg width=\"").append(W)
        .append("\" height=\"").append(H + 40).append("\" role=\"img\">");
    svg.append("<line x1=\"50\" y1=\"").append(H).append("\" x2=\"").append(W).append("\" y2=\"").append(H)
        .append("\" stroke=\"#888\"/><line x1=\"50\" y1=\"0\" x2=\"50\" y2=\"").append(H).append("\" stroke=\"#888\"/>");
    svg.append(String.format("<text x=\"0\" y=\"12\" font-size=\"11\">%.0f</text>", max));
    svg.append("<text x=\"0\" y=\"").append(H).append("\" font-size=\"11\">0</text>");
    List<String> legend = new ArrayList<>();
    for (int si = 0; si < series.size(); si++) {
      Series s = series.get(si);
      String colour = COLOURS[si % COLOURS.length];
      StringBuilder points = new StringBuilder();
      for (RequestResult r : s.results()) {
        double v = ttft ? r.ttftMillis() : r.e2eMillis();
        if (!r.ok() || Double.isNaN(v)) {
          continue;
        }
        double x = 50 + (W - 60) * (r.spec().index() + 0.5) / n;
        double y = H - (H - 10) * v / max;
        points.append(String.format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>", x, y, colour));
      }
      svg.append(points);
      legend.add(String.format("<tspan fill=\"%s\">● %s</tspan>", colour, escape(s.name())));
    }
    svg.append("<text x=\"60\" y=\"").append(H + 25).append("\" font-size=\"12\">").append(String.join("  ", legend))
        .append("</text></svg>");
    return svg.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
