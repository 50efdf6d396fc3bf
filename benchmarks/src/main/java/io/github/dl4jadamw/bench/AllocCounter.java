package io.github.dl4jadamw.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated per measured iteration by the threads that run a step: the benchmark thread and the CPU kernel's
 * pool workers ({@code adamw-kernel-*}). JMH's {@code gc.alloc.rate.norm} sums every thread of the JVM (JMH's own,
 * ND4J's), whose per-iteration allocations, divided by the few steps a 16M iteration holds, read as hundreds of bytes
 * per step; this counter does not. It reads the counters around each step (a few microseconds, outside the work
 * measured only by the few ns the reads take); {@link BenchMain} divides {@code allocBytes} by {@code steps}.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class AllocCounter {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Bytes the step threads allocated during the iteration. */
    public long allocBytes;
    /** Steps run during the iteration. */
    public long steps;

    private long[] workers = new long[0];
    private long workersBefore, selfBefore;

    @Setup(Level.Iteration)
    public void findWorkers() {
        workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("adamw-kernel-")).mapToLong(Thread::getId).toArray();
    }

    /** Just before a step: what the reads themselves allocate falls outside [selfBefore, self after]. */
    void beforeStep() {
        workersBefore = workers();
        selfBefore = MX.getCurrentThreadAllocatedBytes();
    }

    void afterStep() {
        long self = MX.getCurrentThreadAllocatedBytes() - selfBefore;
        allocBytes += self + (workers() - workersBefore);
        steps++;
    }

    private long workers() {
        long sum = 0;
        if (workers.length > 0)
            for (long b : MX.getThreadAllocatedBytes(workers)) sum += Math.max(0, b);
        return sum;
    }
}
