package dev.llava.model.text;

/** A special token of the vocabulary: its text form (e.g. {@code "</s>"}) and its id. */
public record SpecialToken(String content, long id) {}
