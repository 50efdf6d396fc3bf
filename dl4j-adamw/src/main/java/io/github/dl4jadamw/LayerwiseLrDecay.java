package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.Check;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Layer-wise learning-rate decay for fine-tuning (ELECTRA, BEiT and their followers): the top of the network trains at
 * the base learning rate α, each group below at {@code factor} times the one above, so the group i steps from the top
 * runs at α·factor^i, on the same schedule. Each layer gets its own {@link AdamW#withLearningRateScale} (a PyTorch
 * parameter group with its own lr); under {@link DecayConvention#LR_COUPLED} its decay follows its own learning rate.
 * Apply it to a configuration before building the network:
 * <pre>{@code
 * MultiLayerConfiguration conf = LayerwiseLrDecay.apply(builder.build(), 0.8);
 * }</pre>
 * It also works on a built network's configuration before the network's first {@code fit} (the updater is created
 * there), e.g. after DL4J's TransferLearning: {@code LayerwiseLrDecay.apply(net.getLayerWiseConfigurations(), 0.8)}.
 * Layers whose updater is not AdamW/SGDW (and layers without parameters) are left as they are. A scaled layer forms
 * an updater block of its own, where a λ that can decay nothing would be refused at the first fit, so a layer keeps
 * its λ where decay can reach it and gets λ = 0 where it cannot:
 * <ul>
 *   <li>it keeps λ where one of its parameters carries the {@link DecoupledWeightDecay} marker or the decision
 *       {@link DecayRules#applyTo} wrote;</li>
 *   <li>where no layer of the network carries either yet (rules to be applied after this), it keeps λ on every layer
 *       DL4J regularizes (apply the rules before the first fit: without a marker or a rule the fit fails, naming
 *       them);</li>
 *   <li>it gets λ = 0 where DL4J regularizes none of its parameters (BatchNormalization), and, where other layers
 *       carry the marker, where it carries none (the marker idiom's "this layer does not decay").</li>
 * </ul>
 */
public final class LayerwiseLrDecay {
    private LayerwiseLrDecay() {}

    /**
     * A MultiLayerNetwork's layers with parameters, one group each: the last keeps α, the one before α·factor, and so
     * on down to the first. Changes {@code conf} in place and returns it.
     *
     * @param factor in (0, 1]
     */
    public static MultiLayerConfiguration apply(MultiLayerConfiguration conf, double factor) {
        check(factor);
        List<Layer> layers = new ArrayList<>();
        for (NeuralNetConfiguration c : conf.getConfs())
            if (hasParameters(c.getLayer())) layers.add(c.getLayer());
        boolean anyMarked = anyMarked(layers);
        for (int i = 0; i < layers.size(); i++)
            scale(layers.get(i), Math.pow(factor, layers.size() - 1 - i), anyMarked);
        return conf;
    }

    /**
     * A ComputationGraph's layers in the groups given from the input side to the output side: the last group keeps α,
     * group i of n gets α·factor^(n − 1 − i). Layers in no group keep α. Changes {@code conf} in place and returns it.
     *
     * @param factor            in (0, 1]
     * @param groupsFromInput   layer names, grouped (e.g. one group per transformer block), input side first
     */
    public static ComputationGraphConfiguration apply(ComputationGraphConfiguration conf, double factor,
                                                      List<List<String>> groupsFromInput) {
        check(factor);
        Check.notNull("groupsFromInput", groupsFromInput);
        Set<String> seen = new HashSet<>();
        List<Layer> all = new ArrayList<>();
        conf.getVertices().forEach((k, v) -> {
            if (v instanceof LayerVertex) all.add(((LayerVertex) v).getLayerConf().getLayer());
        });
        boolean anyMarked = anyMarked(all);
        for (int g = 0; g < groupsFromInput.size(); g++) {
            for (String name : groupsFromInput.get(g)) {
                GraphVertex v = conf.getVertices().get(name);
                if (!(v instanceof LayerVertex))
                    throw new IllegalArgumentException("groupsFromInput names '" + name + "', which is not a layer of "
                            + "the graph (its layers: " + layerNames(conf) + ")");
                if (!seen.add(name))
                    throw new IllegalArgumentException("groupsFromInput names layer '" + name + "' twice");
                scale(((LayerVertex) v).getLayerConf().getLayer(), Math.pow(factor, groupsFromInput.size() - 1 - g),
                        anyMarked);
            }
        }
        return conf;
    }

    private static void check(double factor) {
        if (!(factor > 0 && factor <= 1))
            throw Check.bad("factor", factor, "in (0, 1]: each group below the top trains at factor times the one above");
    }

    private static boolean hasParameters(Layer l) {
        return l != null && l.initializer() != null && !l.initializer().paramKeys(l).isEmpty();
    }

    private static void scale(Layer l, double scale, boolean anyMarked) {
        if (!(l instanceof BaseLayer) || scale == 1) return;
        BaseLayer b = (BaseLayer) l;
        boolean keepDecay = marked(b) || (!anyMarked && regularized(b));
        b.setIUpdater(scaled(b.getIUpdater(), scale, keepDecay));
        if (b.getBiasUpdater() != null) b.setBiasUpdater(scaled(b.getBiasUpdater(), scale, keepDecay));
    }

    private static boolean anyMarked(List<Layer> layers) {
        for (Layer l : layers) if (l instanceof BaseLayer && hasParameters(l) && marked((BaseLayer) l)) return true;
        return false;
    }

    /** Whether one of its parameters carries the marker (include or exclude) or the decision the rules wrote. */
    private static boolean marked(BaseLayer l) {
        for (String p : l.initializer().paramKeys(l)) {
            List<org.nd4j.linalg.learning.regularization.Regularization> regs = l.getRegularizationByParam(p);
            if (regs != null)
                for (Object r : regs)
                    if (r instanceof DecoupledWeightDecay || r instanceof DecidedDecay) return true;
        }
        return false;
    }

    /** Whether DL4J hands any of its parameters to a regularization (BatchNormalization: none). */
    private static boolean regularized(BaseLayer l) {
        for (String p : l.initializer().paramKeys(l)) if (l.getRegularizationByParam(p) != null) return true;
        return false;
    }

    private static IUpdater scaled(IUpdater u, double scale, boolean keepDecay) {
        if (u instanceof AdamW) {
            AdamW a = ((AdamW) u).withLearningRateScale(scale);
            return keepDecay ? a : a.withWeightDecay(0);
        }
        if (u instanceof SGDW) {
            SGDW s = ((SGDW) u).withLearningRateScale(scale);
            return keepDecay ? s : s.withWeightDecay(0);
        }
        return u;
    }

    private static List<String> layerNames(ComputationGraphConfiguration conf) {
        List<String> out = new ArrayList<>();
        conf.getVertices().forEach((k, v) -> {
            if (v instanceof LayerVertex) out.add(k);
        });
        return out;
    }
}
