package io.github.dl4jadamw.bench;

import io.github.dl4jadamw.internal.kernel.FiniteScan;
import io.github.dl4jadamw.internal.kernel.SquareSums;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * What global-norm clipping adds to a step, in isolation: the pass that sums the gradient's squares for the norm
 * ({@code squares}) replaces the NaN/Inf scan every step runs without it ({@code scan}), and the clipping factor itself
 * is one multiply inside the kernel's read of the gradient. Both passes read the same 16.82M float32 values (the
 * RecipeCostBenchmark network's gradient), split across the cores as in training; the difference in ns per value is
 * clipping's cost. Both variants run in each fork (one state per variant), so their ratio comes from one JVM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class NormPassBenchmark {
    static final long N = 4096L * 4096 + 4096 + 4096L * 10 + 10;

    @Param({"FLOAT", "DOUBLE"})
    public String type;

    private INDArray gradient;

    @Setup
    public void setup() {
        Nd4j.getRandom().setSeed(42);
        gradient = Nd4j.randn(DataType.valueOf(type), N).muli(1e-2);
    }

    @Benchmark
    public long scan() {
        return FiniteScan.firstNonFinite(gradient);
    }

    @Benchmark
    public double squares() {
        return SquareSums.forThread().of(gradient, 0, false);
    }
}
