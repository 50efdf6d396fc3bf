package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.kernel.Buffers;
import io.github.dl4jadamw.internal.kernel.DecaySegments;
import io.github.dl4jadamw.internal.kernel.FiniteScan;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-thread hand-over of parameter views from {@link DecoupledWeightDecay} to the updater of the same block, and the
 * per-thread memory of which network gradient was already checked for NaN/Inf this step. DL4J runs, in one thread and
 * for one block at a time: BEFORE_UPDATER regularizations for each parameter of the block, then the block's updater.
 * Entries are keyed by their position in the network's flattened gradient buffer, which is how the updater (given only
 * its gradient block) finds the parameters that lie inside it.
 *
 * <p>Allocation-free in steady state: entries are pooled and reused, and the NaN/Inf check scans the gradient buffer
 * itself on nd4j-native FLOAT/DOUBLE.
 *
 * <p>Nothing here keeps a network's memory reachable once the network is discarded, though the ledger lives as long
 * as its thread: only a decayed entry holds its parameter view, and drops it when its block has stepped ({@link
 * Segments#release}); the gradient buffer the entries lie in and the one last checked are held weakly. One exception:
 * a decay mark no AdamW block consumed (a misconfiguration) keeps its parameter view until the thread's next mark,
 * which reports it; if that mark is another network's, the error is kept (without the view) and reported at its own
 * network's next mark.
 */
final class DecayLedger {
    private static final Logger LOG = LoggerFactory.getLogger(DecayLedger.class);
    private static final ThreadLocal<DecayLedger> LEDGER = ThreadLocal.withInitial(DecayLedger::new);

    static DecayLedger forThread() {
        return LEDGER.get();
    }

    /** One marked parameter: where its gradient sits, its parameter view (if decayed), and whether to decay it. */
    static final class Entry {
        long gradOffset;
        long length;
        INDArray param;
        boolean decay;
        int iteration, epoch;
        /** Offset relative to the consuming block's gradient (set by {@link #take}). */
        long blockOffset;
        /** The parameter in the user's words ("layer 'dense' (index 0), key W") where the mark knows it, else null. */
        String label;

        /** Drops the reference into the network's memory once the entry is done with. */
        void release() {
            param = null;
        }
    }

    private final List<Entry> pool = new ArrayList<>();
    private int size;
    /** The gradient buffer the entries [0, size) lie in (one network's); weak, so it keeps no network alive. */
    private WeakReference<DataBuffer> entriesRoot = new WeakReference<>(null);
    private final Segments segments = new Segments();
    /** The parameters' root buffer of the last network {@link CheckedNetworks} answered for (weak). */
    private WeakReference<DataBuffer> knownParams = new WeakReference<>(null);

    void mark(INDArray param, INDArray gradView, boolean decay, int iteration, int epoch) {
        mark(param, gradView, decay, iteration, epoch, null);
    }

    /** The same, with the parameter's label for messages ({@link RuledDecay} knows it; the plain marker does not). */
    void mark(INDArray param, INDArray gradView, boolean decay, int iteration, int epoch, String label) {
        NetworkStep.atMark(gradView, iteration, epoch);   // the network's pass, if this is the step's first touch
        if (decay && Buffers.root(param) != knownParams.get() && CheckedNetworks.atMark(param))
            knownParams = new WeakReference<>(Buffers.root(param));   // asked once per network and thread
        DataBuffer buf = Buffers.root(gradView);
        long off = gradView.offset();
        if (param.length() != gradView.length())
            throw new IllegalStateException("DecoupledWeightDecay: parameter length " + param.length()
                    + " differs from its gradient length " + gradView.length());
        if (decay && !sameMemoryOrder(param, gradView))
            param = param.dup(gradView.ordering());   // θ before this step's update: a copy is the same values
        if (buf != entriesRoot.get()) {   // another network marks now (networks alternating in one thread: a GAN)
            rememberUnconsumed();
            clear();
            entriesRoot = new WeakReference<>(buf);
            IllegalStateException left = unconsumedOf(buf);
            if (left != null) throw left;
        }
        for (int i = 0; i < size; i++) {
            Entry e = pool.get(i);
            if (e.iteration != iteration || e.epoch != epoch) {
                if (!e.decay) {          // an exclusion no AdamW block took: it asked for nothing
                    removeAt(i--);
                    continue;
                }
                clear();
                throw notConsumed(e);
            }
            if (e.gradOffset == off) {   // the same parameter marked again (DL4J duplicates global regularizations)
                e.decay &= decay;        // an explicit exclusion wins
                if (!e.decay) e.release();
                if (e.label == null) e.label = label;
                return;
            }
        }
        Entry e = obtain();
        e.gradOffset = off;
        e.length = gradView.length();
        e.param = decay ? param : null;   // an exclusion needs no parameter
        e.decay = decay;
        e.iteration = iteration;
        e.epoch = epoch;
        e.label = label;
    }

    /**
     * Whether element k of the parameter's memory pairs with element k of its gradient's, as the kernels pair them. In
     * DL4J's networks both are views of flat buffers with one layout; a SameDiff variable created from an 'f' array
     * has a 'c' gradient, which would pair θ[i,j] with g[j,i].
     */
    private static boolean sameMemoryOrder(INDArray param, INDArray grad) {
        if (param.length() <= 1 || (param.isVector() && grad.isVector())) return true;
        if (param.rank() != grad.rank()) return false;
        for (int i = 0; i < param.rank(); i++)   // size(i)/stride(i), not shape()/stride(): those copy, every step
            if (param.size(i) != grad.size(i) || param.stride(i) != grad.stride(i)) return false;
        return true;
    }

    /**
     * Removes and returns the entries that lie inside {@code blockGradient}, sorted by offset, as segments relative
     * to the block. Throws if entries of the same network that ask for decay were left by an earlier block (their
     * updater was not AdamW, so the decay would silently not happen); excluded ones are dropped, so a layer with another
     * updater takes the global marker off with {@code DecoupledWeightDecay.excluded()}.
     */
    Segments take(INDArray blockGradient) {
        segments.clear();
        if (Buffers.root(blockGradient) != entriesRoot.get())
            return segments;   // nothing marked in this buffer; another buffer's entries wait for the next mark
        long start = blockGradient.offset(), end = start + blockGradient.length();
        for (int i = 0; i < size; i++) {
            Entry e = pool.get(i);
            if (e.gradOffset >= start && e.gradOffset + e.length <= end) {
                e.blockOffset = e.gradOffset - start;
                segments.marked++;
                if (e.decay) segments.add(e);
            } else if (e.decay) {        // left by an earlier block whose updater was not AdamW
                clear();
                throw notConsumed(e);
            }                            // else an exclusion on an earlier, non-AdamW block: it asked for nothing
        }
        size = 0;   // every entry lay in this block or before it; the decayed ones are released after the step
        segments.sort();
        return segments;
    }

    // ---- once-per-step gradient check (see NonFiniteGradients) ----
    private WeakReference<DataBuffer> checkedRoot = new WeakReference<>(null);
    private int checkedIteration, checkedEpoch;
    private long checkedBlockOffset;   // offset of the last block that used this check
    private boolean skipStep;

    /**
     * At the first AdamW block of a step (per network gradient buffer), scans the whole flattened gradient for NaN/Inf
     * before anything is written, unless that block's policy is UNCHECKED. Returns true if this step is to be skipped;
     * throws under FAIL. The first block's policy holds for the whole step.
     *
     * <p>{@code updater} names the configuration in messages (AdamW, AdamWR, SGDW, SGDWR).
     *
     * <p>A step is recognized by (gradient buffer, iteration, epoch) and by DL4J visiting a network's blocks in
     * increasing offset order: a block at or before the last one seen starts a new step even if the counters repeat
     * (a reset iteration counter, a step retried after an exception).
     */
    boolean nonFiniteStep(INDArray blockGradient, int iteration, int epoch, NonFiniteGradients policy, String updater) {
        DataBuffer root = Buffers.root(blockGradient);
        long blockOffset = blockGradient.offset();
        if (root == checkedRoot.get() && iteration == checkedIteration && epoch == checkedEpoch
                && blockOffset > checkedBlockOffset) {
            checkedBlockOffset = blockOffset;
            return skipStep;
        }
        checkedBlockOffset = blockOffset;
        if (root != checkedRoot.get()) checkedRoot = new WeakReference<>(root);
        checkedIteration = iteration;
        checkedEpoch = epoch;
        skipStep = false;
        if (policy == NonFiniteGradients.UNCHECKED) return false;
        if (NetworkStep.provedFinite(root, iteration, epoch)) return false;   // its norm pass read every value
        long first = firstNonFinite(root, blockGradient.dataType());
        if (first < 0) return false;
        String what = "the gradient at iteration " + iteration + " holds NaN/Inf (first at index " + first
                + " of the network's flattened gradient, value " + root.getDouble(first) + ")";
        if (policy == NonFiniteGradients.FAIL) {
            checkedRoot = new WeakReference<>(null);
            clear();
            throw new NonFiniteGradientException(updater + ": " + what + "; " + updater + " changed no parameter or "
                    + "optimizer state in this step (in SameDiff, variables updated before this one have stepped: see "
                    + "NonFiniteGradients). Set nonFiniteGradients(SKIP_STEP) to skip such steps instead.", iteration, first);
        }
        LOG.warn("{}: {}; skipping this step (parameters and state unchanged)", updater, what);
        // The whole flattened gradient becomes 0, not only this block's: DL4J subtracts it from the parameters after
        // every block has run, and blocks after this one would otherwise step on the NaN, BatchNormalization's running
        // mean and variance (whose "gradient" is their change) first of all. It also cancels the parameter change of
        // blocks that ran before (their optimizer state has moved: see NonFiniteGradients).
        zero(root, blockGradient.dataType());
        skipStep = true;
        return true;
    }

    private static void zero(DataBuffer root, DataType type) {
        whole(root, type).assign(0);
    }

    /** The whole root buffer as one flat array (made for the call: the scan path needs none). */
    private static INDArray whole(DataBuffer root, DataType type) {
        return Nd4j.create(root, new long[]{root.length()}, new long[]{1}, 0, 'c', type);
    }

    /**
     * Index of the first NaN/±Inf among the whole root buffer's values, or −1: a Java pass on nd4j-native FLOAT/DOUBLE
     * ({@link FiniteScan}: over the buffer itself, allocation-free, at memory speed), libnd4j ops elsewhere (CUDA,
     * 16-bit types) on an array over the buffer made for the call.
     */
    private static long firstNonFinite(DataBuffer root, DataType type) {
        if (FiniteScan.supports(type)) return FiniteScan.firstNonFinite(root, 0, root.length(), type);
        return firstNonFiniteByOps(whole(root, type));
    }

    /**
     * The same with libnd4j ops only: what CUDA and 16-bit networks run. The verdict comes from MatchCondition's count;
     * the index from halving the range with the same count (2n more values read, only on a bad step), not from
     * libnd4j's FirstIndex ({@code BooleanIndexing.firstIndex}), which in 1.0.0-M2.1 returns −1 for a match in the
     * first part of a large array (measured on nd4j-native: a NaN at index 0 or 5 of 10,000 values is "not found"),
     * and relying on it once let such a step through as finite. 16-bit values are checked on a float32 copy, made every
     * step: MatchCondition misses some HALF NaN bit patterns (0x7E00, what {@code putScalar(NaN)} writes; 0x7FFF is
     * seen).
     */
    static long firstNonFiniteByOps(INDArray all) {
        if (all.dataType() == DataType.HALF || all.dataType() == DataType.BFLOAT16) all = all.castTo(DataType.FLOAT);
        if (countNonFinite(all) == 0) return -1;
        long lo = 0, hi = all.length();   // [lo, hi) holds the first non-finite value
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (countNonFinite(all.get(NDArrayIndex.interval(lo, mid))) > 0) hi = mid;
            else lo = mid;
        }
        return lo;
    }

    private static long countNonFinite(INDArray a) {
        return Nd4j.getExecutioner().exec(new MatchCondition(a, Conditions.notFinite())).getLong(0);
    }

    void clear() {
        for (int i = 0; i < size; i++) pool.get(i).release();
        size = 0;
    }

    /**
     * Decay marks that the previous network's updaters did not take (a marker on a layer whose updater is not ours),
     * kept as that network's error when another network's marks replace them: the same error it would meet at its
     * next step if it trained alone, reported at that step. Weak keys: a discarded network leaves nothing behind.
     */
    private final List<WeakReference<DataBuffer>> unconsumedRoots = new ArrayList<>();
    private final List<IllegalStateException> unconsumedErrors = new ArrayList<>();

    private void rememberUnconsumed() {
        DataBuffer prev = entriesRoot.get();
        if (prev == null) return;
        for (int i = 0; i < size; i++) {
            Entry e = pool.get(i);
            if (e.decay) {
                unconsumedRoots.add(new WeakReference<>(prev));
                unconsumedErrors.add(notConsumed(e));
                return;
            }
        }
    }

    /** The remembered error of this buffer's network, removed; also forgets those of discarded networks. */
    private IllegalStateException unconsumedOf(DataBuffer buf) {
        IllegalStateException found = null;
        for (int i = unconsumedRoots.size() - 1; i >= 0; i--) {
            DataBuffer b = unconsumedRoots.get(i).get();
            if (b == null || b == buf) {
                if (b == buf) found = unconsumedErrors.get(i);
                unconsumedRoots.remove(i);
                unconsumedErrors.remove(i);
            }
        }
        return found;
    }

    private static IllegalStateException notConsumed(Entry e) {
        String which = e.label != null ? e.label + " (iteration " + e.iteration + ")"
                : "a parameter (" + e.length + " values at offset " + e.gradOffset + " of the network's gradient, "
                + "iteration " + e.iteration + "; DecayTable.of(net) names it)";
        return new IllegalStateException("DecoupledWeightDecay marked " + which + " for decay, but its updater is not "
                + "AdamW/AdamWR/SGDW/SGDWR, so the decay it asks for would not happen. Give that layer one of these "
                + "updaters, or remove the marker from it (DecoupledWeightDecay.excluded() on the layer).");
    }

    private void removeAt(int i) {
        swap(i, size - 1);
        pool.get(--size).release();
    }

    private void swap(int i, int j) {
        if (i == j) return;
        Entry a = pool.get(i);
        pool.set(i, pool.get(j));
        pool.set(j, a);
    }

    private Entry obtain() {
        if (size == pool.size()) pool.add(new Entry());
        return pool.get(size++);
    }

    /** The decayed parameters of one block, ordered by offset; reused between steps. */
    static final class Segments implements DecaySegments {
        private final List<Entry> list = new ArrayList<>();
        private int n;
        /** Parameters of the block that carried a marker at all (decayed or explicitly excluded). */
        int marked;

        void clear() { n = 0; marked = 0; }

        /** After the block's step: its entries let go of the parameter views and the gradient buffer. */
        void release() {
            for (int i = 0; i < n; i++) list.get(i).release();
        }

        void add(Entry e) {
            if (n == list.size()) list.add(e); else list.set(n, e);
            n++;
        }

        void sort() { // insertion sort: a handful of entries, no allocation
            for (int i = 1; i < n; i++) {
                Entry e = list.get(i);
                int j = i - 1;
                while (j >= 0 && list.get(j).blockOffset > e.blockOffset) { list.set(j + 1, list.get(j)); j--; }
                list.set(j + 1, e);
            }
        }

        @Override public int count() { return n; }
        @Override public long offset(int i) { return list.get(i).blockOffset; }
        @Override public long length(int i) { return list.get(i).length; }
        @Override public INDArray param(int i) { return list.get(i).param; }
    }
}
