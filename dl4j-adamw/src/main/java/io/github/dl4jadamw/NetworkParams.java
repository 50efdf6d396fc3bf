package io.github.dl4jadamw;

import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Every parameter of a DL4J network, read from the network's own updater blocks: the same parameters, offsets and
 * blocks DL4J's updater walks at each step (the updater is created as {@code fit} would create it).
 */
final class NetworkParams {
    private NetworkParams() {}

    static List<ParamInfo> of(MultiLayerNetwork net) {
        requireInit(net.params(), "MultiLayerNetwork");
        return read((BaseMultiLayerUpdater<?>) net.getUpdater(), true);
    }

    static List<ParamInfo> of(ComputationGraph net) {
        requireInit(net.params(), "ComputationGraph");
        return read(net.getUpdater(), false);
    }

    private static void requireInit(INDArray params, String what) {
        if (params == null)
            throw new IllegalStateException(what + " is not initialized: call init() first");
    }

    private static List<ParamInfo> read(BaseMultiLayerUpdater<?> updater, boolean multiLayer) {
        List<ParamInfo> out = new ArrayList<>();
        List<UpdaterBlock> blocks = updater.getUpdaterBlocks();
        for (int b = 0; b < blocks.size(); b++)
            for (UpdaterBlock.ParamState p : blocks.get(b).getLayersAndVariablesInBlock()) {
                Trainable t = p.getLayer();
                TrainingConfig tc = t.getConfig();
                String key = p.getParamName();
                int index = multiLayer && t instanceof org.deeplearning4j.nn.api.Layer
                        ? ((org.deeplearning4j.nn.api.Layer) t).getIndex() : -1;
                INDArray shaped = t.paramTable(false).get(key);
                long[] shape = shaped != null ? shaped.shape() : new long[]{p.getParamOffsetEnd() - p.getParamOffsetStart()};
                ParamKind kind = tc instanceof Layer ? kind((Layer) tc, key) : ParamKind.OTHER;
                String name = (index >= 0 ? String.valueOf(index) : tc.getLayerName()) + "_" + key;
                out.add(new ParamInfo(tc.getLayerName(), index, tc, type(tc), key, name, shape, rank(kind, shape), kind,
                        tc.getUpdaterByParam(key), tc.getRegularizationByParam(key), p.getParamOffsetStart(),
                        p.getParamOffsetEnd() - p.getParamOffsetStart(), b));
            }
        return out;
    }

    /** Vectors DL4J stores as [1, n] count as rank 1; other arrays have the rank of their shape. */
    static int rank(ParamKind kind, long[] shape) {
        switch (kind) {
            case BIAS: case LAYER_NORM_GAIN: case BATCH_NORM_GAIN: case BATCH_NORM_SHIFT: case RUNNING_STATISTIC:
                return 1;
            default:
                return shape.length;
        }
    }

    /** Kind from the (unwrapped) layer class and key; see {@link ParamKind}. */
    static ParamKind kind(Layer conf, String key) {
        if (conf instanceof FrozenLayer) return kind(((FrozenLayer) conf).getLayer(), key);
        if (conf instanceof FrozenLayerWithBackprop) return kind(((FrozenLayerWithBackprop) conf).getUnderlying(), key);
        if (conf instanceof BaseWrapperLayer) return kind(((BaseWrapperLayer) conf).getUnderlying(), key);
        if (conf instanceof Bidirectional)   // keys "fW", "bRW", ...: a prefix for the direction
            return kind(((Bidirectional) conf).getFwd(), key.substring(1));
        if (conf instanceof BatchNormalization)
            return key.equals("gamma") ? ParamKind.BATCH_NORM_GAIN
                    : key.equals("beta") ? ParamKind.BATCH_NORM_SHIFT : ParamKind.RUNNING_STATISTIC;
        if (conf instanceof PReLULayer) return ParamKind.OTHER;
        if ((conf instanceof DenseLayer || conf instanceof SimpleRnn) && key.equals("g")) return ParamKind.LAYER_NORM_GAIN;
        if (conf.initializer().isBiasParam(conf, key)) return ParamKind.BIAS;
        if (conf instanceof EmbeddingLayer || conf instanceof EmbeddingSequenceLayer) return ParamKind.EMBEDDING;
        if (conf.initializer().isWeightParam(conf, key)) return ParamKind.WEIGHT;
        return ParamKind.OTHER;
    }

    /** "DenseLayer", "FrozenLayer(DenseLayer)", "Bidirectional(LSTM)". */
    static String type(Object conf) {
        String s = conf.getClass().getSimpleName();
        Object inner = inner(conf);
        return inner == null ? s : s + "(" + type(inner) + ")";
    }

    /** The wrapped layer configuration, or null. */
    static Object inner(Object conf) {
        if (conf instanceof FrozenLayer) return ((FrozenLayer) conf).getLayer();
        if (conf instanceof FrozenLayerWithBackprop) return ((FrozenLayerWithBackprop) conf).getUnderlying();
        if (conf instanceof BaseWrapperLayer) return ((BaseWrapperLayer) conf).getUnderlying();
        if (conf instanceof Bidirectional) return ((Bidirectional) conf).getFwd();
        return null;
    }
}
