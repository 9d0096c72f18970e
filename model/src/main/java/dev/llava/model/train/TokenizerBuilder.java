package dev.llava.model.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Trains a small Llama-style BPE tokenizer on a corpus and writes it as a Hugging Face {@code tokenizer.json}
 * (plus {@code tokenizer_config.json} and {@code special_tokens_map.json}) that {@code LlavaTokenizer} (DJL's
 * HuggingFaceTokenizer) loads: normalizer {@code Prepend("▁")} + {@code Replace(" ", "▁")}, no pre-tokenizer,
 * BPE with {@code byte_fallback} over all 256 {@code <0xXX>} tokens, {@code <unk>}=0 {@code <s>}=1
 * {@code </s>}=2, BOS added by the post-processor, and {@code <image>} and {@code <pad>} as added special tokens
 * after the vocabulary, as llava-hf's checkpoints have them.
 *
 * <p>Training follows SentencePiece's BPE pieces: text is cut before every {@code ▁}, between letters and other
 * characters, and digits and punctuation stay single characters (Llama's split_digits), so no merge ever spans
 * two words. Applying the merges to a whole normalized string therefore gives the same tokens as applying them
 * word by word, which is what the HF BPE model does. Characters seen fewer than twice and newlines are left to
 * byte fallback, as Llama does with {@code <0x0A>}. Ties between equally frequent pairs break alphabetically, so
 * the result is a pure function of the corpus and the size.
 */
public final class TokenizerBuilder {
  public static final String UNK = "<unk>";
  public static final String BOS = "<s>";
  public static final String EOS = "</s>";
  public static final String IMAGE = "<image>";
  public static final String PAD = "<pad>";
  private static final char SPACE = '\u2581'; // ▁
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Integer> vocab; // model vocabulary in id order
  private final List<String[]> merges;

  private TokenizerBuilder(Map<String, Integer> vocab, List<String[]> merges) {
    this.vocab = vocab;
    this.merges = merges;
  }

  /** Learns merges until the model vocabulary (without the two added tokens) has {@code vocabSize} entries. */
  public static TokenizerBuilder train(Iterable<String> corpus, int vocabSize) {
    Map<String, Integer> pieceCounts = new HashMap<>();
    Map<Character, Integer> charCounts = new TreeMap<>();
    for (String text : corpus) {
      for (String piece : pieces(normalize(text))) {
        pieceCounts.merge(piece, 1, Integer::sum);
        for (char c : piece.toCharArray()) charCounts.merge(c, 1, Integer::sum);
      }
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    vocab.put(UNK, 0);
    vocab.put(BOS, 1);
    vocab.put(EOS, 2);
    for (int b = 0; b < 256; b++) vocab.put(String.format(Locale.ROOT, "<0x%02X>", b), vocab.size());
    charCounts.forEach((c, n) -> {
      if (n >= 2 && c != '\n' && c != '\r' && !Character.isSurrogate(c)) vocab.putIfAbsent(String.valueOf(c), vocab.size());
    });
    vocab.putIfAbsent(String.valueOf(SPACE), vocab.size());

    // words as symbol sequences, only over known characters (others stay single, byte-fallback symbols)
    List<List<String>> words = new ArrayList<>();
    List<Integer> freqs = new ArrayList<>();
    for (Map.Entry<String, Integer> e : new TreeMap<>(pieceCounts).entrySet()) {
      List<String> symbols = new ArrayList<>();
      for (char c : e.getKey().toCharArray()) symbols.add(String.valueOf(c));
      words.add(symbols);
      freqs.add(e.getValue());
    }
    List<String[]> merges = new ArrayList<>();
    while (vocab.size() < vocabSize) {
      Map<String, Integer> pairs = new TreeMap<>();
      for (int w = 0; w < words.size(); w++) {
        List<String> s = words.get(w);
        for (int i = 0; i + 1 < s.size(); i++) {
          if (vocab.containsKey(s.get(i)) && vocab.containsKey(s.get(i + 1))) {
            pairs.merge(s.get(i) + " " + s.get(i + 1), freqs.get(w), Integer::sum);
          }
        }
      }
      String best = null;
      int bestCount = 1; // a pair seen once is not worth a token
      for (Map.Entry<String, Integer> p : pairs.entrySet()) {
        if (p.getValue() > bestCount) {
          best = p.getKey();
          bestCount = p.getValue();
        }
      }
      if (best == null) break;
      String[] pair = best.split(" ", 2);
      String merged = pair[0] + pair[1];
      merges.add(pair);
      vocab.putIfAbsent(merged, vocab.size());
      for (List<String> s : words) {
        for (int i = 0; i + 1 < s.size(); i++) {
          if (s.get(i).equals(pair[0]) && s.get(i + 1).equals(pair[1])) {
            s.set(i, merged);
            s.remove(i + 1);
          }
        }
      }
    }
    return new TokenizerBuilder(vocab, merges);
  }

  /** The normalizer's output: a leading ▁ and every space as ▁. */
  static String normalize(String text) {
    return SPACE + text.replace(' ', SPACE);
  }

  /** Training pieces: "▁" + letters, or single other characters (digits, punctuation, a lone ▁). */
  static List<String> pieces(String normalized) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = normalized.length();
    while (i < n) {
      char c = normalized.charAt(i);
      int start = i;
      if (c == SPACE) {
        i++;
        while (i < n && Character.isLetter(normalized.charAt(i))) i++;
      } else if (Character.isLetter(c)) {
        while (i < n && Character.isLetter(normalized.charAt(i))) i++;
      } else {
        i++;
      }
      out.add(normalized.substring(start, i));
    }
    return out;
  }

  /** Entries of the BPE model's vocabulary (the added {@code <image>}/{@code <pad>} come after). */
  public int modelVocabSize() {
    return vocab.size();
  }

  public int imageTokenId() {
    return vocab.size();
  }

  public int padTokenId() {
    return vocab.size() + 1;
  }

  /** The model's vocab_size: the BPE vocabulary plus {@code <image>} and {@code <pad>}. */
  public int totalVocabSize() {
    return vocab.size() + 2;
  }

  public List<String[]> merges() {
    return List.copyOf(merges);
  }

  /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into {@code dir}. */
  public void write(Path dir, int modelMaxLength) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizerJson());
    ObjectNode config = JSON.createObjectNode();
    config.put("add_bos_token", true);
    config.put("add_eos_token", false);
    ObjectNode decoder = config.putObject("added_tokens_decoder");
    for (String t : List.of(UNK, BOS, EOS, IMAGE, PAD)) {
      ObjectNode d = decoder.putObject(Integer.toString(id(t)));
      d.put("content", t);
      d.put("lstrip", false);
      d.put("normalized", false);
      d.put("rstrip", false);
      d.put("single_word", false);
      d.put("special", true);
    }
    config.put("bos_token", BOS);
    config.put("clean_up_tokenization_spaces", false);
    config.put("eos_token", EOS);
    config.put("legacy", true);
    config.put("model_max_length", modelMaxLength);
    config.put("pad_token", PAD);
    config.put("padding_side", "right");
    config.put("tokenizer_class", "LlamaTokenizer");
    config.put("unk_token", UNK);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    ObjectNode map = JSON.createObjectNode();
    map.put("bos_token", BOS);
    map.put("eos_token", EOS);
    map.put("pad_token", PAD);
    map.put("unk_token", UNK);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("special_tokens_map.json").toFile(), map);
  }

  private int id(String token) {
    return switch (token) {
      case IMAGE -> imageTokenId();
      case PAD -> padTokenId();
      default -> vocab.get(token);
    };
  }

  private ObjectNode tokenizerJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String t : List.of(UNK, BOS, EOS, IMAGE, PAD)) {
      ObjectNode a = added.addObject();
      a.put("id", id(t));
      a.put("content", t);
      a.put("single_word", false);
      a.put("lstrip", false);
      a.put("rstrip", false);
      a.put("normalized", false);
      a.put("special", true);
    }
    ObjectNode normalizer = root.putObject("normalizer");
    normalizer.put("type", "Sequence");
    ArrayNode norms = normalizer.putArray("normalizers");
    norms.addObject().put("type", "Prepend").put("prepend", String.valueOf(SPACE));
    ObjectNode replace = norms.addObject().put("type", "Replace");
    replace.putObject("pattern").put("String", " ");
    replace.put("content", String.valueOf(SPACE));
    root.putNull("pre_tokenizer");
    ObjectNode post = root.putObject("post_processor");
    post.put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    single.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    ArrayNode pair = post.putArray("pair");
    pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 1);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
    ObjectNode bos = post.putObject("special_tokens").putObject(BOS);
    bos.put("id", BOS);
    bos.putArray("ids").add(1);
    bos.putArray("tokens").add(BOS);
    ObjectNode decoder = root.putObject("decoder");
    decoder.put("type", "Sequence");
    ArrayNode decoders = decoder.putArray("decoders");
    ObjectNode unspace = decoders.addObject().put("type", "Replace");
    unspace.putObject("pattern").put("String", String.valueOf(SPACE));
    unspace.put("content", " ");
    decoders.addObject().put("type", "ByteFallback");
    decoders.addObject().put("type", "Fuse");
    decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.put("unk_token", UNK);
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", true);
    model.put("byte_fallback", true);
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    ArrayNode m = model.putArray("merges");
    for (String[] p : merges) m.add(p[0] + " " + p[1]);
    return root;
  }
}
