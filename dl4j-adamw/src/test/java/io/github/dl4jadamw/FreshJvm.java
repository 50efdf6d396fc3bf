package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.kernel.Kernels;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a main class in a fresh JVM, and hands arrays of doubles across the process boundary, for the resume tests. */
final class FreshJvm {
    private FreshJvm() {}

    /**
     * Runs {@code main} with {@code args} on this test's class path, on the kernel this JVM uses (CI runs the suite
     * under -Dadamw.kernel=nd4j too); its output goes to {@code log}. Fails with the log if it exits non-zero.
     */
    static void run(Class<?> main, File log, String... args) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", cp, main.getName()));
        cmd.addAll(List.of(args));
        String kernel = System.getProperty(Kernels.PROPERTY);
        if (kernel != null) cmd.add(1, "-D" + Kernels.PROPERTY + "=" + kernel);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        int rc = p.waitFor();
        if (rc != 0) throw new AssertionError("fresh JVM exited " + rc + ":\n" + Files.readString(log.toPath()));
    }

    static void write(Path file, double[]... arrays) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            for (double[] a : arrays) {
                out.writeInt(a.length);
                for (double d : a) out.writeDouble(d);
            }
        }
    }

    static double[][] read(File file, int count) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file.toPath()))) {
            double[][] r = new double[count][];
            for (int a = 0; a < count; a++) {
                r[a] = new double[in.readInt()];
                for (int i = 0; i < r[a].length; i++) r[a][i] = in.readDouble();
            }
            return r;
        }
    }
}
