package io.github.dl4jadamw.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * libnd4j's {@code adam_updater} op alone on one float32 block of n values, with the state laid out as
 * {@code [M | gap | V]}, timed per step; prints where the arrays landed. It is how the benchmarks README's note on the
 * op's 2× slowdown at 2^24 was measured: run it in several JVMs (one gap per JVM) and compare.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.dl4jadamw.bench.AdamOpPlacement 16777216 8 0
 * </pre>
 * Arguments: n, steps (the first two are warm-up), gaps in values (comma-separated, one run each in this JVM).
 */
public final class AdamOpPlacement {
    private AdamOpPlacement() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: AdamOpPlacement <n> <steps, at least 3> <gap[,gap...]>");
            System.exit(2);
        }
        long n = Long.parseLong(args[0]);
        int steps = Integer.parseInt(args[1]);
        if (n < 1 || steps < 3) throw new IllegalArgumentException("n must be ≥ 1 and steps ≥ 3");
        for (String gapArg : args[2].split(",")) {
            long gap = Long.parseLong(gapArg.trim());
            INDArray g0 = Nd4j.rand(DataType.FLOAT, n).subi(0.5), g = g0.dup();
            INDArray state = Nd4j.zeros(DataType.FLOAT, 2 * n + gap);
            INDArray m = state.get(NDArrayIndex.interval(0, n));
            INDArray v = state.get(NDArrayIndex.interval(n + gap, 2 * n + gap));
            double best = Double.MAX_VALUE, sum = 0;
            for (int s = 0; s < steps; s++) {
                g.assign(g0);
                long t0 = System.nanoTime();
                Nd4j.exec(new AdamUpdater(g, v, m, 1e-3, 0.9, 0.999, 1e-8, s));
                long dt = System.nanoTime() - t0;
                if (s >= 2) {
                    best = Math.min(best, dt);
                    sum += dt;
                }
            }
            long ga = g.data().address(), ma = m.data().address();
            System.out.printf("n=%d gap=%d  (g-M) mod 4K=%d mod 8K=%d  (V-M) mod 4K=%d  g mod 2M=%d M mod 2M=%d  "
                            + "best %.2f ns/value, mean %.2f%n", n, gap, Math.floorMod(ga - ma, 4096),
                    Math.floorMod(ga - ma, 8192), Math.floorMod((n + gap) * 4, 4096), ga % (1 << 21), ma % (1 << 21),
                    best / n, sum / (steps - 2) / n);
        }
    }
}
