package io.github.dl4jadamw.examples.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The training-step options a PyTorch recipe puts around AdamW, as the library's decoupled optimizers take them:
 * global-norm clipping ({@code clip_grad_norm_}), gradient accumulation over k micro-batches, a linear warm-up of
 * the learning rate in optimizer steps (transformers' schedules) and an EMA of the weights. Every run of one job
 * shares them, so they are part of its {@link Protocol}: --resume refuses a folder of runs made with others.
 *
 * @param clipGlobalNorm    max_norm of the global gradient norm; 0 = off
 * @param accumulationSteps k, one optimizer step per k micro-batches; 1 = off
 * @param warmupSteps       linear warm-up over the first w optimizer steps (the first runs at lr 0); 0 = off
 * @param emaDecay          decay d of the EMA of the weights; null = off
 */
public record Recipe(double clipGlobalNorm, int accumulationSteps, long warmupSteps, Double emaDecay) {
    public static final Recipe NONE = new Recipe(0, 1, 0, null);

    public Recipe {
        // the CLI's OptionChecks give the messages users see; these guard the other constructors (results.json)
        if (!(clipGlobalNorm >= 0) || !Double.isFinite(clipGlobalNorm))
            throw new IllegalArgumentException("clip global norm = " + clipGlobalNorm + " is invalid: must be > 0, or 0 (off)");
        if (accumulationSteps < 1)
            throw new IllegalArgumentException("accumulation steps = " + accumulationSteps + " is invalid: must be >= 1");
        if (warmupSteps < 0)
            throw new IllegalArgumentException("warm-up steps = " + warmupSteps + " is invalid: must be >= 0");
        if (emaDecay != null && !(emaDecay >= 0 && emaDecay < 1))
            throw new IllegalArgumentException("EMA decay = " + emaDecay + " is invalid: must be in [0, 1)");
        clipGlobalNorm += 0.0;   // −0.0 as 0.0 (equals compares the bits of a record's doubles)
    }

    public boolean clips() { return clipGlobalNorm > 0; }
    public boolean accumulates() { return accumulationSteps > 1; }
    public boolean warmsUp() { return warmupSteps > 0; }
    public boolean averages() { return emaDecay != null; }

    /** Any option on. */
    public boolean any() {
        return !equals(NONE);
    }

    /**
     * Clipping and the EMA need {@link io.github.dl4jadamw.AdamWListener} on the network (it hands the updaters the
     * network's layout); accumulation and warm-up do not.
     */
    public boolean needsListener() {
        return clips() || averages();
    }

    /** The options that DL4J's own Adam (the Adam+L2 baseline) cannot apply, as the command line names them. */
    public List<String> beyondDl4jAdam() {
        List<String> l = new ArrayList<>();
        if (clips()) l.add("--clip-global-norm");
        if (accumulates()) l.add("--accumulation-steps");
        if (averages()) l.add("--ema");
        return l;
    }

    /** Each option on, as typed on the command line, e.g. ["--clip-global-norm 1", "--ema 0.999"]. */
    public List<String> options() {
        List<String> l = new ArrayList<>();
        if (clips()) l.add("--clip-global-norm " + Fmt.num(clipGlobalNorm));
        if (accumulates()) l.add("--accumulation-steps " + accumulationSteps);
        if (warmsUp()) l.add("--warmup " + warmupSteps);
        if (averages()) l.add("--ema " + Fmt.num(emaDecay));
        return l;
    }

    /** The fields where {@code other} differs, each as "option theirs (here ours)", e.g. "--ema 0.99 (here off)". */
    public List<String> differences(Recipe other) {
        List<String> d = new ArrayList<>();
        diff(d, "--clip-global-norm", other.clips() ? Fmt.num(other.clipGlobalNorm) : null,
                clips() ? Fmt.num(clipGlobalNorm) : null);
        diff(d, "--accumulation-steps", other.accumulates() ? "" + other.accumulationSteps : null,
                accumulates() ? "" + accumulationSteps : null);
        diff(d, "--warmup", other.warmsUp() ? "" + other.warmupSteps : null, warmsUp() ? "" + warmupSteps : null);
        diff(d, "--ema", other.averages() ? Fmt.num(other.emaDecay) : null, averages() ? Fmt.num(emaDecay) : null);
        return d;
    }

    private static void diff(List<String> d, String option, String theirs, String ours) {
        if (java.util.Objects.equals(theirs, ours)) return;
        d.add(option + " " + (theirs == null ? "off" : theirs) + " (here " + (ours == null ? "off" : ours) + ")");
    }

    /** The key suffix of a setting under these options ("" for none), e.g. "_clip1_acc4_wu50_ema0.999". */
    public String keySuffix() {
        return (clips() ? "_clip" + Fmt.num(clipGlobalNorm) : "") + (accumulates() ? "_acc" + accumulationSteps : "")
                + (warmsUp() ? "_wu" + warmupSteps : "") + (averages() ? "_ema" + Fmt.num(emaDecay) : "");
    }
}
