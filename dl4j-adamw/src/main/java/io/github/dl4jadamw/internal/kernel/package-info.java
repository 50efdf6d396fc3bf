/**
 * Not API: the two kernels that walk a block's arrays with the scalars of {@link io.github.dl4jadamw.internal.StepScalars}
 * (a fused multi-threaded CPU loop and a chain of ND4J ops, which is what runs on CUDA), and their helpers.
 */
package io.github.dl4jadamw.internal.kernel;
