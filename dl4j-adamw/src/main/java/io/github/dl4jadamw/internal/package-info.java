/**
 * Not API: the per-step scalars ({@link io.github.dl4jadamw.internal.StepScalars}, the one definition of the update
 * math), argument checks and, in {@code internal.kernel}, the CPU and ND4J-op kernels. Public only because the
 * library's own packages share them; they change without notice between versions.
 */
package io.github.dl4jadamw.internal;
