package io.github.dl4jadamw.bench;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.NonFiniteGradients;
import io.github.dl4jadamw.internal.StepScalars;
import io.github.dl4jadamw.internal.kernel.AdamWKernel;
import io.github.dl4jadamw.internal.kernel.CpuKernel;
import io.github.dl4jadamw.internal.kernel.DecaySegments;
import io.github.dl4jadamw.internal.kernel.FiniteScan;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One optimizer step over a parameter set, as DL4J runs it: per updater block the BEFORE_UPDATER regularizations,
 * the updater ({@code applyUpdater} turns the gradient view into the update), the POST_UPDATER regularizations; then
 * the step function's {@code params -= update} once over the flattened parameters (as
 * {@code StochasticGradientDescent} does: blocks are views of one flat parameter and one flat gradient array).
 *
 * <p>Variants ({@code -p variant=...}):
 * <ul>
 *   <li>{@code adamw-cpu}: our AdamW, CPU kernel: {@link DecoupledWeightDecay#apply} (the decay marker), then
 *       {@code AdamWUpdater.applyUpdater}, then {@code params -= update};</li>
 *   <li>{@code adamw-nd4j}: the same with the ND4J-op kernel ({@code -Dadamw.kernel=nd4j}, the path CUDA runs);</li>
 *   <li>{@code adamw-cpu-unchecked}, {@code adamw-nd4j-unchecked}: the same two under
 *       {@link NonFiniteGradients#UNCHECKED} (no NaN/Inf scan, as PyTorch and DL4J);</li>
 *   <li>{@code adamw-cpu-updater}: {@code adamw-cpu} without {@code params -= update}: the updater alone, to read
 *       its own allocation per step (the step function's {@code subi} allocates ND4J op objects);</li>
 *   <li>{@code adamw-cpu-kernel}: {@link CpuKernel#step} alone on each block, scalars computed per block as the updater
 *       does: the kernel's own time and allocation, without the updater's per-step checks;</li>
 *   <li>{@code adamw-cpu-scan}: {@link FiniteScan} over the flat gradient (the once-per-step NaN/Inf check),
 *       {@link CpuKernel#step} per block, {@code params -= update}: {@code adamw-cpu} without the updater's own
 *       bookkeeping (decay marker, ledger, checks);</li>
 *   <li>{@code dl4j-adam}: DL4J's {@link Adam}, then {@code params -= update};</li>
 *   <li>{@code dl4j-adam-wd}: DL4J's Adam, then {@code WeightDecay(λ, applyLR=true).apply(param, update, lr, ...)}
 *       on the decayed blocks, then {@code params -= update} (what {@code .updater(new Adam()).weightDecay(λ)} runs,
 *       minus DL4J's duplicate application);</li>
 *   <li>{@code dl4j-adam-wd-built}: the same with the regularization list DL4J 1.0.0-M2.1 actually builds for
 *       {@code .updater(new Adam()).weightDecay(λ)}, taken from a real configuration: it holds the WeightDecay twice
 *       (DL4J's duplicate, README "DL4J's own weightDecay"), so this is the step DL4J users run today;</li>
 *   <li>{@code copy}: {@code dst.assign(src)} over all N values: the memory-bandwidth yardstick.</li>
 * </ul>
 * The gradient is not refilled between steps (Adam's cost does not depend on the values; the update written into it
 * keeps it finite and of gradient size). Left out of every variant alike: DL4J's {@code divideByMinibatch} pass
 * (gradient /= batch size, before the updaters; one more libnd4j pass, about 0.25 ns/parameter at 16.7M here), so the
 * ratios are a little further from 1 than those of a whole training step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StepBenchmark {
    static final double LR = 1e-3, WEIGHT_DECAY = 0.01;

    @Param({"adamw-cpu", "adamw-nd4j", "adamw-cpu-unchecked", "adamw-nd4j-unchecked", "adamw-cpu-updater",
            "adamw-cpu-kernel", "adamw-cpu-scan", "dl4j-adam", "dl4j-adam-wd", "dl4j-adam-wd-built", "copy"})
    public String variant;

    @Param({"16M", "16.7M", "1M", "resnet"})
    public String shape;

    @Param({"FLOAT"})
    public String dtype;

    private INDArray params, grads, copySrc, copyDst;
    private INDArray[] paramViews, gradViews, gradViewsAgain;
    private boolean[] decayed;
    private GradientUpdater<?>[] updaters;
    private final Regularization marker = DecoupledWeightDecay.allArrays();
    /** The post-updater regularizations of dl4j-adam-wd (one WeightDecay) or dl4j-adam-wd-built (DL4J's list). */
    private List<Regularization> dl4jDecay;
    private IUpdater dl4jAdam;
    private AdamW[] configs;
    private AdamWKernel[] kernels;
    private INDArray[] m, v;
    private DecaySegments[] segments;
    private final StepScalars scalars = new StepScalars();
    private int iteration;

    @Setup
    public void setup() throws ReflectiveOperationException {
        DataType dt = DataType.valueOf(dtype);
        List<Shapes.Block> blocks = Shapes.of(shape);
        long n = Shapes.total(shape);
        Nd4j.getRandom().setSeed(42);
        if (variant.equals("copy")) {
            copySrc = Nd4j.rand(dt, 1, n);
            copyDst = Nd4j.create(dt, 1, n);
            return;
        }
        String kernel = variant.startsWith("adamw-nd4j") ? "nd4j" : "cpu";
        System.setProperty("adamw.kernel", kernel);
        params = Nd4j.rand(dt, 1, n).subi(0.5);
        grads = Nd4j.randn(dt, 1, n).muli(1e-2);
        boolean ours = variant.startsWith("adamw");
        AdamW adamw = AdamW.builder().learningRate(LR).weightDecay(WEIGHT_DECAY).nonFiniteGradients(
                variant.endsWith("-unchecked") ? NonFiniteGradients.UNCHECKED : NonFiniteGradients.FAIL).build();
        dl4jAdam = new Adam(LR);
        dl4jDecay = variant.equals("dl4j-adam-wd-built") ? dl4jWeightDecayAsBuilt()
                : List.of(new WeightDecay(WEIGHT_DECAY, true));
        int k = blocks.size();
        paramViews = new INDArray[k];
        gradViews = new INDArray[k];
        gradViewsAgain = new INDArray[k];
        decayed = new boolean[k];
        updaters = new GradientUpdater[k];
        configs = new AdamW[k];
        kernels = new AdamWKernel[k];
        m = new INDArray[k];
        v = new INDArray[k];
        segments = new DecaySegments[k];
        // one flat state array with a view per block, as DL4J's BaseMultiLayerUpdater lays it out
        long stateLength = 2 * n;
        INDArray state = Nd4j.zeros(dt, 1, stateLength);
        long off = 0;
        for (int b = 0; b < k; b++) {
            Shapes.Block blk = blocks.get(b);
            long len = blk.length;
            decayed[b] = blk.decayed;
            paramViews[b] = params.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(off, off + len));
            gradViews[b] = grads.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(off, off + len));
            gradViewsAgain[b] = gradViews[b].reshape(len);
            INDArray stateView = state.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(2 * off, 2 * (off + len)));
            IUpdater cfg = ours ? (blk.decayed ? adamw : adamw.withWeightDecay(0)) : dl4jAdam;
            if (variant.equals("adamw-cpu-kernel") || variant.equals("adamw-cpu-scan")) {
                configs[b] = (AdamW) cfg;
                kernels[b] = new CpuKernel();
                INDArray flatState = stateView.reshape(stateView.length());
                m[b] = flatState.get(NDArrayIndex.interval(0, len));
                v[b] = flatState.get(NDArrayIndex.interval(len, 2 * len));
                segments[b] = new WholeBlock(blk.decayed ? paramViews[b] : null);
            } else {
                updaters[b] = cfg.instantiate(stateView, true);
            }
            off += len;
        }
        step(); // first step: chooses the kernel
        if (ours && updaters[0] != null) {
            // the updater class is package-private in the library: ask it by reflection which kernel it ran
            java.lang.reflect.Method kernelName = updaters[0].getClass().getMethod("kernelName");
            kernelName.setAccessible(true);
            String chosen = (String) kernelName.invoke(updaters[0]);
            String expected = kernel.equals("cpu") ? "cpu" : "nd4j-ops";
            if (!chosen.equals(expected))
                throw new IllegalStateException("variant " + variant + " runs kernel " + chosen + ", not " + expected);
        }
    }

    @Benchmark
    public void step(AllocCounter alloc) {
        alloc.beforeStep();
        step();
        alloc.afterStep();
    }

    void step() {
        int it = iteration++;
        switch (variant) {
            case "adamw-cpu":
            case "adamw-nd4j":
            case "adamw-cpu-unchecked":
            case "adamw-nd4j-unchecked":
                adamw(it);
                params.subi(grads);
                break;
            case "adamw-cpu-updater":
                adamw(it);
                break;
            case "adamw-cpu-kernel":
                kernels(it);
                break;
            case "adamw-cpu-scan":
                if (FiniteScan.firstNonFinite(grads) >= 0) throw new IllegalStateException("non-finite gradient");
                kernels(it);
                params.subi(grads);
                break;
            case "dl4j-adam":
                for (int b = 0; b < updaters.length; b++) updaters[b].applyUpdater(asUpdaterBlockPasses(b), it, 0);
                params.subi(grads);
                break;
            case "dl4j-adam-wd":
            case "dl4j-adam-wd-built":
                double lr = dl4jAdam.getLearningRate(it, 0);
                for (int b = 0; b < updaters.length; b++) {
                    updaters[b].applyUpdater(asUpdaterBlockPasses(b), it, 0);
                    if (decayed[b])
                        for (Regularization r : dl4jDecay) r.apply(paramViews[b], gradViews[b], lr, it, 0);
                }
                params.subi(grads);
                break;
            case "copy":
                copyDst.assign(copySrc);
                break;
            default:
                throw new IllegalArgumentException("variant " + variant + " is unknown");
        }
    }

    /** The weights' regularization list of a layer configured with {@code .updater(new Adam()).weightDecay(λ)}. */
    static List<Regularization> dl4jWeightDecayAsBuilt() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(new Adam(LR))
                .weightDecay(WEIGHT_DECAY).list().layer(new DenseLayer.Builder().nIn(2).nOut(2).build()).build();
        List<Regularization> regs = ((BaseLayer) conf.getConf(0).getLayer()).getRegularization();
        for (Regularization r : regs)
            if (r.applyStep() != Regularization.ApplyStep.POST_UPDATER)
                throw new IllegalStateException("expected only post-updater WeightDecay, DL4J built " + regs);
        return regs;
    }

    /**
     * The kernels alone, on a different (but equivalent) gradient view object every step, as DL4J hands them: the
     * kernels' view caches must not depend on the object, and the two views are made once, so this allocates nothing.
     */
    private void kernels(int it) {
        INDArray[] g = (it & 1) == 0 ? gradViews : gradViewsAgain;
        for (int b = 0; b < kernels.length; b++)
            kernels[b].step(scalars.compute(configs[b], it, 0), g[b], m[b], v[b], null, segments[b]);
    }

    private void adamw(int it) {
        for (int b = 0; b < updaters.length; b++) {
            if (decayed[b]) marker.apply(paramViews[b], gradViews[b], LR, it, 0);   // BEFORE_UPDATER
            updaters[b].applyUpdater(asUpdaterBlockPasses(b), it, 0);              // g := u
        }
    }

    /**
     * The gradient as DL4J's UpdaterBlock passes it to the updater: a new rank-1 reshape of the block's gradient view,
     * every step (its regularizations get the stored view itself). Its allocation counts in every updater variant.
     */
    private INDArray asUpdaterBlockPasses(int b) {
        return gradViews[b].reshape(gradViews[b].length());
    }

    /** The whole block decayed (a parameter view), or nothing. */
    private static final class WholeBlock implements DecaySegments {
        private final INDArray param;

        WholeBlock(INDArray param) {
            this.param = param;
        }

        @Override public int count() { return param == null ? 0 : 1; }
        @Override public long offset(int i) { return 0; }
        @Override public long length(int i) { return param.length(); }
        @Override public INDArray param(int i) { return param; }
    }
}
