package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.kernel.Kernels;

import java.util.function.Supplier;

/**
 * Runs test code with {@code -Dadamw.kernel} set to one kernel, then puts back the value the JVM had. CI runs the
 * whole library suite a second time under {@code -Dadamw.kernel=nd4j} in one JVM: a test that cleared the property
 * instead would send every later test class to the CPU kernel.
 */
public final class KernelChoice {
    private KernelChoice() {}

    /** {@code body} with the kernel chosen by name ({@code cpu}, {@code nd4j}, {@code auto}; any case). */
    public static <T> T with(String kernel, Supplier<T> body) {
        String prev = System.getProperty(Kernels.PROPERTY);
        System.setProperty(Kernels.PROPERTY, kernel);
        try {
            return body.get();
        } finally {
            if (prev == null) System.clearProperty(Kernels.PROPERTY);
            else System.setProperty(Kernels.PROPERTY, prev);
        }
    }

    public static void with(String kernel, Runnable body) {
        with(kernel, () -> {
            body.run();
            return null;
        });
    }
}
