package dev.llava.model.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * VQA answer normalisation as LLaVA scores short answers: a port of {@code EvalAIAnswerProcessor}
 * in LLaVA's {@code llava/eval/m4c_evaluator.py} (itself from Facebook MMF / the VQA evaluation
 * API), step for step and including its quirks, so our accuracy matches LLaVA's on the same text:
 *
 * <ol>
 *   <li>lower-case, delete {@code ,} and {@code ?}, split {@code 's} off ("dog's" -> "dog 's"), trim;
 *   <li>newlines and tabs to spaces, trim;
 *   <li>punctuation: each mark is deleted if it touches a space somewhere in the text, else
 *       replaced by a space; then periods not followed by a digit are deleted (the reference's
 *       pattern {@code (?!<=\d)(\.)(?!\d)} is a lookahead typo, so a period after a digit goes too,
 *       and its {@code re.UNICODE} lands in the {@code count} argument: at most 32 are deleted);
 *   <li>per word: number words zero..ten to digits ("none" -> "0"), drop articles a/an/the, restore
 *       apostrophes of known contractions ("dont" -> "don't").
 * </ol>
 *
 * Examples: "Two." -> "2", "the red" -> "red", "Yes!" -> "yes".
 */
public final class AnswerNormalizer {
  private static final List<String> PUNCTUATIONS = List.of(
      ";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!");
  private static final Pattern PERIOD_STRIP = Pattern.compile("(?!<=\\d)(\\.)(?!\\d)");
  private static final Pattern COMMA_STRIP = Pattern.compile("(?<=\\d)(,)+(?=\\d)");
  // Python re.sub(pattern, repl, string, count) called with re.UNICODE (== 32) as count
  private static final int PERIOD_STRIP_MAX = 32;
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final List<String> ARTICLES = List.of("a", "an", "the");
  private static final Map<String, String> NUMBERS = Map.ofEntries(
      Map.entry("none", "0"), Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"),
      Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"),
      Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));
  private static final Map<String, String> CONTRACTIONS = contractions();

  private AnswerNormalizer() {}

  public static String normalize(String answer) {
    String text = wordTokenize(answer);
    text = text.replace("\n", " ").replace("\t", " ").strip();
    text = processPunctuation(text);
    return processDigitArticle(text);
  }

  private static String wordTokenize(String word) {
    return word.toLowerCase(Locale.ROOT).replace(",", "").replace("?", "").replace("'s", " 's").strip();
  }

  private static String processPunctuation(String in) {
    String out = in;
    boolean digitCommas = COMMA_STRIP.matcher(in).find();
    for (String p : PUNCTUATIONS) {
      // the reference tests the input text, not the text already rewritten by earlier marks
      if (in.contains(p + " ") || in.contains(" " + p) || digitCommas) {
        out = out.replace(p, "");
      } else {
        out = out.replace(p, " ");
      }
    }
    Matcher periods = PERIOD_STRIP.matcher(out);
    StringBuilder stripped = new StringBuilder(out.length());
    int deleted = 0;
    while (deleted < PERIOD_STRIP_MAX && periods.find()) {
      periods.appendReplacement(stripped, "");
      deleted++;
    }
    periods.appendTail(stripped);
    return stripped.toString();
  }

  private static String processDigitArticle(String in) {
    List<String> words = new ArrayList<>();
    String trimmed = in.toLowerCase(Locale.ROOT).strip();
    if (!trimmed.isEmpty()) {
      for (String word : WHITESPACE.split(trimmed)) {
        word = NUMBERS.getOrDefault(word, word);
        if (!ARTICLES.contains(word)) {
          words.add(CONTRACTIONS.getOrDefault(word, word));
        }
      }
    }
    return String.join(" ", words);
  }

  // The reference's table, key then value. Keys with capitals ("Im") can never match after
  // lower-casing, and "somebody'd" maps the wrong way round; both kept to behave identically.
  private static Map<String, String> contractions() {
    String[] pairs = {
      "aint", "ain't", "arent", "aren't", "cant", "can't", "couldve", "could've", "couldnt", "couldn't",
      "couldn'tve", "couldn't've", "couldnt've", "couldn't've", "didnt", "didn't", "doesnt", "doesn't",
      "dont", "don't", "hadnt", "hadn't", "hadnt've", "hadn't've", "hadn'tve", "hadn't've", "hasnt", "hasn't",
      "havent", "haven't", "hed", "he'd", "hed've", "he'd've", "he'dve", "he'd've", "hes", "he's",
      "howd", "how'd", "howll", "how'll", "hows", "how's", "Id've", "I'd've", "I'dve", "I'd've",
      "Im", "I'm", "Ive", "I've", "isnt", "isn't", "itd", "it'd", "itd've", "it'd've", "it'dve", "it'd've",
      "itll", "it'll", "let's", "let's", "maam", "ma'am", "mightnt", "mightn't", "mightnt've", "mightn't've",
      "mightn'tve", "mightn't've", "mightve", "might've", "mustnt", "mustn't", "mustve", "must've",
      "neednt", "needn't", "notve", "not've", "oclock", "o'clock", "oughtnt", "oughtn't",
      "ow's'at", "'ow's'at", "'ows'at", "'ow's'at", "'ow'sat", "'ow's'at", "shant", "shan't",
      "shed've", "she'd've", "she'dve", "she'd've", "she's", "she's", "shouldve", "should've",
      "shouldnt", "shouldn't", "shouldnt've", "shouldn't've", "shouldn'tve", "shouldn't've",
      "somebody'd", "somebodyd", "somebodyd've", "somebody'd've", "somebody'dve", "somebody'd've",
      "somebodyll", "somebody'll", "somebodys", "somebody's", "someoned", "someone'd",
      "someoned've", "someone'd've", "someone'dve", "someone'd've", "someonell", "someone'll",
      "someones", "someone's", "somethingd", "something'd", "somethingd've", "something'd've",
      "something'dve", "something'd've", "somethingll", "something'll", "thats", "that's",
      "thered", "there'd", "thered've", "there'd've", "there'dve", "there'd've", "therere", "there're",
      "theres", "there's", "theyd", "they'd", "theyd've", "they'd've", "they'dve", "they'd've",
      "theyll", "they'll", "theyre", "they're", "theyve", "they've", "twas", "'twas", "wasnt", "wasn't",
      "wed've", "we'd've", "we'dve", "we'd've", "weve", "we've", "werent", "weren't", "whatll", "what'll",
      "whatre", "what're", "whats", "what's", "whatve", "what've", "whens", "when's", "whered", "where'd",
      "wheres", "where's", "whereve", "where've", "whod", "who'd", "whod've", "who'd've", "who'dve", "who'd've",
      "wholl", "who'll", "whos", "who's", "whove", "who've", "whyll", "why'll", "whyre", "why're",
      "whys", "why's", "wont", "won't", "wouldve", "would've", "wouldnt", "wouldn't", "wouldnt've", "wouldn't've",
      "wouldn'tve", "wouldn't've", "yall", "y'all", "yall'll", "y'all'll", "y'allll", "y'all'll",
      "yall'd've", "y'all'd've", "y'alld've", "y'all'd've", "y'all'dve", "y'all'd've", "youd", "you'd",
      "youd've", "you'd've", "you'dve", "you'd've", "youll", "you'll", "youre", "you're", "youve", "you've",
    };
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return Map.copyOf(map);
  }
}
