package io.github.dl4jadamw;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.List;

/**
 * One trainable array as {@link DecayRules} and {@link DecayTable} see it: where it sits (layer, key, offset in the
 * network's flattened parameters), what it is (kind, shape, rank), and what DL4J will do with it (its updater, the
 * regularization list DL4J applies to it, its updater block).
 */
final class ParamInfo {
    /** Layer (vertex) name; for SameDiff, null. */
    final String layerName;
    /** MultiLayerNetwork layer index; −1 in a ComputationGraph or SameDiff. */
    final int layerIndex;
    /** The layer's configuration (a DL4J {@code conf.layers.Layer}, wrappers included); null for SameDiff. */
    final Object layerConf;
    /** Layer class, wrappers spelled out: "DenseLayer", "Bidirectional(LSTM)"; "" for SameDiff. */
    final String layerType;
    /** DL4J parameter key ("W", "b", "g", "fRW"); for SameDiff, the variable name. */
    final String key;
    /** DL4J's name for it ({@code net.getParam(name)}: "0_W", "dense_W"); for SameDiff, the variable name. */
    final String name;
    final long[] shape;
    /** The rank PyTorch would give it: DL4J stores bias, gain and shift vectors as [1, n]; they count as 1. */
    final int rank;
    /** Null for SameDiff, which has no layers to tell a bias from a weight. */
    final ParamKind kind;
    final IUpdater updater;
    /** The list DL4J (or SameDiff) applies to this parameter; null if it applies none. */
    final List<Regularization> regs;
    final long offset, length;
    /** Index of DL4J's updater block holding it (SameDiff: one per variable). */
    final int block;

    ParamInfo(String layerName, int layerIndex, Object layerConf, String layerType, String key, String name,
              long[] shape, int rank, ParamKind kind, IUpdater updater, List<Regularization> regs, long offset,
              long length, int block) {
        this.layerName = layerName;
        this.layerIndex = layerIndex;
        this.layerConf = layerConf;
        this.layerType = layerType;
        this.key = key;
        this.name = name;
        this.shape = shape;
        this.rank = rank;
        this.kind = kind;
        this.updater = updater;
        this.regs = regs;
        this.offset = offset;
        this.length = length;
        this.block = block;
    }

    boolean isSameDiff() {
        return layerConf == null;
    }

    /** The layer, in the user's words: "layer 'dense' (index 0)", "layer 'att'"; null for SameDiff. */
    String layerLabel() {
        if (isSameDiff()) return null;
        return "layer '" + layerName + "'" + (layerIndex >= 0 ? " (index " + layerIndex + ")" : "");
    }

    /** The parameter, in the user's words: "layer 'dense' (index 0), key W" or "variable 'w1'". */
    String label() {
        return isSameDiff() ? "variable '" + name + "'" : layerLabel() + ", key " + key;
    }

    /** Layer name + '_' + key: what {@link DecayRules#excludeNamesContaining} looks in. */
    String path() {
        return isSameDiff() ? name : layerName + "_" + key;
    }
}
