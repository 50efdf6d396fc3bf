package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.kernel.Kernels;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checkpoints taken at a restart boundary, mid period and at the last iteration, restored in a fresh JVM, continue
 * bit-identically with an uninterrupted run in this JVM.
 */
class ResumeInFreshJvmTest {
    static final int END = 20;   // the uninterrupted run trains END steps

    static AdamW updater() {
        // periods of 5, 10, 20 iterations: 5 and 15 are restart boundaries, 8 is mid period
        return AdamWR.builder().learningRate(0.01).restartsInIterations(5, 2).weightDecay(0.1).amsgrad(true).build();
    }

    static MultiLayerNetwork net() {
        return TestNets.mlp(TestNets.builder(updater(), true), true);
    }

    static void train(MultiLayerNetwork net, int from, int to) {
        for (int i = from; i < to; i++) net.fit(TestNets.data(i, 8));
    }

    @Test
    @Timeout(300)
    void checkpointsContinueBitIdenticallyInAFreshJvm(@TempDir Path dir) throws Exception {
        MultiLayerNetwork straight = net();
        train(straight, 0, END);
        double[] expectedParams = straight.params().toDoubleVector();
        double[] expectedState = straight.getUpdater().getStateViewArray().toDoubleVector();

        for (int k : new int[]{5, 8, END}) {   // restart boundary, mid period, last iteration
            MultiLayerNetwork first = net();
            train(first, 0, k);
            File ckpt = dir.resolve("ckpt-" + k + ".zip").toFile();
            ModelSerializer.writeModel(first, ckpt, true);
            File out = dir.resolve("out-" + k + ".bin").toFile();
            runFreshJvm(ckpt, k, out);
            double[][] got = read(out);
            assertEquals(END, (int) got[2][0], "iteration count after resuming at " + k);
            assertArrayEquals(expectedParams, got[0], 0.0, "parameters after resuming at " + k);
            assertArrayEquals(expectedState, got[1], 0.0, "updater state after resuming at " + k);
        }
    }

    private static void runFreshJvm(File ckpt, int from, File out) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", cp, ResumeMain.class.getName(), ckpt.getPath(), String.valueOf(from), out.getPath()));
        // the fresh JVM resumes on the kernel this one trained with (CI runs this suite under -Dadamw.kernel=nd4j too)
        String kernel = System.getProperty(Kernels.PROPERTY);
        if (kernel != null) cmd.add(1, "-D" + Kernels.PROPERTY + "=" + kernel);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ckpt.toPath().resolveSibling("jvm-" + from + ".log").toFile()).start();
        int rc = p.waitFor();
        if (rc != 0)
            throw new AssertionError("fresh JVM exited " + rc + ":\n"
                    + Files.readString(ckpt.toPath().resolveSibling("jvm-" + from + ".log")));
    }

    private static double[][] read(File f) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(f.toPath()))) {
            double[][] r = new double[3][];
            for (int a = 0; a < 3; a++) {
                r[a] = new double[in.readInt()];
                for (int i = 0; i < r[a].length; i++) r[a][i] = in.readDouble();
            }
            return r;
        }
    }

    /** The fresh JVM: restore the checkpoint, train to END, write parameters, updater state and iteration count. */
    public static final class ResumeMain {
        public static void main(String[] args) throws Exception {
            MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new File(args[0]), true);
            int from = Integer.parseInt(args[1]);
            if (net.getIterationCount() != from)
                throw new IllegalStateException("restored iteration count " + net.getIterationCount() + " != " + from);
            train(net, from, END);
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(Path.of(args[2])))) {
                for (double[] a : new double[][]{net.params().toDoubleVector(),
                        net.getUpdater().getStateViewArray().toDoubleVector(), {net.getIterationCount()}}) {
                    out.writeInt(a.length);
                    for (double d : a) out.writeDouble(d);
                }
            }
        }
    }
}
