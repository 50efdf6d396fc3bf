package io.github.dl4jadamw;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.function.Supplier;

/**
 * The exponential moving average of a network's weights that AdamW/SGDW keep when configured with
 * {@code .ema(decay)}: updated after each optimizer step (the first copies the weights, later ones do
 * ema ← d·ema + (1 − d)·θ), held in the optimizer state (off-heap, beside M and V), so
 * {@code ModelSerializer.writeModel(net, file, true)} saves it and a restored network continues the same average.
 * PyTorch: {@code torch.optim.swa_utils.AveragedModel} with an EMA {@code avg_fn}, or timm's {@code ModelEmaV2}.
 *
 * <pre>{@code
 * Evaluation e = EmaWeights.with(net, () -> net.evaluate(testIterator));   // evaluate the average, then go on training
 * MultiLayerNetwork averaged = EmaWeights.copyOf(net);                        // or keep a copy holding it
 * }</pre>
 *
 * <p>Which parameters: those stepped by AdamW/SGDW configured with an EMA. Layers with other updaters keep their
 * trained weights in the swap and the copy. BatchNormalization's running mean and variance are not averaged (DL4J
 * keeps them outside the optimizer): the EMA network uses the live running statistics, as
 * {@code AveragedModel(use_buffers=False)} does without a later {@code update_bn}. Before the first optimizer step
 * the average is the weights themselves.
 */
public final class EmaWeights {
    private EmaWeights() {}

    /**
     * Exchanges the network's weights with their EMA: afterwards the network holds the average and the EMA state the
     * trained weights. Call it again to swap back; {@link #with} does both.
     */
    public static void swap(Model net) {
        INDArray params = net.params();
        for (Block b : blocks(net)) {
            INDArray p = params.reshape(params.length()).get(NDArrayIndex.interval(b.start, b.end));
            INDArray trained = p.dup();
            p.assign(b.ema);
            b.ema.assign(trained);
        }
    }

    /** Runs {@code body} with the EMA weights in the network, then puts the trained weights back (also on throw). */
    public static <T> T with(Model net, Supplier<T> body) {
        swap(net);
        try {
            return body.get();
        } finally {
            swap(net);
        }
    }

    /** A copy of the network (configuration, updater state and all) whose weights are the EMA. */
    public static MultiLayerNetwork copyOf(MultiLayerNetwork net) {
        MultiLayerNetwork c = net.clone();
        intoCopy(net, c);
        return c;
    }

    /** A copy of the graph (configuration, updater state and all) whose weights are the EMA. */
    public static ComputationGraph copyOf(ComputationGraph net) {
        ComputationGraph c = net.clone();
        intoCopy(net, c);
        return c;
    }

    private static void intoCopy(Model from, Model to) {
        INDArray params = to.params();
        for (Block b : blocks(from))
            params.reshape(params.length()).get(NDArrayIndex.interval(b.start, b.end)).assign(b.ema);
    }

    /** One updater block with an EMA: its range in the flattened parameters, and its EMA state. */
    private static final class Block {
        final long start, end;
        final INDArray ema;

        Block(long start, long end, INDArray ema) {
            this.start = start;
            this.end = end;
            this.ema = ema;
        }
    }

    /** The blocks holding an EMA that has been updated at least once (none before the first optimizer step). */
    private static java.util.List<Block> blocks(Model net) {
        Updater u;
        int iterations;
        if (net instanceof MultiLayerNetwork) {
            u = ((MultiLayerNetwork) net).getUpdater();
            iterations = ((MultiLayerNetwork) net).getIterationCount();
        } else if (net instanceof ComputationGraph) {
            u = ((ComputationGraph) net).getUpdater();
            iterations = ((ComputationGraph) net).getIterationCount();
        } else {
            throw new IllegalArgumentException("EmaWeights works on MultiLayerNetwork and ComputationGraph, not "
                    + net.getClass().getName());
        }
        java.util.List<Block> out = new java.util.ArrayList<>();
        boolean any = false;
        if (u instanceof BaseMultiLayerUpdater) {
            for (UpdaterBlock b : ((BaseMultiLayerUpdater<?>) u).getUpdaterBlocks()) {
                if (!(b.getGradientUpdater() instanceof DecoupledGradientUpdater)) continue;
                DecoupledGradientUpdater<?> g = (DecoupledGradientUpdater<?>) b.getGradientUpdater();
                DecoupledDecayUpdater c = g.getConfig();
                if (!c.stepOptions().ema()) continue;
                any = true;
                // completed fits → applied optimizer steps; none yet: the average is the weights themselves
                if (iterations / c.getAccumulationSteps() == 0) continue;
                out.add(new Block(b.getParamOffsetStart(), b.getParamOffsetEnd(),
                        g.getState().get(DecoupledGradientUpdater.EMA_STATE)));
            }
        }
        if (!any)
            throw new IllegalStateException("the network keeps no EMA of its weights: configure AdamW/SGDW with "
                    + ".ema(decay) (and add AdamWListener to the network)");
        return out;
    }
}
