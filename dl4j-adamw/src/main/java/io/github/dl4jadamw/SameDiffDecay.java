package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.Check;
import io.github.dl4jadamw.internal.kernel.Buffers;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link DecayTable} and {@link DecayRules} for SameDiff. SameDiff applies one regularization list to every trainable
 * variable (floating-point {@code VARIABLE}s), each with its own updater; rules decide per variable name and rank, and the
 * decision (this class, as a {@link Regularization}) replaces the marker in the training configuration's list.
 *
 * <p>SameDiff hands a regularization the variable's array, not its name, so the decision recognizes each variable by
 * its array, registered when the rules are applied (weakly: nothing is kept alive). A SameDiff loaded from a file, or a
 * variable given a new array, has arrays the decision does not know: its first step fails, naming the variable's shape,
 * and asks for the rules to be applied again.
 */
final class SameDiffDecay implements DecidedDecay {
    private static final long serialVersionUID = 1L;

    @JsonProperty private final String[] names;
    @JsonProperty private final boolean[] decay;
    @JsonProperty private final String[] rules;
    @JsonProperty @JsonInclude(JsonInclude.Include.NON_DEFAULT) private final boolean togetherWithDl4j;
    /** The arrays of the variables, in {@link #names} order; not serialized. */
    @JsonIgnore private transient List<WeakReference<DataBuffer>> arrays = new ArrayList<>();

    @JsonCreator
    SameDiffDecay(@JsonProperty("names") String[] names, @JsonProperty("decay") boolean[] decay,
                  @JsonProperty("rules") String[] rules, @JsonProperty("togetherWithDl4j") boolean togetherWithDl4j) {
        int n = Check.notNull("names", names).length;
        if (Check.notNull("decay", decay).length != n || Check.notNull("rules", rules).length != n)
            throw new IllegalArgumentException("SameDiffDecay: names, decay and rules must have one entry per variable");
        this.names = names;
        this.decay = decay;
        this.rules = rules;
        this.togetherWithDl4j = togetherWithDl4j;
    }

    // ---- the pass ----

    static DecayTable read(SameDiff sd) {
        List<ParamInfo> params = params(sd);
        DecayTable t = DecayPass.read(params, "SameDiff");
        markChecked(sd, params);
        return t;
    }

    static DecayTable apply(SameDiff sd, DecayRules rules) {
        List<ParamInfo> params = params(sd);
        DecayPass.fail(rules.problems(params, true));
        List<String> errors = new ArrayList<>(), notes = new ArrayList<>();
        List<DecayPass.Decision> ds = DecayPass.decide(params, rules, errors, notes);
        DecayPass.fail(errors);
        TrainingConfig tc = sd.getTrainingConfig();
        List<Regularization> old = tc.getRegularization();
        int n = ds.size();
        String[] names = new String[n], rul = new String[n];
        boolean[] dec = new boolean[n];
        for (int i = 0; i < n; i++) {
            names[i] = ds.get(i).p.name;
            dec[i] = ds.get(i).decays;
            rul[i] = ds.get(i).rule;
        }
        SameDiffDecay written = new SameDiffDecay(names, dec, rul, DecayPass.togetherWithDl4j(old));
        for (String name : names) written.arrays.add(new WeakReference<>(Buffers.root(sd.getArrForVarName(name))));
        List<Regularization> regs = new ArrayList<>();
        if (old != null) for (Regularization r : old) if (!DecayPass.isIncludeMark(r)) regs.add(r);
        regs.add(written);
        tc.setRegularization(regs);
        markChecked(sd, params);
        return DecayPass.table("SameDiff, rules " + rules, ds, notes);
    }

    private static void markChecked(SameDiff sd, List<ParamInfo> params) {
        for (ParamInfo p : params) CheckedNetworks.add(sd.getArrForVarName(p.name));
    }

    private static List<ParamInfo> params(SameDiff sd) {
        TrainingConfig tc = sd.getTrainingConfig();
        if (tc == null)
            throw new IllegalStateException("SameDiff has no training configuration: call setTrainingConfig(...) first");
        List<ParamInfo> out = new ArrayList<>();
        // SameDiff applies this one list to every trainable variable; none is "not regularizable"
        List<Regularization> regs = tc.getRegularization() != null ? tc.getRegularization() : new ArrayList<>();
        int i = 0;
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() != VariableType.VARIABLE || !v.dataType().isFPType()) continue;
            INDArray a = sd.getArrForVarName(v.name());
            long[] shape = a.shape();
            out.add(new ParamInfo(null, -1, null, "", v.name(), v.name(), shape, shape.length, null, tc.getUpdater(),
                    regs, 0, a.length(), i++));
        }
        return out;
    }

    // ---- the decision at run time ----

    private int indexOf(INDArray param) {
        DataBuffer b = Buffers.root(param);
        for (int i = 0; i < arrays.size(); i++) if (arrays.get(i).get() == b) return i;
        return -1;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        int i = indexOf(param);
        if (i < 0)
            throw new IllegalStateException("DecayRules: the decision written for this SameDiff (variables "
                    + String.join(", ", names) + ") does not know the array of shape " + Arrays.toString(param.shape())
                    + " SameDiff hands it now: the SameDiff was loaded, or a variable was given a new array, after the "
                    + "rules were applied. Apply the rules to it again (rules.applyTo(sd)).");
        DecayLedger.forThread().mark(param, gradView, decay[i], iteration, epoch, "variable '" + names[i] + "'");
    }

    private int indexOf(String name) {
        for (int i = 0; i < names.length; i++) if (names[i].equals(name)) return i;
        return -1;
    }

    @Override
    public Boolean decays(ParamInfo p) {
        int i = indexOf(p.name);
        return i < 0 ? null : decay[i];
    }

    @Override
    public String rule(ParamInfo p) {
        return rules[indexOf(p.name)] + " (DecayRules applied)";
    }

    @Override
    public boolean isTogetherWithDl4j() {
        return togetherWithDl4j;
    }

    @Override
    public Regularization clone() {
        return this;   // immutable but for the array registry, which a copy must share
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        arrays = new ArrayList<>();   // a deserialized SameDiff has new arrays: apply the rules again
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SameDiffDecay)) return false;
        SameDiffDecay s = (SameDiffDecay) o;
        return Arrays.equals(names, s.names) && Arrays.equals(decay, s.decay) && Arrays.equals(rules, s.rules)
                && togetherWithDl4j == s.togetherWithDl4j;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(names) * 31 + Arrays.hashCode(decay);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("DecayRules decision(");
        for (int i = 0; i < names.length; i++) s.append(i > 0 ? "; " : "").append(names[i]).append(decay[i] ? ": decays" : ": no decay");
        return s.append(')').toString();
    }
}
