package io.github.dl4jadamw;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every trainable parameter of a network (layer, key, shape) with whether decoupled decay applies to it and which rule
 * decided, as the network will train. {@link #of} reads what the configuration says now (the
 * {@link DecoupledWeightDecay} markers, or a decision {@link DecayRules#applyTo} wrote) and checks it; the check is
 * the one that names layers and keys, so call it (or {@code applyTo}) after {@code init()}, before training:
 * <ul>
 *   <li>the marker and DL4J's own WeightDecay/L2/L1 on the same parameter (decay twice) fails, unless stated with
 *       {@link DecoupledWeightDecay#togetherWith};</li>
 *   <li>decay asked for on a parameter whose updater is not AdamW/AdamWR/SGDW/SGDWR fails (it would not happen);</li>
 *   <li>an AdamW block with λ &gt; 0 and no marked parameter fails (the first fit would fail there);</li>
 *   <li>one whose marked parameters are all excluded trains without decay: logged, and in {@link #notes()}.</li>
 * </ul>
 * Nothing in the network changes ({@code of} creates the network's updater, as the first {@code fit} would).
 */
public final class DecayTable {
    /** One parameter. */
    public static final class Row {
        private final String layer, layerType, key, name, kind, updater, rule, dl4j;
        private final int layerIndex, rank;
        private final long[] shape;
        private final boolean decays;

        Row(ParamInfo p, String updater, boolean decays, String rule, String dl4j) {
            this.layer = p.layerName;
            this.layerIndex = p.layerIndex;
            this.layerType = p.layerType;
            this.key = p.key;
            this.name = p.name;
            this.shape = p.shape.clone();
            this.rank = p.rank;
            this.kind = p.kind == null ? "" : p.kind.name();
            this.updater = updater;
            this.decays = decays;
            this.rule = rule;
            this.dl4j = dl4j;
        }

        /** Layer (vertex) name; null for SameDiff. */
        public String layer() { return layer; }
        /** MultiLayerNetwork layer index, else −1. */
        public int layerIndex() { return layerIndex; }
        public String layerType() { return layerType; }
        /** DL4J parameter key ("W"); SameDiff: the variable name. */
        public String key() { return key; }
        /** DL4J's parameter name ({@code net.getParam(name)}); SameDiff: the variable name. */
        public String name() { return name; }
        public long[] shape() { return shape.clone(); }
        /** Rank as PyTorch would give it: DL4J's [1, n] bias/gain/shift vectors count as 1. */
        public int rank() { return rank; }
        /** {@link ParamKind} name; "" for SameDiff. */
        public String kind() { return kind; }
        /** The updater and its λ, e.g. "AdamW λ=0.01", "Adam", "NoOp". */
        public String updater() { return updater; }
        public boolean decays() { return decays; }
        /** Which rule decided, in words. */
        public String rule() { return rule; }
        /** DL4J's own regularizations applied to it too (e.g. "L2Regularization(1.0E-4)"), or "". */
        public String dl4jRegularization() { return dl4j; }
    }

    private final String source;
    private final List<Row> rows;
    private final List<String> notes;

    DecayTable(String source, List<Row> rows, List<String> notes) {
        this.source = source;
        this.rows = Collections.unmodifiableList(new ArrayList<>(rows));
        this.notes = Collections.unmodifiableList(new ArrayList<>(notes));
    }

    /** What this network's configuration decides, checked. */
    public static DecayTable of(MultiLayerNetwork net) {
        DecayTable t = DecayPass.read(NetworkParams.of(net), "MultiLayerNetwork");
        CheckedNetworks.add(net.params());
        return t;
    }

    /** What this graph's configuration decides, checked; layers are named by vertex. */
    public static DecayTable of(ComputationGraph net) {
        DecayTable t = DecayPass.read(NetworkParams.of(net), "ComputationGraph");
        CheckedNetworks.add(net.params());
        return t;
    }

    /** What this SameDiff's training configuration decides, checked (call after {@code setTrainingConfig}). */
    public static DecayTable of(SameDiff sd) {
        return SameDiffDecay.read(sd);
    }

    public List<Row> rows() {
        return rows;
    }

    /** Names ({@link Row#name()}) of the parameters that decay, in the network's order. */
    public Set<String> decayed() {
        Set<String> s = new LinkedHashSet<>();
        for (Row r : rows) if (r.decays) s.add(r.name);
        return s;
    }

    /** What the check found worth saying that is not an error (e.g. an AdamW block that trains without decay). */
    public List<String> notes() {
        return notes;
    }

    /** The table as aligned text, one line per parameter, then the notes. */
    @Override
    public String toString() {
        boolean sameDiff = !rows.isEmpty() && rows.get(0).layer == null;
        List<String[]> lines = new ArrayList<>();
        lines.add(sameDiff ? new String[]{"variable", "shape", "rank", "updater", "decays", "rule", "also DL4J's"}
                : new String[]{"layer", "type", "key", "name", "shape", "rank", "kind", "updater", "decays", "rule",
                "also DL4J's"});
        for (Row r : rows) {
            String shape = Arrays.toString(r.shape), decays = r.decays ? "yes" : "no";
            lines.add(sameDiff ? new String[]{r.name, shape, String.valueOf(r.rank), r.updater, decays, r.rule, r.dl4j}
                    : new String[]{r.layer + (r.layerIndex >= 0 ? " (" + r.layerIndex + ")" : ""), r.layerType, r.key,
                    r.name, shape, String.valueOf(r.rank), r.kind, r.updater, decays, r.rule, r.dl4j});
        }
        int[] width = new int[lines.get(0).length];
        for (String[] l : lines) for (int i = 0; i < l.length; i++) width[i] = Math.max(width[i], l[i].length());
        StringBuilder s = new StringBuilder("Decoupled weight decay, ").append(source).append(":\n");
        for (String[] l : lines) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < l.length; i++) {
                line.append(l[i]);
                if (i < l.length - 1) line.append(" ".repeat(width[i] - l[i].length() + 2));
            }
            s.append(line.toString().replaceAll("\\s+$", "")).append('\n');
        }
        for (String n : notes) s.append("note: ").append(n).append('\n');
        return s.toString();
    }
}
