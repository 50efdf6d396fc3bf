package io.github.dl4jadamw.examples.model;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.File;
import java.io.IOException;
import java.util.Map;

/**
 * What the trainer needs of a network, for a {@link MultiLayerNetwork} and a {@link ComputationGraph} alike
 * (DL4J gives the two no common interface for these calls).
 */
public interface Net {
    void fit(DataSet batch);

    /** The last minibatch's loss as DL4J reports it (data term plus L1/L2 terms). */
    double score();

    /** DL4J iterations (minibatch steps) done so far. */
    int iterationCount();

    void incrementEpochCount();

    /** Output activations (class probabilities) in inference mode. */
    INDArray output(INDArray features);

    Map<String, INDArray> paramTable();

    long numParams();

    /** The L1/L2 terms of the loss at the current parameters (what {@link #score} adds to the data loss). */
    double regularizationScore();

    /** The underlying DL4J model. */
    Model model();

    /** Writes the network with its updater state (DL4J ModelSerializer). */
    default void save(File file) throws IOException {
        ModelSerializer.writeModel(model(), file, true);
    }

    static Net of(MultiLayerNetwork n) {
        return new Net() {
            public void fit(DataSet batch) { n.fit(batch); }
            public double score() { return n.score(); }
            public int iterationCount() { return n.getIterationCount(); }
            public void incrementEpochCount() { n.incrementEpochCount(); }
            public INDArray output(INDArray features) { return n.output(features, false); }
            public Map<String, INDArray> paramTable() { return n.paramTable(); }
            public long numParams() { return n.numParams(); }
            public double regularizationScore() { return n.calcRegularizationScore(true); }
            public Model model() { return n; }
        };
    }

    static Net of(ComputationGraph g) {
        return new Net() {
            public void fit(DataSet batch) { g.fit(batch); }
            public double score() { return g.score(); }
            public int iterationCount() { return g.getIterationCount(); }
            public void incrementEpochCount() { g.incrementEpochCount(); }
            public INDArray output(INDArray features) { return g.output(false, features)[0]; }
            public Map<String, INDArray> paramTable() { return g.paramTable(); }
            public long numParams() { return g.numParams(); }
            public double regularizationScore() { return g.calcRegularizationScore(true); }
            public Model model() { return g; }
        };
    }
}
