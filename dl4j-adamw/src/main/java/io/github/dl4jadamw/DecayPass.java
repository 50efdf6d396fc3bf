package io.github.dl4jadamw;

import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decision, parameter by parameter, behind {@link DecayTable#of} (read what the configuration says) and
 * {@link DecayRules#applyTo} (decide by rules), and the checks both run before anything changes. What a parameter gets
 * at run time is what the ledger receives from the marks in its regularization list; this class predicts exactly
 * that, and refuses configurations whose run would decay twice, fail, or silently not decay.
 */
final class DecayPass {
    private static final Logger LOG = LoggerFactory.getLogger(DecayPass.class);

    private DecayPass() {}

    /** One parameter's outcome. */
    static final class Decision {
        final ParamInfo p;
        boolean decays;
        String rule;
        String dl4j = "";

        Decision(ParamInfo p) { this.p = p; }
    }

    static DecayTable read(List<ParamInfo> params, String source) {
        List<String> errors = new ArrayList<>(), notes = new ArrayList<>();
        List<Decision> d = decide(params, null, errors, notes);
        fail(errors);
        return table(source + ", as configured", d, notes);
    }

    static DecayTable apply(List<ParamInfo> params, DecayRules rules, String source) {
        fail(rules.problems(params, false));
        List<String> errors = new ArrayList<>(), notes = new ArrayList<>();
        List<Decision> d = decide(params, rules, errors, notes);
        errors.addAll(immutableLists(params));
        fail(errors);
        write(d);
        return table(source + ", rules " + rules, d, notes);
    }

    static DecayTable table(String source, List<Decision> decisions, List<String> notes) {
        List<DecayTable.Row> rows = new ArrayList<>();
        for (Decision d : decisions) rows.add(new DecayTable.Row(d.p, describe(d.p.updater), d.decays, d.rule, d.dl4j));
        for (String n : notes) LOG.warn("DecoupledWeightDecay: {}", n);
        return new DecayTable(source, rows, notes);
    }

    static void fail(List<String> errors) {
        if (errors.isEmpty()) return;
        StringBuilder s = new StringBuilder("DecoupledWeightDecay: ").append(errors.size())
                .append(errors.size() == 1 ? " problem" : " problems").append(", nothing was changed:");
        for (String e : errors) s.append("\n - ").append(e);
        throw new IllegalStateException(s.toString());
    }

    /** Decides every parameter; adds errors and notes. {@code rules} null: as the configuration's marks say. */
    static List<Decision> decide(List<ParamInfo> params, DecayRules rules, List<String> errors, List<String> notes) {
        List<Decision> out = new ArrayList<>();
        boolean ruled = false;   // a decision DecayRules.applyTo wrote is in this network: it must cover every parameter
        if (rules == null) for (ParamInfo p : params) ruled |= !p.isSameDiff() && p.regs != null && written(p.regs) != null;
        for (ParamInfo p : params) out.add(decide(p, rules, ruled, errors));
        checkBlocks(out, rules != null, errors, notes);
        return out;
    }

    private static Decision decide(ParamInfo p, DecayRules rules, boolean ruled, List<String> errors) {
        Decision d = new Decision(p);
        d.dl4j = dl4jDecays(p.regs);
        if (p.updater instanceof NoOp) {
            d.rule = "not trained (NoOp updater: a frozen layer, or a running statistic)";
            return d;
        }
        boolean wanted;
        if (excludedByMarker(p.regs)) {
            wanted = false;
            d.rule = "DecoupledWeightDecay.excluded() on the layer";
        } else if (rules != null) {
            String whyNot = rules.whyNot(p);
            wanted = whyNot == null;
            d.rule = wanted ? rules.whyDecays() : whyNot;
            if (wanted && p.regs == null) {
                errors.add(p.label() + ": " + rules + " asks to decay it, but DL4J hands this parameter ("
                        + p.layerType + " " + p.key + ", " + p.kind + ") to no regularization, so no decay can reach it."
                        + " Exclude it to go on, e.g. .exclude(ParamKind." + p.kind + ")");
                return d;
            }
        } else if (p.regs == null) {
            wanted = false;
            d.rule = "DL4J hands it to no regularization (" + p.layerType + ")";
        } else {
            DecidedDecay written = written(p.regs);
            DecoupledWeightDecay marker = includingMarker(p.regs);
            if (written != null) {
                Boolean w = written.decays(p);
                if (w == null) {
                    errors.add(p.label() + ": the decision DecayRules.applyTo wrote does not cover this parameter ("
                            + p.length + " values at offset " + p.offset + "): the network changed after the rules were "
                            + "applied (TransferLearning, layers added or removed). Apply the rules to this network again.");
                    return d;
                }
                wanted = w;
                d.rule = written.rule(p);
            } else if (marker != null) {
                wanted = marker.getMinRank() <= 1 || (p.isSameDiff() && p.rank >= marker.getMinRank());
                d.rule = marker.getMinRank() > 1 ? marker + (wanted ? "" : ": rank " + p.rank + " < "
                        + marker.getMinRank()) : "DecoupledWeightDecay marker" + listName(p);
                if (!p.isSameDiff() && marker.getMinRank() > 1) {
                    errors.add(p.label() + ": " + marker + " (matricesOnly()) is for SameDiff; DL4J hands a "
                            + "regularization flat views of rank 1, so it would decay nothing here. For a rank rule use "
                            + "DecayRules.nanoGpt() or DecayRules.all().excludeRankBelow(2)");
                    return d;
                }
            } else {
                wanted = false;
                d.rule = "no DecoupledWeightDecay marker" + listName(p);
                if (ruled && p.updater instanceof DecoupledDecayUpdater && ((DecoupledDecayUpdater) p.updater).hasDecay()) {
                    errors.add(p.label() + ": the decision DecayRules.applyTo wrote into this network does not cover "
                            + "this parameter, so it would train without decay: its layer was added or replaced after "
                            + "the rules were applied (TransferLearning's nOutReplace, addLayer, ...). Apply the rules to "
                            + "this network again (rules.applyTo(net))");
                    return d;
                }
            }
        }
        if (!wanted) return d;
        if (!(p.updater instanceof DecoupledDecayUpdater)) {
            errors.add(p.label() + ": decoupled decay is asked for (" + d.rule + ") but its updater is "
                    + describe(p.updater) + ", not AdamW/AdamWR/SGDW/SGDWR, so that decay would not happen. Give it one "
                    + "of these updaters, or keep it out of decay: " + (rules == null
                    ? "on that layer .regularization(DecoupledWeightDecay.excluded())"
                    : "rules.excludeNames(\"" + (p.isSameDiff() ? p.name : p.layerName) + "\")"));
            return d;
        }
        if (!((DecoupledDecayUpdater) p.updater).hasDecay()) {
            d.rule += "; no decay: λ = 0 on its updater";
            return d;
        }
        if (!d.dl4j.isEmpty() && !togetherWithDl4j(p.regs)) {
            for (Regularization r : p.regs)
                if (MarkerList.isDl4jDecay(r)) {
                    errors.add(MarkerList.stacked(r, p.label()));
                    break;
                }
            return d;
        }
        d.decays = true;
        return d;
    }

    /**
     * Per updater block with λ &gt; 0 (the unit DL4J hands AdamW): no marked parameter fails at the first fit (the
     * updater refuses a decay nobody asked to apply); marked but none decaying trains without decay, which is said.
     */
    private static void checkBlocks(List<Decision> ds, boolean byRules, List<String> errors, List<String> notes) {
        Map<Integer, List<Decision>> blocks = new LinkedHashMap<>();
        for (Decision d : ds) blocks.computeIfAbsent(d.p.block, k -> new ArrayList<>()).add(d);
        boolean sameDiffDecays = false, sameDiffDecayOn = false;
        for (List<Decision> block : blocks.values()) {
            IUpdater u = block.get(0).p.updater;
            if (!(u instanceof DecoupledDecayUpdater) || !((DecoupledDecayUpdater) u).hasDecay()) continue;
            if (block.get(0).p.isSameDiff()) {   // one block per variable: an excluded one is what was asked for
                sameDiffDecayOn = true;
                for (Decision d : block) sameDiffDecays |= d.decays;
                if (!hasAnyMark(block.get(0).p.regs) && !byRules)
                    errors.add(labels(block) + ": " + describe(u) + " updates it with λ > 0, but SameDiff's "
                            + "regularization list carries no DecoupledWeightDecay marker, and the first fit fails "
                            + "there. Add DecoupledWeightDecay.allArrays() (or matricesOnly()) to the training "
                            + "configuration's regularization, or apply DecayRules");
                continue;
            }
            int marked = 0, decayed = 0;
            for (Decision d : block) {
                if (byRules ? d.p.regs != null : hasAnyMark(d.p.regs)) marked++;
                if (d.decays) decayed++;
            }
            if (marked == 0)
                errors.add(labels(block) + ": " + describe(u) + " updates " + (block.size() == 1 ? "it" : "them")
                        + " with λ > 0, but " + (byRules ? "DL4J hands none of them to a regularization, so no decay "
                        + "mark can reach them" : "none carries the DecoupledWeightDecay marker")
                        + ", and the first fit fails there (no decay would happen). "
                        + (byRules ? "" : "Add .regularization(DecoupledWeightDecay.onWeights()) next to .updater(...), "
                        + "or apply DecayRules. ") + "For parameters DL4J never regularizes (BatchNormalization γ/β, "
                        + "biases under their own updater) give that layer's updater withWeightDecay(0)");
            else if (decayed == 0)
                notes.add(labels(block) + ": " + describe(u) + " has λ > 0 but decays none of "
                        + (block.size() == 1 ? "it" : "them") + " (" + block.get(0).rule + "): "
                        + (block.size() == 1 ? "it trains" : "they train") + " without decay");
            else if (!byRules)
                unmarkedWeights(block, u, notes);
        }
        if (sameDiffDecayOn && !sameDiffDecays && errors.isEmpty())
            notes.add("SameDiff: the updater has λ > 0 but no variable decays (every one is excluded): training runs "
                    + "without decay");
    }

    /**
     * A block whose marks decay some parameters may hold a layer whose weights carry no mark at all: the marker was put
     * on other layers only (or DL4J's decay removed from the global builder and the marker left on one layer), and
     * those weights train without decay though their updater has λ &gt; 0. Legitimate when meant, so a note, not an
     * error; an explicit {@code excluded()} on the layer says it was meant, and silences it. Biases are left out: the
     * bias list is empty unless asked for, by design.
     */
    private static void unmarkedWeights(List<Decision> block, IUpdater u, List<String> notes) {
        List<Decision> unmarked = new ArrayList<>();
        for (Decision d : block)
            if (!d.p.isSameDiff() && d.p.kind != ParamKind.BIAS && d.p.regs != null && !hasAnyMark(d.p.regs))
                unmarked.add(d);
        if (!unmarked.isEmpty())
            notes.add(labels(unmarked) + ": " + describe(u) + " has λ > 0, but " + (unmarked.size() == 1 ? "this "
                    + "parameter carries" : "these parameters carry") + " no DecoupledWeightDecay marker (other layers "
                    + "of the same updater do), so " + (unmarked.size() == 1 ? "it trains" : "they train") + " without "
                    + "decay. To decay them put the marker on the layer (or on the global builder); to keep them out "
                    + "say so with .regularization(DecoupledWeightDecay.excluded()) on the layer, which silences this note");
    }

    /** Rules write into the lists in place: refuse, before writing any, lists that cannot be written. */
    private static List<String> immutableLists(List<ParamInfo> params) {
        List<String> out = new ArrayList<>();
        for (ParamInfo p : params)
            if (p.regs != null && !(p.regs instanceof ArrayList) && !p.isSameDiff())
                out.add(p.label() + ": its regularization list is a " + p.regs.getClass().getName() + ", which DecayRules "
                        + "cannot write; configure it with a mutable list (new ArrayList<>(...))");
        return out;
    }

    /** Replaces the include markers in each list by the written decision for the parameters that use that list. */
    private static void write(List<Decision> ds) {
        Map<List<Regularization>, List<Decision>> byList = new java.util.IdentityHashMap<>();
        for (Decision d : ds)
            if (d.p.regs != null && !d.p.isSameDiff()) byList.computeIfAbsent(d.p.regs, k -> new ArrayList<>()).add(d);
        for (Map.Entry<List<Regularization>, List<Decision>> e : byList.entrySet()) {
            List<Regularization> list = e.getKey();
            RuledDecay written = RuledDecay.of(e.getValue(), togetherWithDl4j(list));
            list.removeIf(DecayPass::isIncludeMark);
            list.add(written);
        }
    }

    // ---- reading a regularization list ----

    static boolean isIncludeMark(Regularization r) {
        return r instanceof DecidedDecay || (r instanceof DecoupledWeightDecay && ((DecoupledWeightDecay) r).isDecay());
    }

    private static boolean hasAnyMark(List<Regularization> regs) {
        if (regs != null) for (Regularization r : regs)
            if (r instanceof DecoupledWeightDecay || r instanceof DecidedDecay) return true;
        return false;
    }

    static boolean excludedByMarker(List<Regularization> regs) {
        if (regs != null) for (Regularization r : regs)
            if (r instanceof DecoupledWeightDecay && !((DecoupledWeightDecay) r).isDecay()) return true;
        return false;
    }

    private static DecoupledWeightDecay includingMarker(List<Regularization> regs) {
        for (Regularization r : regs)
            if (r instanceof DecoupledWeightDecay && ((DecoupledWeightDecay) r).isDecay()) return (DecoupledWeightDecay) r;
        return null;
    }

    private static DecidedDecay written(List<Regularization> regs) {
        for (Regularization r : regs) if (r instanceof DecidedDecay) return (DecidedDecay) r;
        return null;
    }

    static boolean togetherWithDl4j(List<Regularization> regs) {
        if (regs != null) for (Regularization r : regs) {
            if (r instanceof DecoupledWeightDecay && ((DecoupledWeightDecay) r).isTogetherWithDl4j()) return true;
            if (r instanceof DecidedDecay && ((DecidedDecay) r).isTogetherWithDl4j()) return true;
        }
        return false;
    }

    static String dl4jDecays(List<Regularization> regs) {
        StringBuilder s = new StringBuilder();
        if (regs != null) for (Regularization r : regs)
            if (MarkerList.isDl4jDecay(r) && s.indexOf(r.toString()) < 0)   // DL4J lists WeightDecay twice
                s.append(s.length() > 0 ? ", " : "").append(r);
        return s.toString();
    }

    private static String listName(ParamInfo p) {
        if (p.isSameDiff()) return "";
        return p.kind == ParamKind.BIAS ? " (bias list: .regularizationBias)" : " (weight list: .regularization)";
    }

    private static String labels(List<Decision> block) {
        StringBuilder s = new StringBuilder();
        String layer = null;
        for (Decision d : block) {
            String l = d.p.isSameDiff() ? d.p.label() : d.p.layerLabel();
            if (d.p.isSameDiff() || !l.equals(layer)) {
                s.append(s.length() > 0 ? "; " : "").append(l);
                if (!d.p.isSameDiff()) s.append(", key ").append(d.p.key);
            } else {
                s.append(", key ").append(d.p.key);
            }
            layer = l;
        }
        return s.toString();
    }

    static String describe(IUpdater u) {
        if (u == null) return "none";
        if (!(u instanceof DecoupledDecayUpdater)) return u.getClass().getSimpleName();
        DecoupledDecayUpdater d = (DecoupledDecayUpdater) u;
        String name = u.getClass().getSimpleName();
        if (d.getNormalizedWeightDecay() != null) return name + " " + d.getNormalizedWeightDecay();
        return name + " λ=" + d.getWeightDecay();
    }
}
