package dev.llava.model.text;

/**
 * Token ids of one text together with where each token came from.
 *
 * @param ids token ids, {@code [tokens]}
 * @param starts UTF-16 index (as {@link String#charAt}) of the first char each token covers, or -1
 *     for tokens added by the post-processor (BOS/EOS), {@code [tokens]}
 * @param ends exclusive UTF-16 end index of each token, -1 for post-processor tokens, {@code [tokens]}
 */
public record EncodedText(long[] ids, int[] starts, int[] ends) {
  public EncodedText {
    if (starts.length != ids.length || ends.length != ids.length) {
      throw new IllegalArgumentException("offsets for " + starts.length + "/" + ends.length
          + " tokens but " + ids.length + " ids");
    }
  }

  public int size() {
    return ids.length;
  }
}
