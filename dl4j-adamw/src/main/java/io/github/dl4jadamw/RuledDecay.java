package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.Check;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.List;

/**
 * The per-parameter decision {@link DecayRules#applyTo} writes into one regularization list of a DL4J network, in place
 * of the {@link DecoupledWeightDecay} marker. DL4J hands a regularization only the parameter's flat view, so each
 * parameter is known by its offset in the network's flattened gradient (the key the ledger uses too), and carries its
 * label ("layer 'dense' (index 0), key W") for messages. A list can serve several layers (a list object shared by
 * FineTuneConfiguration), so the entries are the network's, not one layer's.
 */
final class RuledDecay implements DecidedDecay {
    private static final long serialVersionUID = 1L;

    @JsonProperty private final long[] offsets;
    @JsonProperty private final long[] lengths;
    @JsonProperty private final boolean[] decay;
    @JsonProperty private final String[] labels;
    @JsonProperty private final String[] rules;
    @JsonProperty @JsonInclude(JsonInclude.Include.NON_DEFAULT) private final boolean togetherWithDl4j;

    @JsonCreator
    RuledDecay(@JsonProperty("offsets") long[] offsets, @JsonProperty("lengths") long[] lengths,
               @JsonProperty("decay") boolean[] decay, @JsonProperty("labels") String[] labels,
               @JsonProperty("rules") String[] rules, @JsonProperty("togetherWithDl4j") boolean togetherWithDl4j) {
        int n = Check.notNull("offsets", offsets).length;
        if (Check.notNull("lengths", lengths).length != n || Check.notNull("decay", decay).length != n
                || Check.notNull("labels", labels).length != n || Check.notNull("rules", rules).length != n)
            throw new IllegalArgumentException("RuledDecay: offsets, lengths, decay, labels and rules must have one entry "
                    + "per parameter (" + n + " offsets)");
        for (int i = 1; i < n; i++)   // sorted, for the binary search at every step (DecayPass writes them so)
            if (offsets[i] <= offsets[i - 1])
                throw new IllegalArgumentException("RuledDecay: offsets must be strictly increasing, but offsets["
                        + i + "] = " + offsets[i] + " follows " + offsets[i - 1]);
        this.offsets = offsets;
        this.lengths = lengths;
        this.decay = decay;
        this.labels = labels;
        this.rules = rules;
        this.togetherWithDl4j = togetherWithDl4j;
    }

    static RuledDecay of(List<DecayPass.Decision> unordered, boolean togetherWithDl4j) {
        List<DecayPass.Decision> ds = new java.util.ArrayList<>(unordered);
        ds.sort(java.util.Comparator.comparingLong(d -> d.p.offset));
        int n = ds.size();
        long[] off = new long[n], len = new long[n];
        boolean[] dec = new boolean[n];
        String[] lab = new String[n], rul = new String[n];
        for (int i = 0; i < n; i++) {
            DecayPass.Decision d = ds.get(i);
            off[i] = d.p.offset;
            len[i] = d.p.length;
            dec[i] = d.decays;
            lab[i] = d.p.label();
            rul[i] = d.rule;
        }
        return new RuledDecay(off, len, dec, lab, rul, togetherWithDl4j);
    }

    /** Allocation-free: it runs for every marked parameter at every step. */
    private int indexOf(long offset, long length) {
        int i = Arrays.binarySearch(offsets, offset);
        return i >= 0 && lengths[i] == length ? i : -1;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        int i = indexOf(gradView.offset(), gradView.length());
        if (i < 0)
            throw new IllegalStateException("DecayRules: the decision written for " + String.join("; ", labels)
                    + " does not cover the parameter DL4J hands it now (" + gradView.length() + " values at offset "
                    + gradView.offset() + " of the network's gradient): the network changed after the rules were applied"
                    + " (TransferLearning, layers added or removed). Apply the rules to this network again.");
        DecayLedger.forThread().mark(param, gradView, decay[i], iteration, epoch, labels[i]);
    }

    @Override
    public Boolean decays(ParamInfo p) {
        int i = indexOf(p.offset, p.length);
        return i < 0 ? null : decay[i];
    }

    @Override
    public String rule(ParamInfo p) {
        return rules[indexOf(p.offset, p.length)] + " (DecayRules applied)";
    }

    @Override
    public boolean isTogetherWithDl4j() {
        return togetherWithDl4j;
    }

    @Override
    public RuledDecay clone() {
        return this;   // immutable
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RuledDecay)) return false;
        RuledDecay r = (RuledDecay) o;
        return Arrays.equals(offsets, r.offsets) && Arrays.equals(lengths, r.lengths) && Arrays.equals(decay, r.decay)
                && Arrays.equals(labels, r.labels) && Arrays.equals(rules, r.rules) && togetherWithDl4j == r.togetherWithDl4j;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(offsets) * 31 + Arrays.hashCode(decay);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("DecayRules decision(");
        for (int i = 0; i < labels.length; i++)
            s.append(i > 0 ? "; " : "").append(labels[i]).append(decay[i] ? ": decays" : ": no decay");
        return s.append(togetherWithDl4j ? "; together with DL4J's" : "").append(')').toString();
    }
}
