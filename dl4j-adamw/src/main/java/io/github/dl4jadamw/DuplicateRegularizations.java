package io.github.dl4jadamw;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.List;

/**
 * Repairs DL4J 1.0.0-M2.1 configurations whose layers list the same regularization twice.
 *
 * <p>{@code LayerValidation.configureBaseLayer} runs twice per layer while a configuration is built and re-appends
 * every global regularization that is not L1/L2, so DL4J's own {@code .weightDecay(λ)} (a {@code WeightDecay}
 * regularization) is applied twice per step: W shrinks by (1 − lr·λ)² instead of (1 − lr·λ). This utility removes
 * repeated equal entries from every layer's weight and bias regularization lists, so users of DL4J's own
 * {@code weightDecay()} get the decay they asked for. Call it on the configuration before building the network:
 * <pre>{@code
 * MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(new Adam(1e-3)).weightDecay(1e-4)...build();
 * DuplicateRegularizations.repair(conf);
 * MultiLayerNetwork net = new MultiLayerNetwork(conf);
 * }</pre>
 * {@link DecoupledWeightDecay} does not need it (a marker listed twice still means "decay once"), but it is harmless.
 */
public final class DuplicateRegularizations {
    private DuplicateRegularizations() {}

    /** Removes repeated regularizations from every layer; returns how many entries were removed. */
    public static int repair(MultiLayerConfiguration conf) {
        int removed = 0;
        for (NeuralNetConfiguration c : conf.getConfs()) removed += repair(c.getLayer());
        return removed;
    }

    /** Removes repeated regularizations from every layer vertex; returns how many entries were removed. */
    public static int repair(ComputationGraphConfiguration conf) {
        int removed = 0;
        for (GraphVertex v : conf.getVertices().values())
            if (v instanceof LayerVertex) removed += repair(((LayerVertex) v).getLayerConf().getLayer());
        return removed;
    }

    /** Repairs one layer configuration, looking inside frozen, wrapper and bidirectional layers. */
    public static int repair(Layer layer) {
        if (layer instanceof FrozenLayer) return repair(((FrozenLayer) layer).getLayer());
        if (layer instanceof BaseWrapperLayer) return repair(((BaseWrapperLayer) layer).getUnderlying());
        if (layer instanceof Bidirectional)
            return repair(((Bidirectional) layer).getFwd()) + repair(((Bidirectional) layer).getBwd());
        if (!(layer instanceof BaseLayer)) return 0;
        BaseLayer b = (BaseLayer) layer;
        int before = size(b.getRegularization()) + size(b.getRegularizationBias());
        b.setRegularization(distinct(b.getRegularization()));
        b.setRegularizationBias(distinct(b.getRegularizationBias()));
        return before - size(b.getRegularization()) - size(b.getRegularizationBias());
    }

    private static int size(List<?> l) {
        return l == null ? 0 : l.size();
    }

    private static List<Regularization> distinct(List<Regularization> in) {
        if (in == null) return null;
        List<Regularization> out = new ArrayList<>(); // mutable: DL4J appends to these lists in place
        for (Regularization r : in) if (!out.contains(r)) out.add(r);
        return out;
    }
}
