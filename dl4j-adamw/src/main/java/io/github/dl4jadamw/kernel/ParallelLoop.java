package io.github.dl4jadamw.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A tiny fork-join for one loop over [0, n): the caller runs the first chunk, daemon workers the others. No
 * allocation per call (workers park/unpark on a generation counter), so the CPU kernel allocates nothing per step.
 * If another thread is already using the pool (e.g. ParallelWrapper workers), the caller runs the whole loop
 * itself rather than wait.
 */
final class ParallelLoop {
    interface Body {
        void run(long from, long to);
    }

    /** Below this many elements one thread is faster than waking others. */
    static final long MIN_PARALLEL = 1 << 15;

    private static final int THREADS = Math.max(1, Integer.getInteger("adamw.threads",
            Runtime.getRuntime().availableProcessors()));
    private static volatile ParallelLoop shared;

    private final Worker[] workers;
    private final ReentrantLock busy = new ReentrantLock();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Thread caller;
    private Body body;
    private long n;

    private ParallelLoop(int threads) {
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
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
        if (workers.length == 0 || n < MIN_PARALLEL || !busy.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            this.body = body;
            this.n = n;
            this.caller = Thread.currentThread();
            pending.set(workers.length);
            for (Worker w : workers) w.go();
            Throwable failure = null;
            try {
                body.run(0, chunkEnd(0, n));
            } catch (Throwable t) {
                failure = t;
            }
            while (pending.get() > 0) LockSupport.park(this);
            for (Worker w : workers) {
                if (w.failure != null && failure == null) failure = w.failure;
                w.failure = null;
            }
            this.body = null;
            if (failure instanceof RuntimeException) throw (RuntimeException) failure;
            if (failure instanceof Error) throw (Error) failure;
            if (failure != null) throw new IllegalStateException(failure);
        } finally {
            busy.unlock();
        }
    }

    /** Chunks end on multiples of 16 elements so threads never share a cache line. */
    private long chunkEnd(int chunk, long n) {
        int parts = workers.length + 1;
        if (chunk == parts - 1) return n;
        return ((n * (chunk + 1) / parts) + 15) & ~15L;
    }

    private final class Worker extends Thread {
        private final int index;
        private volatile long generation;
        private long seen;
        Throwable failure;

        Worker(int index) {
            super("adamw-kernel-" + index);
            this.index = index;
            setDaemon(true);
        }

        void go() {
            generation++;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (true) {
                while (generation == seen) LockSupport.park(this);
                seen = generation;
                try {
                    long from = Math.min(chunkEnd(index - 1, n), n), to = Math.min(chunkEnd(index, n), n);
                    if (from < to) body.run(from, to);
                } catch (Throwable t) {
                    failure = t;
                }
                if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        }
    }
}
