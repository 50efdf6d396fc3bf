package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.kernel.Buffers;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The networks whose decay configuration {@link DecayPass} has checked (by {@link DecayTable#of},
 * {@link DecayRules#applyTo}, or {@link AdamWListener} before the first update), keyed weakly by their parameters' root
 * buffers (a SameDiff: each variable's).
 *
 * <p>Why it exists: DL4J merges a global {@code .weightDecay}/{@code .l2}/{@code .l1} into a layer's list beside the
 * marker (and a layer's own beside a global marker) in plain lists, and hands an updater neither the network nor those
 * lists, so the double decay can only be seen where the network is in hand. A network that reaches its first decay
 * mark unchecked gets one warning per JVM saying how to check it.
 */
final class CheckedNetworks {
    private static final Logger LOG = LoggerFactory.getLogger(CheckedNetworks.class);
    private static final WeakIdentityMap<DataBuffer, Boolean> CHECKED = new WeakIdentityMap<>();
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private CheckedNetworks() {}

    static void add(INDArray params) {
        if (params == null) return;
        synchronized (CHECKED) {
            CHECKED.put(Buffers.root(params), Boolean.TRUE);
        }
    }

    static boolean contains(INDArray params) {
        if (params == null) return false;
        synchronized (CHECKED) {
            return CHECKED.get(Buffers.root(params)) != null;
        }
    }

    /**
     * At a decay mark: warns once per JVM if this parameter's network was never checked, and says whether it was (or
     * the warning was given already), so the caller can stop asking for this network. After the warning nothing is
     * looked up any more.
     */
    static boolean atMark(INDArray param) {
        if (WARNED.get() || contains(param)) return true;
        if (WARNED.compareAndSet(false, true))
            LOG.warn("DecoupledWeightDecay: this network's decay configuration was not checked before training. DL4J "
                    + "gives an updater neither the network nor its layers' regularization lists, so a DL4J "
                    + ".weightDecay/.l2/.l1 merged beside the marker (both parameters then decay twice) is caught only "
                    + "where the network is in hand: call DecayTable.of(net) (it prints every parameter and refuses a "
                    + "double decay by layer and key) or DecayRules.applyTo(net) before fit, or add AdamWListener, "
                    + "which runs the same check before the first update. Copies that ParallelWrapper or Spark make "
                    + "of a checked network count as new networks here. Said once per JVM.");
        return false;
    }

    /** Whether the once-per-JVM warning was given (for tests). */
    static boolean warned() {
        return WARNED.get();
    }

    /** Forgets the warning (for tests). */
    static void resetWarning() {
        WARNED.set(false);
    }
}
