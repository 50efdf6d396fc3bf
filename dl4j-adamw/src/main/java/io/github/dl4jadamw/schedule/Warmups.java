package io.github.dl4jadamw.schedule;

import io.github.dl4jadamw.internal.Check;

/** What the warm-up schedules share: transformers' linear warm-up s/max(1, w) and the checks of w. */
final class Warmups {
    private Warmups() {}

    /** s / max(1, w): 0 at the first step (s = 0). */
    static double linear(long s, long w) {
        return (double) s / Math.max(1, w);
    }

    /** w in [0, limit], where the limit is the schedule's length (named {@code limitField}). */
    static long steps(String field, long w, String limitField, long limit) {
        if (w < 0 || w > limit)
            throw new IllegalArgumentException(field + " = " + w + " is invalid: must be an integer in [0, " + limitField
                    + " = " + limit + "]: the warm-up cannot be longer than the schedule");
        return w;
    }

    /** A ratio in [0, 1] (e.g. the minimum learning rate as a share of the base one). */
    static double ratio(String field, double r) {
        if (!(r >= 0 && r <= 1))
            throw Check.bad(field, r, "in [0, 1]");
        return r + 0.0;   // −0.0 as 0.0: see Check
    }

    /** Cosine cycles over the decay: a finite number &gt; 0 (transformers' default is 0.5, a half cosine). */
    static double cycles(String field, double c) {
        return Check.positive(field, c);
    }
}
