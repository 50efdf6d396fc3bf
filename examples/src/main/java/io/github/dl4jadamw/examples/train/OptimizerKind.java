package io.github.dl4jadamw.examples.train;

import java.util.Locale;

/** The optimizers the program compares. */
public enum OptimizerKind {
    /** DL4J's own Adam with L2 regularization (added to the gradient) on weights: the baseline DL4J users have. */
    ADAM_L2("adam-l2", "Adam+L2", "λ (L2)"),
    /** Adam with decoupled weight decay, lr-coupled (PyTorch convention). */
    ADAMW("adamw", "AdamW", "λ (decoupled)"),
    /** AdamW with cosine warm restarts (T_0 = 1 epoch, T_mult = 2, fractional epochs). */
    ADAMWR("adamwr", "AdamWR", "λ (decoupled)"),
    /** SGD with momentum 0.9 and decoupled weight decay (lr-coupled), the paper's Algorithm 1. */
    SGDW("sgdw", "SGDW", "λ (decoupled)"),
    /** SGDW with cosine warm restarts. */
    SGDWR("sgdwr", "SGDWR", "λ (decoupled)");

    public final String id;
    public final String label;
    public final String decayLabel;

    OptimizerKind(String id, String label, String decayLabel) {
        this.id = id;
        this.label = label;
        this.decayLabel = decayLabel;
    }

    public boolean implemented() {
        return true;
    }

    /** Cosine warm restarts (AdamWR, SGDWR)? */
    public boolean restarts() {
        return this == ADAMWR || this == SGDWR;
    }

    public static OptimizerKind parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (OptimizerKind o : values()) if (o.id.equals(k)) return o;
        throw new IllegalArgumentException("unknown optimizer '" + s + "': expected one of adam-l2, adamw, adamwr,"
                + " sgdw, sgdwr");
    }

    @Override
    public String toString() { return id; }
}
