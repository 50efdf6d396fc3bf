package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.train.OptimizerSpec;

/** One run a job plans: a setting and a seed. */
public record Planned(OptimizerSpec spec, long seed) {}
