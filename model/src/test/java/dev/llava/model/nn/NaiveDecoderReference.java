package dev.llava.model.nn;

import dev.llava.model.checkpoint.LlavaWeights;
import dev.llava.model.config.TextConfig;

/**
 * A deliberately plain, loop-by-loop Llama/Mistral forward pass in double precision, written
 * straight from the HF formulas (no fusion, no cache), to check GQA, biases and the sliding window
 * where no fixture exists.
 */
final class NaiveDecoderReference {
  private final TextConfig c;
  private final float[][] embed;
  private final float[][] lmHead;
  private final float[] finalNorm;
  private final LlavaWeights.Text w;

  NaiveDecoderReference(TextConfig c, LlavaWeights.Text w) {
    this.c = c;
    this.w = w;
    this.embed = matrix(w.embedTokens().toFloatArray(), c.hiddenSize());
    this.lmHead = matrix(w.lmHead().toFloatArray(), c.hiddenSize());
    this.finalNorm = w.finalNorm().toFloatArray();
  }

  /** Logits [ids.length][vocab] for positions 0..n-1. */
  double[][] forward(long[] ids) {
    int n = ids.length;
    int h = c.hiddenSize();
    int d = c.headDim();
    int nh = c.numAttentionHeads();
    int nkv = c.numKeyValueHeads();
    double[][] x = new double[n][h];
    for (int t = 0; t < n; t++) for (int j = 0; j < h; j++) x[t][j] = embed[(int) ids[t]][j];
    for (LlavaWeights.DecoderLayer layer : w.layers()) {
      float[][] qkvW = matrix(layer.qkvWeight().toFloatArray(), h);
      float[] qkvB = layer.qkvBias() == null ? null : layer.qkvBias().toFloatArray();
      double[][] qkv = new double[n][];
      for (int t = 0; t < n; t++) qkv[t] = linear(rmsNorm(x[t], layer.inputNorm().toFloatArray()), qkvW, qkvB);
      // q heads at rows [0, nh*d), k at [nh*d, (nh+nkv)*d), v after.
      for (int t = 0; t < n; t++) for (int head = 0; head < nh + nkv; head++) rope(qkv[t], head * d, d, t);
      double[][] context = new double[n][nh * d];
      for (int head = 0; head < nh; head++) {
        int kvHead = head / (nh / nkv);
        int qOff = head * d;
        int kOff = (nh + kvHead) * d;
        int vOff = (nh + nkv + kvHead) * d;
        for (int t = 0; t < n; t++) {
          double[] scores = new double[t + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int s = 0; s <= t; s++) {
            boolean visible = c.slidingWindow() == null || t - s < c.slidingWindow();
            double dot = 0;
            for (int i = 0; i < d; i++) dot += qkv[t][qOff + i] * qkv[s][kOff + i];
            scores[s] = visible ? dot / Math.sqrt(d) : Double.NEGATIVE_INFINITY;
            max = Math.max(max, scores[s]);
          }
          double sum = 0;
          for (int s = 0; s <= t; s++) sum += scores[s] = Math.exp(scores[s] - max);
          for (int s = 0; s <= t; s++) for (int i = 0; i < d; i++) context[t][qOff + i] += scores[s] / sum * qkv[s][vOff + i];
        }
      }
      float[][] oW = matrix(layer.oWeight().toFloatArray(), nh * d);
      float[] oB = layer.oBias() == null ? null : layer.oBias().toFloatArray();
      float[][] gateUpW = matrix(layer.gateUpWeight().toFloatArray(), h);
      float[] gateUpB = layer.gateUpBias() == null ? null : layer.gateUpBias().toFloatArray();
      float[][] downW = matrix(layer.downWeight().toFloatArray(), c.intermediateSize());
      float[] downB = layer.downBias() == null ? null : layer.downBias().toFloatArray();
      for (int t = 0; t < n; t++) {
        double[] o = linear(context[t], oW, oB);
        for (int j = 0; j < h; j++) x[t][j] += o[j];
        double[] gu = linear(rmsNorm(x[t], layer.postAttentionNorm().toFloatArray()), gateUpW, gateUpB);
        int inter = c.intermediateSize();
        double[] act = new double[inter];
        for (int i = 0; i < inter; i++) act[i] = gu[i] / (1 + Math.exp(-gu[i])) * gu[inter + i];
        double[] down = linear(act, downW, downB);
        for (int j = 0; j < h; j++) x[t][j] += down[j];
      }
    }
    double[][] logits = new double[n][];
    for (int t = 0; t < n; t++) logits[t] = linear(rmsNorm(x[t], finalNorm), lmHead, null);
    return logits;
  }

  private void rope(double[] v, int off, int d, int pos) {
    for (int i = 0; i < d / 2; i++) {
      double angle = pos / Math.pow(c.ropeTheta(), 2.0 * i / d);
      double a = v[off + i];
      double b = v[off + i + d / 2];
      v[off + i] = a * Math.cos(angle) - b * Math.sin(angle);
      v[off + i + d / 2] = b * Math.cos(angle) + a * Math.sin(angle);
    }
  }

  private double[] rmsNorm(double[] x, float[] weight) {
    double ms = 0;
    for (double v : x) ms += v * v;
    double inv = 1 / Math.sqrt(ms / x.length + c.rmsNormEps());
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) out[i] = weight[i] * x[i] * inv;
    return out;
  }

  private static double[] linear(double[] x, float[][] w, float[] b) {
    double[] out = new double[w.length];
    for (int o = 0; o < w.length; o++) {
      double s = b == null ? 0 : b[o];
      for (int i = 0; i < x.length; i++) s += w[o][i] * x[i];
      out[o] = s;
    }
    return out;
  }

  private static float[][] matrix(float[] flat, int cols) {
    float[][] m = new float[flat.length / cols][cols];
    for (int r = 0; r < m.length; r++) System.arraycopy(flat, r * cols, m[r], 0, cols);
    return m;
  }
}
