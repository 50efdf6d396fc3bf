package io.github.dl4jadamw.integration;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecayRules;
import io.github.dl4jadamw.DecayTable;
import io.github.dl4jadamw.DecoupledWeightDecay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link DecayRules} and {@link DecayTable} for SameDiff, on {@link SameDiffIntegrationTest#model}'s variables: w1 [4, 5],
 * b1 [5], w2 [5, 3], b2 [3]. Hand lists: nanoGPT decays the rank-2 w1, w2; Keras with {@code var_names=["b"]} leaves
 * out b1, b2 (their names contain "b"); names given exactly leave out just those.
 */
class SameDiffDecayRulesTest {
    static final double LR = 0.01, LAMBDA = 0.2;

    @TempDir
    File dir;

    static SameDiff model(double lambda, List<Regularization> regs) {
        return SameDiffIntegrationTest.model(DataType.DOUBLE, AdamW.builder().learningRate(LR).weightDecay(lambda).build(),
                regs);
    }

    @Test
    void rulesByRankAndName() {
        List<Regularization> marker = List.of(DecoupledWeightDecay.allArrays());
        assertEquals(Set.of("w1", "w2"), DecayRules.nanoGpt().applyTo(model(LAMBDA, marker)).decayed());
        assertEquals(Set.of("w1", "w2"), DecayRules.keras("b").applyTo(model(LAMBDA, marker)).decayed());
        assertEquals(Set.of("w1", "b1", "b2"), DecayRules.all().excludeNames("w2").applyTo(model(LAMBDA, marker)).decayed());
        assertEquals(Set.of("w1", "b1", "w2", "b2"), DecayTable.of(model(LAMBDA, marker)).decayed());
        assertEquals(Set.of("w1", "w2"), DecayTable.of(model(LAMBDA, List.of(DecoupledWeightDecay.matricesOnly())))
                .decayed());
        // the rules need no marker in the configuration
        assertEquals(Set.of("w1", "w2"), DecayRules.nanoGpt().applyTo(model(LAMBDA, List.of())).decayed());
        // the biases left out are what was asked for: no note per variable (each is a block of its own in SameDiff)
        assertEquals(List.of(), DecayRules.nanoGpt().applyTo(model(LAMBDA, List.of())).notes());
        assertEquals(List.of(), DecayTable.of(model(LAMBDA, List.of(DecoupledWeightDecay.matricesOnly()))).notes());
        assertEquals(1, DecayRules.all().excludeNames("w1", "b1", "w2", "b2").applyTo(model(LAMBDA, marker)).notes()
                .size(), "nothing decays at all: said once");
    }

    @Test
    void rulesSameDiffCannotEvaluateFail() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DecayRules.huggingFace().applyTo(model(LAMBDA, List.of())));
        assertTrue(e.getMessage().contains("SameDiff variables have no kind"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> DecayRules.all().excludeNames("w3").applyTo(model(LAMBDA, List.of())));
        assertTrue(e.getMessage().contains("'w3'") && e.getMessage().contains("w1") && e.getMessage().contains("b2"),
                e.getMessage());
    }

    @Test
    void stackedDecayIsNamedByVariable() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DecayTable.of(
                model(LAMBDA, List.of(DecoupledWeightDecay.allArrays(), new L2Regularization(1e-3)))));
        assertTrue(e.getMessage().contains("variable 'w1'") && e.getMessage().contains("L2Regularization"), e.getMessage());
    }

    /** One step: exactly w1 and w2 move by −lr·λ·θ0 more than without decay; b1, b2 not at all. */
    @Test
    void theDecisionIsWhatTrainingDoes() {
        SameDiff a = model(LAMBDA, List.of()), b = model(0, List.of());
        DecayRules.nanoGpt().applyTo(a);
        DecayRules.nanoGpt().applyTo(b);
        Map<String, INDArray> theta0 = SameDiffIntegrationTest.vars(a);
        DataSet d = SameDiffIntegrationTest.batch(DataType.DOUBLE);
        a.fit(d);
        b.fit(d);
        Map<String, INDArray> diff = Support.difference(SameDiffIntegrationTest.vars(a), SameDiffIntegrationTest.vars(b));
        Support.assertDecayedOnce("w1", diff.get("w1"), theta0.get("w1"), LR * LAMBDA);
        Support.assertDecayedOnce("w2", diff.get("w2"), theta0.get("w2"), LR * LAMBDA);
        assertEquals(0.0, diff.get("b1").amaxNumber().doubleValue(), 0.0);
        assertEquals(0.0, diff.get("b2").amaxNumber().doubleValue(), 0.0);
    }

    /** A loaded SameDiff has new arrays: its first step asks for the rules again, which then work. */
    @Test
    void afterLoadingTheRulesAreAppliedAgain() {
        SameDiff sd = model(LAMBDA, List.of());
        DecayRules.nanoGpt().applyTo(sd);
        sd.fit(SameDiffIntegrationTest.batch(DataType.DOUBLE));
        File f = new File(dir, "sd.bin");
        sd.save(f, true);
        SameDiff loaded = SameDiff.load(f, true);
        assertEquals(Set.of("w1", "w2"), DecayTable.of(loaded).decayed());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loaded.fit(SameDiffIntegrationTest.batch(DataType.DOUBLE)));
        assertTrue(e.getMessage().contains("rules.applyTo(sd)"), e.getMessage());
        SameDiff again = SameDiff.load(f, true);
        DecayRules.nanoGpt().applyTo(again);
        assertDoesNotThrow(() -> again.fit(SameDiffIntegrationTest.batch(DataType.DOUBLE)));
    }
}
