package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.Check;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which parameters decoupled decay applies to, stated once for a whole network, as recipes state it: by parameter kind,
 * by rank (shape), by layer or parameter name, by layer class, by parameter key, and combinations. A parameter decays
 * when the starting set ({@link #all()} or {@link #kinds}) holds it and no exclusion matches it: exclusion wins, and a
 * {@link DecoupledWeightDecay#excluded()} marker on a layer stays an exclusion.
 *
 * <pre>{@code
 * MultiLayerNetwork net = new MultiLayerNetwork(conf);   // conf: .updater(adamw), the marker optional
 * net.init();
 * DecayTable table = DecayRules.huggingFace().applyTo(net);   // checks, writes the decision into the configuration
 * log.info("\n{}", table);                                     // every parameter: decays or not, and why
 * }</pre>
 *
 * {@link #applyTo} writes the decision, parameter by parameter, into the layers' regularization lists (replacing the
 * {@link DecoupledWeightDecay} markers), so it travels with the configuration: JSON, {@code ModelSerializer},
 * {@code clone()}, ParallelWrapper and Spark copies. The decision is tied to the network's parameter layout: after
 * changing layers (TransferLearning), apply the rules to the new network; a stale decision fails at its first step.
 *
 * <p>Bad rules fail in {@code applyTo}, before anything changes: a name, key or layer class that matches nothing; a
 * rule asking to decay a parameter DL4J hands to no regularization (BatchNormalization γ/β), or whose updater is not
 * AdamW/AdamWR/SGDW/SGDWR, or that carries DL4J's own WeightDecay/L2/L1 too (see
 * {@link DecoupledWeightDecay#togetherWith}). An AdamW block with λ &gt; 0 whose parameters the rules all exclude trains
 * without decay; {@code applyTo} logs it and {@link DecayTable#notes()} says so.
 *
 * <p>Immutable: every method returns new rules.
 */
public final class DecayRules {
    /** Null = every trained parameter ({@link #all()}). */
    private final Set<ParamKind> kinds;
    private final List<Exclusion> exclusions;
    private final String name;

    private DecayRules(Set<ParamKind> kinds, List<Exclusion> exclusions, String name) {
        this.kinds = kinds;
        this.exclusions = Collections.unmodifiableList(exclusions);
        this.name = name;
    }

    // ---- starting sets ----

    /** Every trained parameter (PyTorch's AdamW without parameter groups; Keras's AdamW before exclusions). */
    public static DecayRules all() {
        return new DecayRules(null, new ArrayList<>(), null);
    }

    /** Parameters of these kinds, e.g. {@code kinds(ParamKind.WEIGHT)}. Not for SameDiff. */
    public static DecayRules kinds(ParamKind... kinds) {
        Check.notNull("kinds", kinds);
        if (kinds.length == 0) throw new IllegalArgumentException("kinds is empty: name at least one ParamKind");
        return new DecayRules(EnumSet.copyOf(Arrays.asList(kinds)), new ArrayList<>(), null);
    }

    // ---- presets ----

    /**
     * Hugging Face ({@code no_decay = ["bias", "LayerNorm.weight"]}): everything except biases (BatchNormalization's
     * β is PyTorch's {@code bias} too) and layer-norm gains. BatchNormalization γ decays by that rule, which DL4J
     * cannot do: on such a network add {@code .exclude(ParamKind.BATCH_NORM_GAIN)}.
     */
    public static DecayRules huggingFace() {
        return all().exclude(ParamKind.BIAS, ParamKind.BATCH_NORM_SHIFT, ParamKind.LAYER_NORM_GAIN)
                .named("huggingFace()");
    }

    /** minGPT: weights of dense (Linear), convolution, recurrent and attention layers; no biases, norms, embeddings. */
    public static DecayRules minGpt() {
        return kinds(ParamKind.WEIGHT).named("minGpt()");
    }

    /** nanoGPT: every parameter of rank ≥ 2 (matrices, kernels, embeddings); vectors (biases, gains) do not decay. */
    public static DecayRules nanoGpt() {
        return all().excludeRankBelow(2).named("nanoGpt()");
    }

    /**
     * timm ({@code param_groups_weight_decay}): no decay for rank ≤ 1, biases, and the model's
     * {@code no_weight_decay()} names, given here as layer or parameter names (see {@link #excludeNames}).
     */
    public static DecayRules timm(String... noWeightDecay) {
        DecayRules r = all().excludeRankBelow(2).exclude(ParamKind.BIAS);
        if (noWeightDecay.length > 0) r = r.excludeNames(noWeightDecay);
        return r.named("timm(" + String.join(", ", noWeightDecay) + ")");
    }

    /**
     * Keras ({@code AdamW(weight_decay=...)} then {@code exclude_from_weight_decay(var_names=[...])}): every parameter
     * except those whose name contains one of the strings (see {@link #excludeNamesContaining}).
     */
    public static DecayRules keras(String... excludedVarNames) {
        DecayRules r = all();
        if (excludedVarNames.length > 0) r = r.excludeNamesContaining(excludedVarNames);
        return r.named("keras(" + String.join(", ", excludedVarNames) + ")");
    }

    // ---- exclusions (each returns new rules) ----

    /** Not these kinds. Not for SameDiff. */
    public DecayRules exclude(ParamKind... kinds) {
        Check.notNull("kinds", kinds);
        if (kinds.length == 0) throw new IllegalArgumentException("exclude(kinds) is empty: name at least one ParamKind");
        return with(new KindExclusion(EnumSet.copyOf(Arrays.asList(kinds))));
    }

    /** Not arrays of rank below {@code minRank} (rank as PyTorch gives it: see {@link DecayTable}, column "rank"). */
    public DecayRules excludeRankBelow(int minRank) {
        Check.atLeast("minRank", minRank, 1);
        return with(new RankExclusion(minRank));
    }

    /**
     * Not these: each a layer or vertex name, a MultiLayerNetwork layer index ("0"), a parameter name as DL4J spells it
     * ({@code "0_W"}, {@code "dense_W"}) or as layer name + '_' + key ({@code "layer0_W"}), or a SameDiff variable name.
     * A name that matches nothing fails in {@link #applyTo}.
     */
    public DecayRules excludeNames(String... names) {
        return with(new NameExclusion(strings("names", names)));
    }

    /**
     * Not parameters whose layer name + '_' + key (SameDiff: variable name) contains one of these strings, as Keras's
     * {@code var_names} and Hugging Face's {@code no_decay} match. Matching nothing is allowed (as there).
     */
    public DecayRules excludeNamesContaining(String... substrings) {
        return with(new SubstringExclusion(strings("substrings", substrings)));
    }

    /**
     * Not layers of these configuration classes (or wrapping one), e.g. {@code EmbeddingLayer.class} (minGPT's
     * {@code blacklist_weight_modules}). A class no layer has fails in {@link #applyTo}. Not for SameDiff.
     */
    @SafeVarargs
    public final DecayRules excludeLayerTypes(Class<? extends org.deeplearning4j.nn.conf.layers.Layer>... types) {
        Check.notNull("types", types);
        if (types.length == 0) throw new IllegalArgumentException("excludeLayerTypes is empty: name at least one class");
        for (Class<?> c : types) Check.notNull("types element", c);
        return with(new TypeExclusion(Arrays.asList(types)));
    }

    /** Not parameters with these DL4J keys in any layer ("g", "RW"). A key no layer has fails. Not for SameDiff. */
    public DecayRules excludeKeys(String... keys) {
        return with(new KeyExclusion(strings("keys", keys)));
    }

    private DecayRules with(Exclusion e) {
        List<Exclusion> l = new ArrayList<>(exclusions);
        l.add(e);
        return new DecayRules(kinds, l, name == null ? null : name + "." + e);   // "huggingFace().exclude(...)"
    }

    private DecayRules named(String presetName) {
        return new DecayRules(kinds, new ArrayList<>(exclusions), presetName);
    }

    private static List<String> strings(String field, String[] values) {
        Check.notNull(field, values);
        if (values.length == 0) throw new IllegalArgumentException(field + " is empty: give at least one");
        Set<String> s = new LinkedHashSet<>();
        for (String v : values) {
            if (v == null || v.isEmpty())
                throw new IllegalArgumentException(field + " holds " + (v == null ? "null" : "an empty string")
                        + ": every entry must be a non-empty name");
            s.add(v);
        }
        return new ArrayList<>(s);
    }

    // ---- applying ----

    /** Checks the rules against this network, writes the decision into its configuration, returns the table. */
    public DecayTable applyTo(MultiLayerNetwork net) {
        DecayTable t = DecayPass.apply(NetworkParams.of(net), this, "MultiLayerNetwork");
        CheckedNetworks.add(net.params());
        return t;
    }

    /** The same for a ComputationGraph; names are vertex names. */
    public DecayTable applyTo(ComputationGraph net) {
        DecayTable t = DecayPass.apply(NetworkParams.of(net), this, "ComputationGraph");
        CheckedNetworks.add(net.params());
        return t;
    }

    /**
     * The same for SameDiff (call after {@code setTrainingConfig}); names are variable names. SameDiff has no layers, so
     * only {@link #all()}, {@link #excludeRankBelow}, {@link #excludeNames} and {@link #excludeNamesContaining} apply.
     * The decision finds each variable by its array: after {@code SameDiff.load} or replacing a variable's array, apply
     * the rules again (a variable it does not know fails at its first step).
     */
    public DecayTable applyTo(SameDiff sd) {
        return SameDiffDecay.apply(sd, this);
    }

    // ---- deciding (package-private: DecayPass) ----

    /** Null if the rules decay {@code p}; otherwise why not. Throws for rules SameDiff cannot evaluate. */
    String whyNot(ParamInfo p) {
        for (Exclusion e : exclusions)
            if (e.matches(p)) return "excluded by " + e;
        if (kinds != null && !kinds.contains(p.kind)) return "not in " + includeText();
        return null;
    }

    String whyDecays() {
        return "decays by " + includeText() + (name != null ? " (" + name + ")" : "");
    }

    private String includeText() {
        return kinds == null ? "all()" : "kinds(" + join(kinds) + ")";
    }

    /** Problems of these rules with these parameters, before any decision: names that match nothing, etc. */
    List<String> problems(List<ParamInfo> params, boolean sameDiff) {
        List<String> out = new ArrayList<>();
        if (sameDiff && kinds != null)
            out.add(this + ": kinds(...) needs layers; SameDiff variables have no kind (use all() with names or ranks)");
        for (Exclusion e : exclusions) {
            String p = e.problem(params, sameDiff);
            if (p != null) out.add(p);
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(includeText());
        for (Exclusion e : exclusions) s.append('.').append(e);
        return name != null ? name + " = " + s : s.toString();
    }

    private static String join(Iterable<?> items) {
        StringBuilder s = new StringBuilder();
        for (Object o : items) s.append(s.length() > 0 ? ", " : "").append(o);
        return s.toString();
    }

    // ---- exclusion kinds ----

    private abstract static class Exclusion {
        abstract boolean matches(ParamInfo p);

        /** Null if fine; else what is wrong with this exclusion on these parameters. */
        String problem(List<ParamInfo> params, boolean sameDiff) {
            return null;
        }
    }

    private static final class KindExclusion extends Exclusion {
        final Set<ParamKind> kinds;

        KindExclusion(Set<ParamKind> kinds) { this.kinds = kinds; }

        @Override boolean matches(ParamInfo p) { return p.kind != null && kinds.contains(p.kind); }

        @Override String problem(List<ParamInfo> params, boolean sameDiff) {
            return sameDiff ? this + ": SameDiff variables have no kind (use names or ranks)" : null;
        }

        @Override public String toString() { return "exclude(" + join(kinds) + ")"; }
    }

    private static final class RankExclusion extends Exclusion {
        final int minRank;

        RankExclusion(int minRank) { this.minRank = minRank; }

        @Override boolean matches(ParamInfo p) { return p.rank < minRank; }

        @Override public String toString() { return "excludeRankBelow(" + minRank + ")"; }
    }

    private static final class NameExclusion extends Exclusion {
        final List<String> names;

        NameExclusion(List<String> names) { this.names = names; }

        @Override boolean matches(ParamInfo p) {
            for (String n : names) if (matches(p, n)) return true;
            return false;
        }

        private static boolean matches(ParamInfo p, String n) {
            return n.equals(p.name) || n.equals(p.path()) || n.equals(p.layerName)
                    || (p.layerIndex >= 0 && n.equals(String.valueOf(p.layerIndex)));
        }

        @Override String problem(List<ParamInfo> params, boolean sameDiff) {
            List<String> missing = new ArrayList<>();
            for (String n : names) {
                boolean found = false;
                for (ParamInfo p : params) found |= matches(p, n);
                if (!found) missing.add("'" + n + "'");
            }
            if (missing.isEmpty()) return null;
            Set<String> known = new LinkedHashSet<>();
            for (ParamInfo p : params) known.add(sameDiff ? p.name : p.layerName);
            return this + ": no " + (sameDiff ? "variable" : "layer or parameter") + " is called " + join(missing)
                    + " (" + (sameDiff ? "trainable variables" : "layers") + ": " + join(known) + ")";
        }

        @Override public String toString() { return "excludeNames(" + join(names) + ")"; }
    }

    private static final class SubstringExclusion extends Exclusion {
        final List<String> substrings;

        SubstringExclusion(List<String> substrings) { this.substrings = substrings; }

        @Override boolean matches(ParamInfo p) {
            for (String s : substrings) if (p.path().contains(s)) return true;
            return false;
        }

        @Override public String toString() { return "excludeNamesContaining(" + join(substrings) + ")"; }
    }

    private static final class TypeExclusion extends Exclusion {
        final List<Class<?>> types;

        TypeExclusion(List<? extends Class<?>> types) { this.types = new ArrayList<>(types); }

        @Override boolean matches(ParamInfo p) {
            for (Object c = p.layerConf; c != null; c = NetworkParams.inner(c))
                for (Class<?> t : types) if (t.isInstance(c)) return true;
            return false;
        }

        @Override String problem(List<ParamInfo> params, boolean sameDiff) {
            if (sameDiff) return this + ": SameDiff has no layers (use names)";
            List<String> missing = new ArrayList<>();
            for (Class<?> t : types) {
                boolean found = false;
                for (ParamInfo p : params)
                    for (Object c = p.layerConf; c != null && !found; c = NetworkParams.inner(c)) found = t.isInstance(c);
                if (!found) missing.add(t.getSimpleName());
            }
            return missing.isEmpty() ? null : this + ": no layer with parameters is a " + join(missing);
        }

        @Override public String toString() {
            List<String> n = new ArrayList<>();
            for (Class<?> t : types) n.add(t.getSimpleName() + ".class");
            return "excludeLayerTypes(" + join(n) + ")";
        }
    }

    private static final class KeyExclusion extends Exclusion {
        final List<String> keys;

        KeyExclusion(List<String> keys) { this.keys = keys; }

        @Override boolean matches(ParamInfo p) { return !p.isSameDiff() && keys.contains(p.key); }

        @Override String problem(List<ParamInfo> params, boolean sameDiff) {
            if (sameDiff) return this + ": SameDiff has no parameter keys (use names)";
            List<String> missing = new ArrayList<>();
            Set<String> known = new LinkedHashSet<>();
            for (ParamInfo p : params) known.add(p.key);
            for (String k : keys) if (!known.contains(k)) missing.add("'" + k + "'");
            return missing.isEmpty() ? null : this + ": no layer has a parameter with key " + join(missing)
                    + " (keys: " + join(known) + ")";
        }

        @Override public String toString() { return "excludeKeys(" + join(keys) + ")"; }
    }
}
