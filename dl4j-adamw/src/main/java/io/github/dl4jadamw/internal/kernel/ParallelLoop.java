package io.github.dl4jadamw.internal.kernel;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A tiny fork-join for one loop over [0, n), allocation-free per call, so the CPU kernel allocates nothing per step.
 *
 * <p>The range is cut into chunks that the caller and daemon workers claim from a shared cursor, so a worker that
 * the OS does not schedule in time (a busy machine, other trainings) costs at most the chunk it holds: the caller
 * claims the rest and returns as soon as every claimed chunk is done, without waiting for idle workers to wake up.
 * Workers spin briefly after a loop before parking, which catches the next updater block of the same step.
 *
 * <p>The cursor carries the loop's generation in its high bits, so a worker that wakes late for an old loop can
 * never claim a chunk of a newer one. If another thread is already using the pool (e.g. ParallelWrapper workers
 * stepping their own model copies), the caller runs its whole loop itself rather than wait.
 *
 * <p>System properties: {@code adamw.threads} (default: {@code OMP_NUM_THREADS}, else the available processors),
 * {@code adamw.spinMicros} (how long an idle worker and a waiting caller spin before parking; default 50).
 */
final class ParallelLoop {
    interface Body {
        void run(long from, long to);
    }

    /** Below this many elements one thread is faster than waking others. */
    static final long MIN_PARALLEL = 1 << 15;
    /** Smallest chunk handed out (elements); chunks are multiples of 16 so threads never share a cache line. */
    static final long MIN_CHUNK = 1 << 14;
    /** Chunks per thread and loop: enough to rebalance when a thread is delayed, few enough to keep streams long. */
    static final int CHUNKS_PER_THREAD = 8;

    /** -Dadamw.threads, else OMP_NUM_THREADS (what ND4J's own ops use), else the number of processors. */
    private static final int THREADS = Math.max(1, Integer.getInteger("adamw.threads", ompThreads()));
    private static final long SPIN_NANOS = Math.max(0, Long.getLong("adamw.spinMicros", 50)) * 1000;

    private static final int INDEX_BITS = 32;                 // the low half indexes, the high half is the generation
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    private static final long CLOSED = INDEX_MASK;            // index value meaning "this loop takes no more claims"

    private static volatile ParallelLoop shared;

    private final Worker[] workers;
    private final ReentrantLock busy = new ReentrantLock();
    /** (generation << INDEX_BITS) | next unclaimed index. */
    private final AtomicLong cursor = new AtomicLong(CLOSED);
    /** Elements of the current loop whose chunk has finished (run or failed). */
    private final AtomicLong done = new AtomicLong();
    private volatile int generation;
    private volatile Thread caller;
    private volatile boolean callerParked;
    // the current loop; written before the cursor opens it, read only after a successful claim
    private Body body;
    private long n, chunk;
    private volatile Throwable failure;

    private ParallelLoop(int threads) {
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    private static int ompThreads() {
        try {
            String omp = System.getenv("OMP_NUM_THREADS");
            if (omp != null && Integer.parseInt(omp.trim()) > 0) return Integer.parseInt(omp.trim());
        } catch (NumberFormatException ignored) {
            // not a number: fall through to the processor count, as OpenMP itself would
        }
        return Runtime.getRuntime().availableProcessors();
    }

    static ParallelLoop shared() {
        ParallelLoop p = shared;
        if (p == null) {
            synchronized (ParallelLoop.class) {
                if (shared == null) shared = new ParallelLoop(THREADS);
                p = shared;
            }
        }
        return p;
    }

    static int threads() {
        return THREADS;
    }

    void run(long n, Body body) {
        if (workers.length == 0 || n < MIN_PARALLEL || n >= CLOSED
                || busy.isHeldByCurrentThread() || !busy.tryLock()) {   // nested, or the pool is another thread's
            body.run(0, n);
            return;
        }
        try {
            int gen = generation + 1;
            this.body = body;
            this.n = n;
            this.chunk = Math.max(MIN_CHUNK, (n / (THREADS * CHUNKS_PER_THREAD) + 15) & ~15L);
            this.caller = Thread.currentThread();
            this.failure = null;
            done.set(0);
            cursor.set((long) gen << INDEX_BITS);   // opens the loop: publishes the fields above
            generation = gen;
            for (Worker w : workers) LockSupport.unpark(w);
            work(gen);
            awaitDone(n);
            cursor.set(((long) gen << INDEX_BITS) | CLOSED);
            this.body = null;
            Throwable f = failure;
            if (f != null) {
                failure = null;
                if (f instanceof RuntimeException) throw (RuntimeException) f;
                if (f instanceof Error) throw (Error) f;
                throw new IllegalStateException(f);
            }
        } finally {
            busy.unlock();
        }
    }

    /** Claims and runs chunks of loop {@code gen} until none is left. */
    private void work(int gen) {
        while (true) {
            long c = cursor.get();
            if ((int) (c >>> INDEX_BITS) != gen) return;   // an older or newer loop
            long from = c & INDEX_MASK;
            if (from >= n) return;                          // n is this loop's: read after the tag matched
            long to = Math.min(from + chunk, n);
            if (!cursor.compareAndSet(c, c + (to - from))) continue;
            try {
                body.run(from, to);
            } catch (Throwable t) {
                if (failure == null) failure = t;
            }
            if (done.addAndGet(to - from) == n && callerParked) LockSupport.unpark(caller);
        }
    }

    /**
     * Waits for the workers' chunks: spins briefly, then parks. An interrupted caller still waits (its chunks' memory is
     * in use), parked rather than spinning, since park returns at once while the interrupt flag is set; the flag is
     * set again on return.
     */
    private void awaitDone(long n) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        boolean interrupted = false;
        while (done.get() != n) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                callerParked = true;
                if (done.get() != n) LockSupport.park(this);
                callerParked = false;
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private final class Worker extends Thread {
        Worker(int index) {
            super("adamw-kernel-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            int seen = generation;
            while (true) {
                int gen = generation;
                if (gen == seen) {
                    idle(seen);
                    continue;
                }
                seen = gen;
                work(gen);
            }
        }

        /**
         * Spins a little for the next loop, then parks until unparked. An interrupt means nothing to a pool worker; it
         * is cleared, or park would return at once and the worker would spin.
         */
        private void idle(int seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(ParallelLoop.this);
                    Thread.interrupted();
                }
            }
        }
    }
}
