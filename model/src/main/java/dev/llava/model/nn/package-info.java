/**
 * HF transformers' LLaVA forward pass on DJL's PyTorch engine, one class per HF module:
 * {@link dev.llava.model.nn.ClipVisionTower}, {@link dev.llava.model.nn.MultiModalProjector},
 * {@link dev.llava.model.nn.NextFeaturePacker}, {@link dev.llava.model.nn.LlamaDecoder} (with
 * {@link dev.llava.model.nn.KvCache}) and {@link dev.llava.model.nn.LlavaModel} tying them together.
 *
 * <p>Memory: every method documents which NDManager its result lives in; intermediates live in
 * per-call sub-managers that are closed before returning, so long runs do not grow. Weights are
 * never the receiver of an op (DJL attaches results to the receiver's manager).
 *
 * <p>Threads: weights are read-only and may be shared; one {@link dev.llava.model.nn.KvCache} is
 * advanced by one thread at a time. The decode step handles sequences of different lengths in one
 * batch: the linear layers run batched, attention runs per sequence on views of its own cache.
 */
package dev.llava.model.nn;
