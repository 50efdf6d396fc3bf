package io.github.dl4jadamw.internal.kernel;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ParallelLoopTest {

    /** Records how often each index was visited. */
    static final class Coverage implements ParallelLoop.Body {
        final AtomicIntegerArray hits;

        Coverage(int n) {
            hits = new AtomicIntegerArray(n);
        }

        @Override
        public void run(long from, long to) {
            for (long i = from; i < to; i++) hits.incrementAndGet((int) i);
        }

        /** Null if every index was visited {@code times} times, else the first offender. */
        String check(int times) {
            for (int i = 0; i < hits.length(); i++)
                if (hits.get(i) != times) return "index " + i + " visited " + hits.get(i) + " times, not " + times;
            return null;
        }
    }

    @Test
    void everyIndexExactlyOnce() {
        long min = ParallelLoop.MIN_PARALLEL;
        for (long n : new long[]{0, 1, 17, min - 1, min, min + 1, 3 * min + 7, 1_000_003}) {
            Coverage c = new Coverage((int) n);
            for (int rep = 0; rep < 5; rep++) ParallelLoop.shared().run(n, c);
            assertNull(c.check(5), "n = " + n);
        }
    }

    /** Several threads at once (ParallelWrapper workers stepping their own models): each loop still covers its range. */
    @Test
    void concurrentCallers() throws Exception {
        int threads = 4, loops = 200, n = (int) (2 * ParallelLoop.MIN_PARALLEL + 5);
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicReference<String> problem = new AtomicReference<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    Coverage c = new Coverage(n);
                    start.await();
                    for (int i = 0; i < loops; i++) ParallelLoop.shared().run(n, c);
                    String p = c.check(loops);
                    if (p != null) problem.compareAndSet(null, p);
                } catch (Throwable e) {   // errors too: a thread's uncaught throwable would only be printed
                    problem.compareAndSet(null, e.toString());
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join(120_000);
            assertFalse(th.isAlive(), "a caller still runs after 120 s: the pool hangs");
        }
        assertNull(problem.get());
    }

    @Test
    void failureInAnyChunkReachesTheCallerAndThePoolStillWorks() {
        long n = 4 * ParallelLoop.MIN_PARALLEL;
        IllegalStateException boom = new IllegalStateException("boom");
        ParallelLoop.Body failing = (from, to) -> {
            if (to == n) throw boom; // the last chunk, whichever thread runs it
        };
        assertSame(boom, assertThrows(IllegalStateException.class, () -> ParallelLoop.shared().run(n, failing)));
        Coverage c = new Coverage((int) n);
        ParallelLoop.shared().run(n, c);
        assertNull(c.check(1));
    }

    /**
     * An interrupted caller waits for a slow worker parked, not spinning (park returns at once while the interrupt flag
     * is set), and keeps its interrupt flag. Measured as the caller's CPU time while a worker sleeps 300 ms, read by
     * that worker: spinning would burn about all of it. The caller's own chunks hold on until a worker has one.
     */
    @Test
    void anInterruptedCallerWaitsParkedAndStaysInterrupted() {
        assumeTrue(ParallelLoop.threads() > 1, "one thread: the loop runs inline");
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled(), "no per-thread CPU time here");
        long n = 4 * ParallelLoop.MIN_PARALLEL;
        Thread caller = Thread.currentThread();
        AtomicBoolean workerStarted = new AtomicBoolean();
        AtomicReference<Long> callerCpuWhileWaiting = new AtomicReference<>();
        Coverage c = new Coverage((int) n);
        ParallelLoop.Body body = (from, to) -> {
            c.run(from, to);
            if (Thread.currentThread() == caller) {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!workerStarted.get() && System.nanoTime() < deadline) Thread.onSpinWait();
            } else if (workerStarted.compareAndSet(false, true)) {
                long before = mx.getThreadCpuTime(caller.getId());
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                callerCpuWhileWaiting.set((mx.getThreadCpuTime(caller.getId()) - before) / 1_000_000);
            }
        };
        caller.interrupt();
        boolean kept;
        try {
            ParallelLoop.shared().run(n, body);
        } finally {
            kept = Thread.interrupted();   // clears it: later tests run in this thread
        }
        assertTrue(kept, "the caller's interrupt flag is kept");
        assertNull(c.check(1));
        assertTrue(workerStarted.get(), "no worker took a chunk: nothing was waited for");
        long cpuMillis = callerCpuWhileWaiting.get();
        assertTrue(cpuMillis < 150, "the caller used " + cpuMillis + " ms of CPU while a worker slept 300 ms");
    }

    /**
     * An interrupted pool worker goes back to sleep between loops instead of spinning (park returns at once while the
     * interrupt flag is set), and the pool still works. Measured as the workers' CPU time over 300 ms of idling.
     */
    @Test
    void anInterruptedWorkerIdlesParked() throws InterruptedException {
        assumeTrue(ParallelLoop.threads() > 1, "one thread: no workers");
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled(), "no per-thread CPU time here");
        long n = 4 * ParallelLoop.MIN_PARALLEL;
        ParallelLoop.shared().run(n, new Coverage((int) n));   // the workers exist
        List<Thread> workers = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet())
            if (t.getName().startsWith("adamw-kernel-")) workers.add(t);
        assertTrue(!workers.isEmpty(), "no pool workers found");
        for (Thread t : workers) t.interrupt();
        Thread.sleep(50);   // past their spin before parking
        long cpu0 = 0, cpu1 = 0;
        for (Thread t : workers) cpu0 += mx.getThreadCpuTime(t.getId());
        Thread.sleep(300);
        for (Thread t : workers) cpu1 += mx.getThreadCpuTime(t.getId());
        long cpuMillis = (cpu1 - cpu0) / 1_000_000;
        assertTrue(cpuMillis < 100, workers.size() + " idle, interrupted workers used " + cpuMillis + " ms of CPU in 300 ms");
        Coverage c = new Coverage((int) n);
        ParallelLoop.shared().run(n, c);
        assertNull(c.check(1));
    }

    /** Nested use from inside a body runs inline instead of corrupting the loop in progress. */
    @Test
    void nestedLoopRunsInline() {
        int n = (int) (2 * ParallelLoop.MIN_PARALLEL);
        Coverage inner = new Coverage(n);
        Coverage outer = new Coverage(n);
        ParallelLoop.shared().run(n, (from, to) -> {
            outer.run(from, to);
            if (from == 0) ParallelLoop.shared().run(n, inner);
        });
        assertNull(outer.check(1));
        assertNull(inner.check(1));
    }

    @Test
    void allocatesNothingPerLoop() {
        long n = 4 * ParallelLoop.MIN_PARALLEL;
        long[] sink = new long[1];
        ParallelLoop.Body body = (from, to) -> {
            long s = 0;
            for (long i = from; i < to; i++) s += i;
            synchronized (sink) { sink[0] += s; }
        };
        assertEquals(0, Allocation.minBytesPerWindow(() -> ParallelLoop.shared().run(n, body), 200, 5));
    }

    /** Bytes allocated by the calling thread and the pool's workers. */
    static final class Allocation {
        private static final com.sun.management.ThreadMXBean MX =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        private static long[] workerIds() {
            return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("adamw-kernel-"))
                    .mapToLong(Thread::getId).toArray();
        }

        private static long sum(long[] ids) {
            long s = 0;
            for (long b : MX.getThreadAllocatedBytes(ids)) s += b;
            return s;
        }

        /**
         * Runs {@code action} {@code perWindow} times per window after a warm-up, and returns the fewest bytes any
         * window allocated in the calling thread and the pool's workers (a JIT deoptimization can allocate once; a
         * per-call allocation shows in every window).
         */
        static long minBytesPerWindow(Runnable action, int perWindow, int windows) {
            for (int i = 0; i < 2000; i++) action.run();
            long[] workers = workerIds();
            long best = Long.MAX_VALUE;
            for (int w = 0; w < windows; w++) {
                long w0 = sum(workers);                       // allocates on this thread, outside [c0, c1]
                long c0 = MX.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < perWindow; i++) action.run();
                long c1 = MX.getCurrentThreadAllocatedBytes();
                long w1 = sum(workers);
                best = Math.min(best, (c1 - c0) + (w1 - w0));
            }
            return best;
        }
    }
}
