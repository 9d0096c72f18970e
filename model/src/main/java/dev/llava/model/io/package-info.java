/**
 * File formats: {@link dev.llava.model.io.Npy} (fixtures) and safetensors
 * ({@link dev.llava.model.io.SafetensorsReader}, memory-mapped, sharded, F32/F16/BF16/I64;
 * {@link dev.llava.model.io.SafetensorsWriter}). Half formats are widened to float32 in Java because
 * a BF16 NDArray aborts the JVM in DJL 0.35.1.
 */
package dev.llava.model.io;
