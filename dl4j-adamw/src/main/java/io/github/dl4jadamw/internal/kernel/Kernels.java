package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;

/**
 * Chooses the kernel for an updater: the {@link CpuKernel} on nd4j-native for FLOAT and DOUBLE, the
 * {@link Nd4jOpKernel} otherwise (CUDA, HALF, BFLOAT16). Force one with {@code -Dadamw.kernel=cpu|nd4j}
 * ({@code auto} is the default); forcing {@code cpu} where it cannot run is an error, not a silent fallback.
 */
public final class Kernels {
    public static final String PROPERTY = "adamw.kernel";

    private Kernels() {}

    public enum Choice { AUTO, CPU, ND4J }

    public static Choice configured() {
        String p = System.getProperty(PROPERTY, "auto").trim().toUpperCase(Locale.ROOT);
        try {
            return Choice.valueOf(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + System.getProperty(PROPERTY)
                    + " is invalid: must be one of auto, cpu, nd4j");
        }
    }

    public static boolean nativeCpuBackend() {
        return Nd4j.getBackend().getClass().getSimpleName().equals("CpuBackend");
    }

    public static AdamWKernel forType(DataType type) {
        return forType(type, configured());
    }

    public static AdamWKernel forType(DataType type, Choice choice) {
        boolean cpuOk = CpuKernel.supports(type) && nativeCpuBackend();
        switch (choice) {
            case CPU:
                if (!cpuOk)
                    throw new IllegalStateException("-D" + PROPERTY + "=cpu: the CPU kernel runs FLOAT and DOUBLE on "
                            + "nd4j-native; here the type is " + type + " on " + Nd4j.getBackend().getClass().getSimpleName());
                return new CpuKernel();
            case ND4J:
                return new Nd4jOpKernel();
            default:
                return cpuOk ? new CpuKernel() : new Nd4jOpKernel();
        }
    }
}
