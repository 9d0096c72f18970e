/**
 * HF config.json bound to records with every class default resolved:
 * {@link dev.llava.model.config.LlavaConfig} (llava, llava_next), {@link dev.llava.model.config.TextConfig}
 * (llama, mistral) and {@link dev.llava.model.config.VisionConfig} (CLIP). Our one extension is
 * {@code "projector_type": "linear" | "mlp2x_gelu"} ({@link dev.llava.model.config.ProjectorType}).
 */
package dev.llava.model.config;
