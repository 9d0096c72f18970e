/**
 * Checkpoint loading: {@link dev.llava.model.checkpoint.LlavaWeights} spells every key name (both
 * the hub layout and transformers >= 4.52's) and holds the loaded, shape-checked tensors;
 * {@link dev.llava.model.checkpoint.CheckpointLoader} reads only what the forward pass uses.
 */
package dev.llava.model.checkpoint;
