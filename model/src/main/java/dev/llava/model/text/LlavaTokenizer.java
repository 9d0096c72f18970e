package dev.llava.model.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The checkpoint's Hugging Face tokenizer ({@code tokenizer.json}, run by the Rust library through
 * DJL) plus what the side files say about special tokens and the {@code <image>} placeholder.
 *
 * <p>Special tokens are added the way the {@code tokenizer.json} post-processor says (Llama: BOS
 * first), except where {@code tokenizer_config.json} states {@code add_bos_token}/{@code
 * add_eos_token} differently: transformers rebuilds the post-processor from those flags, so they win.
 * No truncation, no padding. Thread-safe: the native tokenizer is immutable after loading.
 */
public final class LlavaTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final TokenizerSettings settings;
  private final Map<String, Long> vocabulary;
  private final Set<Long> specialIds;
  private final SpecialToken bos;
  private final SpecialToken eos;
  private final SpecialToken unk;
  private final SpecialToken pad;
  private final SpecialToken image;
  /** True when BOS/EOS are placed here rather than by the native post-processor. */
  private final boolean manualSpecials;

  private LlavaTokenizer(HuggingFaceTokenizer tokenizer, TokenizerSettings settings,
      Map<String, Long> vocabulary, Set<Long> specialIds) {
    this.tokenizer = tokenizer;
    this.settings = settings;
    this.vocabulary = vocabulary;
    this.specialIds = specialIds;
    this.bos = special(settings.bosToken());
    this.eos = special(settings.eosToken());
    this.unk = special(settings.unkToken());
    this.pad = special(settings.padToken());
    this.image = special(settings.imageToken());
    this.manualSpecials = postProcessorDisagrees();
  }

  /** Loads {@code tokenizer.json} and the side files of a checkpoint directory, fully offline. */
  public static LlavaTokenizer load(Path checkpointDir) throws IOException {
    Path file = checkpointDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      throw new IOException("no tokenizer.json in " + checkpointDir
          + " (expected a Hugging Face fast tokenizer file)");
    }
    byte[] json = Files.readAllBytes(file);
    TokenizerSettings settings = TokenizerSettings.read(checkpointDir);
    Map<String, Long> vocabulary = new HashMap<>();
    Set<Long> specialIds = new LinkedHashSet<>();
    readVocabulary(json, vocabulary, specialIds);

    // DJL defaults to truncation at 512 and padding: both are off here, prompts are long.
    Map<String, String> options = Map.of(
        "addSpecialTokens", "true", "truncation", "false", "padding", "false");
    HuggingFaceTokenizer rust = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
    LlavaTokenizer t = new LlavaTokenizer(rust, settings, vocabulary, specialIds);
    t.checkImageToken();
    return t;
  }

  /**
   * Reads {@code model.vocab} and {@code added_tokens} with a streaming parser: the merges list
   * makes up most of a tokenizer.json and building a tree of it costs seconds on a busy machine.
   */
  private static void readVocabulary(byte[] json, Map<String, Long> vocabulary, Set<Long> special)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    try (JsonParser p = mapper.getFactory().createParser(json)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("added_tokens") && value == JsonToken.START_ARRAY) {
          for (JsonNode added : (JsonNode) mapper.readTree(p)) {
            long id = added.path("id").asLong();
            vocabulary.put(added.path("content").asText(), id);
            if (added.path("special").asBoolean(false)) {
              special.add(id);
            }
          }
        } else if (field.equals("model") && value == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String modelField = p.currentName();
            JsonToken modelValue = p.nextToken();
            if (modelField.equals("vocab") && modelValue == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String token = p.currentName();
                p.nextToken();
                vocabulary.putIfAbsent(token, p.getLongValue());
              }
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
    }
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("tokenizer.json: expected " + expected + ", got " + actual);
    }
  }

  private SpecialToken special(String content) {
    if (content == null) {
      return null;
    }
    Long id = vocabulary.get(content);
    return id == null ? null : new SpecialToken(content, id);
  }

  private void checkImageToken() {
    long configured = settings.configImageTokenIndex();
    if (image != null && configured >= 0 && configured != image.id()) {
      throw new IllegalStateException("config.json image_token_index is " + configured
          + " but the tokenizer maps '" + image.content() + "' to " + image.id());
    }
  }

  /** Whether the flags in tokenizer_config.json ask for other BOS/EOS than the post-processor adds. */
  private boolean postProcessorDisagrees() {
    // with = [post-processor prefix] + without + [post-processor suffix]
    long[] with = tokenizer.encode("a", true, false).getIds();
    long[] without = tokenizer.encode("a", false, false).getIds();
    boolean grew = with.length > without.length;
    boolean addsBos = grew && bos != null && with[0] == bos.id() && without[0] != bos.id();
    boolean addsEos = grew && eos != null && with[with.length - 1] == eos.id()
        && without[without.length - 1] != eos.id();
    boolean bosDiffers = settings.addBosToken() != null && bos != null && settings.addBosToken() != addsBos;
    boolean eosDiffers = settings.addEosToken() != null && eos != null && settings.addEosToken() != addsEos;
    return bosDiffers || eosDiffers;
  }

  /** Token ids of {@code text} with the special tokens a prompt gets (BOS for Llama/Mistral). */
  public long[] encode(String text) {
    return encode(text, true);
  }

  public long[] encode(String text, boolean addSpecialTokens) {
    return encodeWithOffsets(text, addSpecialTokens).ids();
  }

  /**
   * Encodes a rendered chat prompt as transformers' {@code apply_chat_template(tokenize=True)} does:
   * special tokens are added unless the text already starts with the BOS text (templates that
   * write {@code {{ bos_token }}} themselves).
   */
  public long[] encodePrompt(String text) {
    boolean startsWithBos = bos != null && text.startsWith(bos.content());
    return encode(text, !startsWithBos);
  }

  /** Ids plus the UTF-16 span each token covers in {@code text} (for assistant label masks). */
  public EncodedText encodeWithOffsets(String text, boolean addSpecialTokens) {
    boolean nativeSpecials = addSpecialTokens && !manualSpecials;
    Encoding e = tokenizer.encode(text, nativeSpecials, false);
    long[] ids = e.getIds();
    CharSpan[] spans = e.getCharTokenSpans();
    int[] utf16 = codePointToUtf16(text);
    int[] starts = new int[ids.length];
    int[] ends = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      // The Rust library reports offsets in code points; Java strings index UTF-16 units.
      CharSpan s = spans[i];
      starts[i] = s == null ? -1 : utf16[s.getStart()];
      ends[i] = s == null ? -1 : utf16[s.getEnd()];
    }
    EncodedText encoded = new EncodedText(ids, starts, ends);
    return addSpecialTokens && manualSpecials ? withConfiguredSpecials(encoded) : encoded;
  }

  private EncodedText withConfiguredSpecials(EncodedText plain) {
    boolean addBos = bos != null && Boolean.TRUE.equals(settings.addBosToken());
    boolean addEos = eos != null && Boolean.TRUE.equals(settings.addEosToken());
    int n = plain.size() + (addBos ? 1 : 0) + (addEos ? 1 : 0);
    long[] ids = new long[n];
    int[] starts = new int[n];
    int[] ends = new int[n];
    Arrays.fill(starts, -1);
    Arrays.fill(ends, -1);
    int at = 0;
    if (addBos) {
      ids[at++] = bos.id();
    }
    System.arraycopy(plain.ids(), 0, ids, at, plain.size());
    System.arraycopy(plain.starts(), 0, starts, at, plain.size());
    System.arraycopy(plain.ends(), 0, ends, at, plain.size());
    if (addEos) {
      ids[n - 1] = eos.id();
    }
    return new EncodedText(ids, starts, ends);
  }

  private static int[] codePointToUtf16(String text) {
    int[] map = new int[text.codePointCount(0, text.length()) + 1];
    int cp = 0;
    for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
      map[cp++] = i;
    }
    map[cp] = text.length();
    return map;
  }

  /** The token strings of {@code text} (e.g. {@code "▁Hello"}, {@code "<0x0A>"}), for debugging. */
  public List<String> tokens(String text, boolean addSpecialTokens) {
    return new ArrayList<>(Arrays.asList(tokenizer.encode(text, addSpecialTokens, false).getTokens()));
  }

  /**
   * Text of {@code ids}. Ids the vocabulary does not know (LLaVA's padding rows, e.g. 32064-wide
   * heads over a 32002-token vocabulary) decode to nothing, as in the Rust library.
   */
  public String decode(long[] ids, boolean skipSpecialTokens) {
    return tokenizer.decode(ids, skipSpecialTokens);
  }

  public boolean isSpecial(long id) {
    return specialIds.contains(id);
  }

  public OptionalLong tokenId(String token) {
    Long id = vocabulary.get(token);
    return id == null ? OptionalLong.empty() : OptionalLong.of(id);
  }

  public Optional<SpecialToken> bos() {
    return Optional.ofNullable(bos);
  }

  public Optional<SpecialToken> eos() {
    return Optional.ofNullable(eos);
  }

  public Optional<SpecialToken> unk() {
    return Optional.ofNullable(unk);
  }

  public Optional<SpecialToken> pad() {
    return Optional.ofNullable(pad);
  }

  /**
   * The image placeholder: its text (what prompts contain) and id (what the model replaces).
   * Empty for a plain language tokenizer (e.g. Mistral's before LLaVA added {@code <image>}).
   */
  public Optional<SpecialToken> image() {
    return Optional.ofNullable(image);
  }

  /** The image placeholder, or an error naming the missing token when the vocabulary lacks it. */
  public SpecialToken requireImage() {
    if (image == null) {
      throw new IllegalStateException("the tokenizer has no token for the image placeholder '"
          + settings.imageToken() + "' (processor_config.json image_token); LLaVA checkpoints add it"
          + " as an added token to tokenizer.json");
    }
    return image;
  }

  /** Whether a prompt starts with BOS: the config flag when stated, else what the post-processor does. */
  public boolean addBosToken() {
    long[] ids = encode("a", true);
    return bos != null && ids.length > 0 && ids[0] == bos.id();
  }

  /** Ids that end generation: the tokenizer's EOS plus generation_config.json's eos_token_id. */
  public Set<Long> eosTokenIds() {
    Set<Long> ids = new LinkedHashSet<>();
    if (eos != null) {
      ids.add(eos.id());
    }
    ids.addAll(settings.generationEosIds());
    return ids;
  }

  public TokenizerSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
