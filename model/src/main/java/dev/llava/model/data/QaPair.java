package dev.llava.model.data;

/**
 * One human question and its gpt answer, before it becomes two conversation turns.
 *
 * @param question the human text without the {@code <image>} marker, including any answer-format
 *     suffix ("...?\nAnswer the question using a single word or phrase.")
 * @param answer the gpt text: a word, a number, an option letter or sentences
 * @param type what is asked
 */
public record QaPair(String question, String answer, QuestionType type) {}
