package io.github.dl4jadamw;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.IUpdater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The EMA of the weights against the definition, applied by this test to the parameters the network holds after each
 * optimizer step: the first step copies them, later ones do ema ← d·ema + (1 − d)·θ; before the first step the average
 * is the weights themselves. On both kernels, with accumulation (the EMA moves only at a group's step).
 */
class EmaWeightsTest {
    static final double D = 0.8;

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "nd4j"})
    void followsTheDefinitionAfterEveryOptimizerStep(String kernel) {
        KernelChoice.with(kernel, () -> {
            for (IUpdater u : new IUpdater[]{AdamW.builder().learningRate(0.05).ema(D).accumulationSteps(2).build(),
                    SGDW.builder().learningRate(0.1).ema(D).build()}) {
                DecoupledDecayUpdater c = (DecoupledDecayUpdater) u;
                MultiLayerNetwork net = TestNets.mlp(TestNets.builder(u, true), false);
                net.setListeners(AdamWListener.builder().reportEvery(0).build());
                double[] expected = net.params().toDoubleVector();   // before the first step: the weights
                boolean first = true;
                for (int i = 0; i < 8; i++) {
                    net.fit(TestNets.data(i, 5));
                    if (c.stepsAt(i)) {
                        double[] theta = net.params().toDoubleVector();
                        for (int j = 0; j < theta.length; j++)
                            expected[j] = first ? theta[j] : D * expected[j] + (1 - D) * theta[j];
                        first = false;
                    }
                    String at = u.getClass().getSimpleName() + ", fit " + i;
                    assertClose(expected, EmaWeights.copyOf(net).params().toDoubleVector(), at + ", copy");
                    double[] trained = net.params().toDoubleVector();
                    double[] swapped = EmaWeights.with(net, () -> net.params().toDoubleVector());
                    assertClose(expected, swapped, at + ", swap");
                    assertArrayEquals(trained, net.params().toDoubleVector(), 0.0, at + ": swapped back exactly");
                }
            }
        });
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        double num = 0, den = 0;
        for (int i = 0; i < actual.length; i++) {
            num = Math.max(num, Math.abs(expected[i] - actual[i]));
            den = Math.max(den, Math.abs(expected[i]));
        }
        assertTrue(num <= 1e-14 * den, what + ": relative error " + num / den);
    }

    @Test
    void swapBackAlsoWhenTheBodyThrows() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().ema(D).build(), true), true);
        net.setListeners(AdamWListener.builder().reportEvery(0).build());
        for (int i = 0; i < 3; i++) net.fit(TestNets.data(i, 5));
        double[] trained = net.params().toDoubleVector();
        assertThrows(IllegalStateException.class, () -> EmaWeights.with(net, () -> {
            throw new IllegalStateException("evaluation failed");
        }));
        assertArrayEquals(trained, net.params().toDoubleVector(), 0.0);
        // BatchNormalization's running statistics are the live ones in the EMA network
        MultiLayerNetwork copy = EmaWeights.copyOf(net);
        for (String k : net.paramTable().keySet())
            if (k.startsWith("1_") && !k.endsWith("gamma") && !k.endsWith("beta"))
                assertArrayEquals(net.getParam(k).ravel().toDoubleVector(), copy.getParam(k).ravel().toDoubleVector(), 0.0, k);
    }

    @Test
    void withoutTheListenerTheEmaRefusesToStep() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().ema(D).build(), true), false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(TestNets.data(1, 4)));
        assertTrue(e.getMessage().contains("ema = 0.8") && e.getMessage().contains("AdamWListener"), e.getMessage());
    }

    @Test
    void aNetworkWithoutAnEmaSaysSo() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().build(), true), false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmaWeights.swap(net));
        assertTrue(e.getMessage().contains(".ema(decay)"), e.getMessage());
        assertEquals(0, net.getIterationCount());
    }
}
