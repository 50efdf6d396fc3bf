package io.github.dl4jadamw.integration;

import io.github.dl4jadamw.Exact;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared pieces of the integration tests. The decay check is the closed form of decoupled decay: from the same θ0 and
 * minibatch, one step with decay factor d and one with d = 0 differ by exactly −d·θ0 on decayed parameters and by
 * nothing elsewhere, because the Adam direction depends only on the gradient and the state, which both runs share.
 */
final class Support {
    private Support() {}

    /** A dense (batch × n) matrix from java.util.Random (ND4J's global RNG is also drawn on by fit()). */
    static INDArray matrix(Random rnd, int batch, int n, DataType type) {
        double[] xs = new double[batch * n];
        for (int i = 0; i < xs.length; i++) xs[i] = (rnd.nextDouble() - 0.5) * 4;
        return Nd4j.create(xs, new long[]{batch, n}, 'c').castTo(type);
    }

    /** One-hot labels, class of row r = (r·7 + seed) mod nOut. */
    static INDArray oneHot(long seed, int batch, int nOut, DataType type) {
        INDArray y = Nd4j.zeros(type, batch, nOut);
        for (int r = 0; r < batch; r++) y.putScalar(r, (int) ((r * 7 + seed) % nOut), 1.0);
        return y;
    }

    static DataSet data(long seed, int batch, int nIn, int nOut) {
        return new DataSet(matrix(new Random(seed), batch, nIn, DataType.DOUBLE), oneHot(seed, batch, nOut, DataType.DOUBLE));
    }

    /** A learnable task: class = argmax of a fixed random linear map of x (the same map for every seed). */
    static DataSet learnable(long seed, int batch, int nIn, int nOut) {
        INDArray x = matrix(new Random(seed), batch, nIn, DataType.DOUBLE);
        INDArray scores = x.mmul(matrix(new Random(-1), nIn, nOut, DataType.DOUBLE));
        INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, nOut);
        for (int r = 0; r < batch; r++) y.putScalar(r, scores.getRow(r).argMax().getInt(0), 1.0);
        return new DataSet(x, y);
    }

    /** Copies of every parameter by DL4J key ("0_W", "dense_b", ...). */
    static Map<String, INDArray> params(Model net) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        net.paramTable().forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /** θ(λ) − θ(0) per key. */
    static Map<String, INDArray> difference(Map<String, INDArray> withDecay, Map<String, INDArray> without) {
        Map<String, INDArray> d = new LinkedHashMap<>();
        withDecay.forEach((k, v) -> d.put(k, v.sub(without.get(k))));
        return d;
    }

    /** diff == −d·θ0 to 1e-9 relative: decay applied exactly once (2 would mean twice, 0 not at all). */
    static void assertDecayedOnce(String key, INDArray diff, INDArray theta0, double d) {
        INDArray expected = theta0.mul(-d);
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 0, key + ": θ0 is zero, the check would be vacuous");
        double err = diff.sub(expected).amaxNumber().doubleValue() / scale;
        double ratio = diff.sumNumber().doubleValue() / expected.sumNumber().doubleValue();
        assertTrue(err < 1e-9, key + " should be decayed once by d·θ0 with d = " + d + "; relative error " + err
                + ", observed/expected = " + ratio);
    }

    /**
     * {@code actual} trained as the independent reference {@code expected} did, for a parameter that moved by
     * {@code moved} (max-abs) over training: within 1e-10 of that movement in float64 and 2e-5 in float32, plus 8 ulps
     * of its values, since a parameter that barely moved (an output bias by 2e-4) differs from the reference by
     * rounding alone, below one ulp. A 0.1% change of λ on the reference shows as about 2e-4 of the movement.
     */
    static void assertFollowsReference(String key, INDArray expected, INDArray actual, double moved, DataType type) {
        double diff = expected.sub(actual).amaxNumber().doubleValue(), scale = expected.amaxNumber().doubleValue();
        double ulp = type == DataType.DOUBLE ? Math.ulp(scale) : Math.ulp((float) scale);
        double allowed = (type == DataType.DOUBLE ? 1e-10 : 2e-5) * moved + 8 * ulp;
        assertTrue(diff <= allowed, key + ": differs from the reference by " + diff + " (" + diff / moved
                + " of its movement " + moved + "; allowed " + allowed + ")");
    }

    static void assertNotDecayed(String key, INDArray diff) {
        assertEquals(0.0, diff.amaxNumber().doubleValue(), 0.0, key + " must not be decayed");
    }

    /** The same variables with exactly the same values (not INDArray.equals, whose tolerance is 1e-5). */
    static void assertSameValues(Map<String, INDArray> expected, Map<String, INDArray> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, INDArray> e : expected.entrySet())
            Exact.assertSameValues(e.getValue(), actual.get(e.getKey()), e.getKey());
    }

    static boolean finite(INDArray a) {
        INDArray d = a.castTo(DataType.DOUBLE);
        for (long i = 0; i < d.length(); i++) if (!Double.isFinite(d.getDouble(i))) return false;
        return true;
    }

    /** Naive cosine warm restarts (T_mult integer ≥ 1, η_max = 1, η_min = 0), t = 0-based iteration. */
    static double cosineRestartEta(int t, double t0, double tMult) {
        double start = 0, len = t0;
        while (t >= start + len) { start += len; len *= tMult; }
        return 0.5 * (1 + Math.cos(Math.PI * (t - start) / len));
    }
}
