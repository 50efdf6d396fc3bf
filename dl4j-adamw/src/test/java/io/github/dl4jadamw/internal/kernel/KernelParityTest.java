package io.github.dl4jadamw.internal.kernel;



import io.github.dl4jadamw.SGDW;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecayConvention;
import io.github.dl4jadamw.internal.StepScalars;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parity of the two kernels with each other and with a naive scalar reference, in float64, over many steps, all state
 * included: after every step the update u, θ (after DL4J's θ −= u), m, v and v̂max of {@link CpuKernel},
 * {@link Nd4jOpKernel} and the reference agree to {@value #TOLERANCE} relative (max|a − e| / max|e| per array).
 *
 * <p>The reference is written here from the algorithm in {@link StepScalars}' Javadoc and does not call it: at DL4J
 * iteration i, t = i + 1, lr_t = α·η_t, d_t = lr_t·λ (or η_t·λ),
 * m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², v̂max ← max(v̂max, v),
 * u = lr_t/(1−β1^t) · m / (√v / √(1−β2^t) + ε) + d_t·θ (decay only inside the decayed segments), θ ← θ − u.
 *
 * <p>Blocks are views into one flat parameter, gradient and state buffer at nonzero offsets, as DL4J lays them out;
 * decayed segments are parameter views (some 2-d 'f'-ordered, like DL4J's weight views) covering parts of a block.
 */
class KernelParityTest {
    static final double TOLERANCE = 1e-12;
    static final int STEPS = 50;
    /** Above the parallel threshold, with an odd tail: several ParallelLoop chunks, tile remainders. */
    static final int LONG = (int) (ParallelLoop.MIN_PARALLEL + 13);

    /** One updater block: its length, configuration and decayed segments as {offset, length} pairs in the block. */
    static final class BlockSpec {
        final int length;
        final AdamW config;
        final int[][] segments;
        final boolean twoDimensional; // decayed segments as 2-d 'f' views where their length allows

        BlockSpec(int length, AdamW config, boolean twoDimensional, int[]... segments) {
            this.length = length;
            this.config = config;
            this.segments = segments;
            this.twoDimensional = twoDimensional;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("n=" + length + (config.isAmsgrad() ? " amsgrad" : "") + " decay=[");
            for (int[] seg : segments) s.append(seg[0]).append("+").append(seg[1]).append(' ');
            return s.toString().trim() + "] " + config.getDecayConvention();
        }
    }

    /**
     * The reference below reads its hyperparameters from the configuration; that is only independent of the builder
     * if the configuration holds the literals it was built from, so that is checked here.
     */
    static AdamW config(boolean amsgrad, DecayConvention convention, ISchedule schedule, double lr, double lambda) {
        AdamW c = AdamW.builder().learningRate(lr).schedule(schedule).betas(0.9, 0.999).epsilon(1e-8)
                .weightDecay(lambda).decayConvention(convention).amsgrad(amsgrad).build();
        assertEquals(List.of(lr, 0.9, 0.999, 1e-8, lambda), List.of(c.getLearningRate(), c.getBeta1(), c.getBeta2(),
                c.getEpsilon(), c.getWeightDecay()), "the configuration holds what it was built from");
        assertEquals(List.of(convention, amsgrad), List.of(c.getDecayConvention(), c.isAmsgrad()));
        assertSame(schedule, c.getSchedule());
        return c;
    }

    /** Segment layouts for a block of length n: none, all, and several with gaps that include the first and last. */
    static List<int[][]> layouts(int n) {
        List<int[][]> l = new ArrayList<>();
        l.add(new int[0][]);
        l.add(new int[][]{{0, n}});
        if (n >= 20) {
            int a = n / 3, b = n / 2;
            l.add(new int[][]{{0, 2}, {a, b - a - 1}, {b + 1, 1}, {n - 3, 3}});
        } else if (n >= 7) {
            l.add(new int[][]{{0, 1}, {2, 2}, {n - 1, 1}});
        }
        return l;
    }

    @TestFactory
    List<DynamicTest> singleBlocks() {
        List<DynamicTest> tests = new ArrayList<>();
        ISchedule exp = new ExponentialSchedule(ScheduleType.ITERATION, 1.0, 0.97);
        for (int n : new int[]{1, 7, 1001, CpuKernel.TILE_F64 * 2 + 5, LONG}) {
            for (boolean ams : new boolean[]{false, true}) {
                List<int[][]> layouts = layouts(n);
                if (n == LONG) layouts = layouts.subList(layouts.size() - 1, layouts.size()); // gaps only: keep CI short
                for (int[][] layout : layouts) {
                    AdamW cfg = config(ams, DecayConvention.LR_COUPLED, null, 1e-2, 0.1);
                    BlockSpec spec = new BlockSpec(n, cfg, true, layout);
                    tests.add(DynamicTest.dynamicTest(spec.toString(), () -> check(List.of(spec), 1)));
                }
            }
            AdamW paper = config(false, DecayConvention.SCHEDULE_MULTIPLIER, exp, 3e-3, 0.05);
            BlockSpec spec = new BlockSpec(n, paper, false, new int[][]{{0, n}});
            tests.add(DynamicTest.dynamicTest(spec + " scheduled", () -> check(List.of(spec), 2)));
        }
        return tests;
    }

    /** Several layers' blocks in one flat buffer, mixed configurations, each block with its own kernel instances. */
    @Test
    void multiBlockMixedConfigs() {
        check(mixedBlocks(), 3);
    }

    /**
     * The same blocks in float32, both kernels against the reference in double (fed the float32 θ0 and gradients the
     * kernels see), to float32 accuracy. The ND4J-op kernel's m is k·m, k − 1 = 6.4e-6 ({@link Nd4jOpKernel}).
     */
    @Test
    void multiBlockMixedConfigsInFloat32() {
        check(mixedBlocks(), 3, DataType.FLOAT, FLOAT_TOLERANCE);
    }

    static final double FLOAT_TOLERANCE = 1e-5;

    static List<BlockSpec> mixedBlocks() {
        ISchedule exp = new ExponentialSchedule(ScheduleType.ITERATION, 1.0, 0.95);
        return List.of(
                new BlockSpec(1, config(false, DecayConvention.LR_COUPLED, null, 1e-2, 0.1), false, new int[]{0, 1}),
                new BlockSpec(7, config(true, DecayConvention.LR_COUPLED, null, 1e-3, 0.0), false),
                new BlockSpec(1001, config(false, DecayConvention.SCHEDULE_MULTIPLIER, exp, 2e-3, 0.05), true,
                        new int[]{0, 600}, new int[]{610, 391}),
                new BlockSpec(LONG, config(true, DecayConvention.LR_COUPLED, exp, 5e-3, 0.02), true,
                        new int[]{0, 30000}, new int[]{30000, 64}, new int[]{30100, LONG - 30100}),
                new BlockSpec(12, config(false, DecayConvention.LR_COUPLED, null, 1e-2, 0.1), true, new int[]{1, 11}));
    }

    /**
     * SGDW, plain and Nesterov, both kernels, against a naive reference written here from the paper's Algorithm 1 and
     * {@link io.github.dl4jadamw.SGDW}'s Javadoc (it does not call {@link StepScalars}): lr_t = α·η_t, d_t = lr_t·λ (or
     * η_t·λ), m ← μ·m + lr_t·g, u = m (Nesterov: μ·m + lr_t·g, with the new m) + d_t·θ on decayed elements, θ ← θ − u.
     * One block at a nonzero offset in its buffers, decayed segments with gaps; u, θ and m after every step.
     */
    @TestFactory
    List<DynamicTest> sgdwMatchesItsReference() {
        List<DynamicTest> tests = new ArrayList<>();
        ISchedule exp = new ExponentialSchedule(ScheduleType.ITERATION, 1.0, 0.97);
        for (int n : new int[]{1, 7, 1001, LONG})
            for (boolean nesterov : new boolean[]{false, true})
                for (DecayConvention conv : DecayConvention.values()) {
                    double lambda = conv == DecayConvention.LR_COUPLED ? 0.1 : 2e-3;
                    ISchedule schedule = conv == DecayConvention.LR_COUPLED ? null : exp;
                    io.github.dl4jadamw.SGDW cfg = io.github.dl4jadamw.SGDW.builder().learningRate(2e-2).momentum(0.8)
                            .nesterov(nesterov).weightDecay(lambda).decayConvention(conv).schedule(schedule).build();
                    // the reference reads these from cfg: it must hold the literals
                    assertEquals(List.of(2e-2, 0.8, lambda), List.of(cfg.getLearningRate(), cfg.getMomentum(),
                            cfg.getWeightDecay()));
                    assertEquals(List.of(nesterov, conv), List.of(cfg.isNesterov(), cfg.getDecayConvention()));
                    assertSame(schedule, cfg.getSchedule());
                    int[][] layout = layouts(n).get(layouts(n).size() - 1);
                    for (boolean cpu : new boolean[]{true, false})
                        tests.add(DynamicTest.dynamicTest((cpu ? "cpu " : "nd4j ") + "n=" + n + " " + cfg,
                                () -> checkSgdw(n, cfg, layout, cpu ? new CpuKernel() : new Nd4jOpKernel(),
                                        DataType.DOUBLE, TOLERANCE)));
                    // the CPU kernel's float32 loop: the same reference in double, to float32 accuracy
                    tests.add(DynamicTest.dynamicTest("cpu float32 n=" + n + " " + cfg,
                            () -> checkSgdw(n, cfg, layout, new CpuKernel(), DataType.FLOAT, 1e-5)));
                }
        return tests;
    }

    static void checkSgdw(int n, io.github.dl4jadamw.SGDW c, int[][] layout, AdamWKernel kernel, DataType type,
                          double tolerance) {
        int off = 5;                                                   // the block starts 5 values into each buffer
        INDArray params = Nd4j.zeros(type, 1, off + n), grads = Nd4j.zeros(type, 1, off + n),
                state = Nd4j.zeros(type, 1, off + n);
        INDArray g = Net.row(grads, off, n), theta = Net.row(params, off, n), m = Net.flat(state, off, n);
        Segments segments = new Segments();
        for (int[] seg : layout) segments.add(seg[0], seg[1], Net.row(params, off + seg[0], seg[1]));
        boolean[] decayed = new boolean[n];
        for (int[] seg : layout) for (int j = 0; j < seg[1]; j++) decayed[seg[0] + j] = true;
        Random rnd = new Random(n);
        double[] refTheta = new double[n], refM = new double[n], refU = new double[n];
        for (int j = 0; j < n; j++) {
            refTheta[j] = rnd.nextGaussian();
            if (type == DataType.FLOAT) refTheta[j] = (float) refTheta[j];   // θ0 as the kernel holds it
        }
        theta.assign(Nd4j.createFromArray(refTheta).reshape(1, n));
        StepScalars scalars = new StepScalars();
        for (int it = 0; it < STEPS; it++) {
            double[] gv = new double[n];
            for (int j = 0; j < n; j++) {
                gv[j] = (j + it) % 11 == 0 ? 0 : Math.pow(10, -3 + j % 5) * rnd.nextGaussian();
                if (type == DataType.FLOAT) gv[j] = (float) gv[j];   // the gradient the kernel sees
            }
            // the reference
            double eta = c.getSchedule() == null ? 1 : c.getSchedule().valueAt(it, 0);
            double lr = c.getLearningRate() * eta, mu = c.getMomentum();
            double d = (c.getDecayConvention() == DecayConvention.LR_COUPLED ? lr : eta) * c.getWeightDecay();
            for (int j = 0; j < n; j++) {
                refM[j] = mu * refM[j] + lr * gv[j];
                double u = c.isNesterov() ? mu * refM[j] + lr * gv[j] : refM[j];
                if (decayed[j]) u += d * refTheta[j];
                refU[j] = u;
                refTheta[j] -= u;
            }
            // the kernel, as SGDWUpdater drives it, then DL4J's θ −= u
            g.assign(Nd4j.createFromArray(gv).reshape(1, n));
            kernel.sgdw(scalars.compute(c, it, 0), g, m, segments);
            params.subi(grads);
            String at = kernel.name() + " n=" + n + " " + c + " step " + it + ": ";
            compare(at + "u", refU, g, tolerance);
            compare(at + "θ", refTheta, theta, tolerance);
            compare(at + "m", refM, m, tolerance);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    static void check(List<BlockSpec> blocks, long seed) {
        check(blocks, seed, DataType.DOUBLE, TOLERANCE);
    }

    static void check(List<BlockSpec> blocks, long seed, DataType type, double tolerance) {
        boolean f32 = type == DataType.FLOAT;
        Net cpu = new Net(blocks, new CpuKernel(), type);
        Net ops = new Net(blocks, new Nd4jOpKernel(), type);
        Reference ref = new Reference(blocks);
        int total = ref.theta.length;
        Random rnd = new Random(seed);
        double[] theta0 = new double[total];
        for (int i = 0; i < total; i++) theta0[i] = f32 ? (float) rnd.nextGaussian() : rnd.nextGaussian();
        cpu.params.assign(Nd4j.createFromArray(theta0).reshape(1, total));
        ops.params.assign(Nd4j.createFromArray(theta0).reshape(1, total));
        System.arraycopy(theta0, 0, ref.theta, 0, total);
        double worst = 0;
        for (int it = 0; it < STEPS; it++) {
            double[] g = new double[total];
            for (int i = 0; i < total; i++) {
                double scale = Math.pow(10, -3 + (i % 5));           // magnitudes 1e-3 .. 10
                g[i] = (i + it) % 11 == 0 ? 0 : scale * rnd.nextGaussian(); // and some zero gradients
                if (f32) g[i] = (float) g[i];                        // the gradient the kernels see
            }
            cpu.step(g, it);
            ops.step(g, it);
            ref.step(g, it);
            String at = blocks + " step " + it + ": ";
            worst = Math.max(worst, compare(at + "cpu u", ref.u, cpu.grads, tolerance));
            worst = Math.max(worst, compare(at + "nd4j u", ref.u, ops.grads, tolerance));
            worst = Math.max(worst, compare(at + "cpu θ", ref.theta, cpu.params, tolerance));
            worst = Math.max(worst, compare(at + "nd4j θ", ref.theta, ops.params, tolerance));
            if (!f32) {   // whole state arrays; in float32 the ND4J-op kernel's m is k·m, compared per array below
                worst = Math.max(worst, compare(at + "cpu state", ref.state, cpu.state, tolerance));
                worst = Math.max(worst, compare(at + "nd4j state", ref.state, ops.state, tolerance));
                worst = Math.max(worst, compare(at + "cpu vs nd4j state", cpu.state.toDoubleVector(), ops.state, tolerance));
            }
            // and each block's m, v (, v̂max) on its own: in the whole state array large m values would hide an error in v
            for (int b = 0, off = 0; b < blocks.size(); b++) {
                int n = blocks.get(b).length;
                INDArray[][] kinds = {{cpu.m[b], ops.m[b]}, {cpu.v[b], ops.v[b]}, {cpu.vmax[b], ops.vmax[b]}};
                // below float64 the ND4J-op kernel stores m as k·m, k = √((1−β2)/(1−fl(β2))) (Nd4jOpKernel's state note)
                double b2 = blocks.get(b).config.getBeta2(), k = f32 ? Math.sqrt((1 - b2) / (1 - (double) (float) b2)) : 1;
                for (int kind = 0; kind < kinds.length && kinds[kind][0] != null; kind++, off += n) {
                    double[] e = Arrays.copyOfRange(ref.state, off, off + n);
                    String what = at + "block " + b + " " + (kind == 0 ? "m" : kind == 1 ? "v" : "vmax");
                    worst = Math.max(worst, compare("cpu " + what, e, kinds[kind][0], tolerance));
                    double scale = kind == 0 ? k : 1;
                    double[] eOps = Arrays.stream(e).map(x -> x * scale).toArray();
                    worst = Math.max(worst, compare("nd4j " + what, eOps, kinds[kind][1], tolerance));
                }
            }
        }
        System.out.printf("kernel parity %s %s: worst relative difference %.2e over %d steps%n", type, blocks, worst,
                STEPS);
    }

    /** max|a − e| / max|e| over the array (absolute when e is all zero); asserts it is within the tolerance. */
    static double compare(String what, double[] expected, INDArray actual) {
        return compare(what, expected, actual, TOLERANCE);
    }

    static double compare(String what, double[] expected, INDArray actual, double tolerance) {
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').toDoubleVector();
        assertEquals(expected.length, a.length, what + ": length");
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - expected[i]);
            if (!(d <= num)) num = d; // NaN propagates
            den = Math.max(den, Math.abs(expected[i]));
        }
        double rel = den == 0 ? num : num / den;
        assertTrue(rel <= tolerance, what + ": relative difference " + rel + " > " + tolerance);
        return rel;
    }

    /** The kernels driven as AdamWUpdater drives them, on views of one flat buffer per kind of array. */
    static final class Net {
        final INDArray params, grads, state;
        final List<BlockSpec> specs;
        final AdamWKernel[] kernels;
        final INDArray[] gradViews, m, v, vmax;
        final Segments[] segments;
        final StepScalars scalars = new StepScalars();

        Net(List<BlockSpec> specs, AdamWKernel first, DataType type) {
            this.specs = specs;
            int total = specs.stream().mapToInt(b -> b.length).sum();
            int stateTotal = specs.stream().mapToInt(b -> b.length * (b.config.isAmsgrad() ? 3 : 2)).sum();
            params = Nd4j.zeros(type, 1, total);
            grads = Nd4j.zeros(type, 1, total);
            state = Nd4j.zeros(type, 1, stateTotal);
            int k = specs.size();
            kernels = new AdamWKernel[k];
            gradViews = new INDArray[k];
            m = new INDArray[k];
            v = new INDArray[k];
            vmax = new INDArray[k];
            segments = new Segments[k];
            int off = 0, stateOff = 0;
            for (int b = 0; b < k; b++) {
                BlockSpec s = specs.get(b);
                int n = s.length;
                kernels[b] = b == 0 ? first : (first instanceof CpuKernel ? new CpuKernel() : new Nd4jOpKernel());
                gradViews[b] = row(grads, off, n);
                m[b] = flat(state, stateOff, n);
                v[b] = flat(state, stateOff + n, n);
                vmax[b] = s.config.isAmsgrad() ? flat(state, stateOff + 2 * n, n) : null;
                segments[b] = new Segments();
                for (int[] seg : s.segments) {
                    INDArray p = row(params, off + seg[0], seg[1]);
                    if (s.twoDimensional && seg[1] % 3 == 0 && seg[1] > 3)
                        p = p.reshape('f', 3, seg[1] / 3);   // like DL4J's [nIn, nOut] weight views
                    segments[b].add(seg[0], seg[1], p);
                }
                off += n;
                stateOff += n * (s.config.isAmsgrad() ? 3 : 2);
            }
        }

        void step(double[] g, int iteration) {
            grads.assign(Nd4j.createFromArray(g).reshape(1, g.length));
            for (int b = 0; b < kernels.length; b++)
                kernels[b].step(scalars.compute(specs.get(b).config, iteration, 0), gradViews[b], m[b], v[b], vmax[b],
                        segments[b]);
            params.subi(grads);  // DL4J's step function
        }

        static INDArray row(INDArray a, long off, long n) {
            return a.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(off, off + n));
        }

        static INDArray flat(INDArray a, long off, long n) {
            return a.reshape(a.length()).get(NDArrayIndex.interval(off, off + n));
        }
    }

    static final class Segments implements DecaySegments {
        final List<long[]> ranges = new ArrayList<>();
        final List<INDArray> params = new ArrayList<>();

        void add(long offset, long length, INDArray param) {
            ranges.add(new long[]{offset, length});
            params.add(param);
        }

        @Override public int count() { return ranges.size(); }
        @Override public long offset(int i) { return ranges.get(i)[0]; }
        @Override public long length(int i) { return ranges.get(i)[1]; }
        @Override public INDArray param(int i) { return params.get(i); }
    }

    /** The naive scalar reference, element by element in double (see the class Javadoc). */
    static final class Reference {
        final List<BlockSpec> specs;
        final double[] theta, u, state;

        Reference(List<BlockSpec> specs) {
            this.specs = specs;
            int total = specs.stream().mapToInt(b -> b.length).sum();
            int stateTotal = specs.stream().mapToInt(b -> b.length * (b.config.isAmsgrad() ? 3 : 2)).sum();
            theta = new double[total];
            u = new double[total];
            state = new double[stateTotal];
        }

        void step(double[] g, int iteration) {
            int off = 0, so = 0;
            for (BlockSpec s : specs) {
                AdamW c = s.config;
                int n = s.length;
                long t = iteration + 1L;
                double eta = c.getSchedule() == null ? 1 : c.getSchedule().valueAt(iteration, 0);
                double lr = c.getLearningRate() * eta;
                double d = (c.getDecayConvention() == DecayConvention.LR_COUPLED ? lr : eta) * c.getWeightDecay();
                double b1 = c.getBeta1(), b2 = c.getBeta2(), eps = c.getEpsilon();
                double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
                boolean[] decayed = new boolean[n];
                for (int[] seg : s.segments) for (int j = 0; j < seg[1]; j++) decayed[seg[0] + j] = true;
                for (int j = 0; j < n; j++) {
                    int mi = so + j, vi = so + n + j, xi = so + 2 * n + j;
                    double gj = g[off + j];
                    state[mi] = b1 * state[mi] + (1 - b1) * gj;
                    state[vi] = b2 * state[vi] + (1 - b2) * gj * gj;
                    double denomV = state[vi];
                    if (c.isAmsgrad()) {
                        state[xi] = Math.max(state[xi], state[vi]);
                        denomV = state[xi];
                    }
                    double uj = (lr / bc1) * state[mi] / (Math.sqrt(denomV) / Math.sqrt(bc2) + eps);
                    if (decayed[j]) uj += d * theta[off + j];
                    u[off + j] = uj;
                    theta[off + j] -= uj;
                }
                off += n;
                so += n * (c.isAmsgrad() ? 3 : 2);
            }
        }
    }
}
