package io.github.dl4jadamw;

import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.ArrayList;
import java.util.Collection;

/**
 * The mutable list {@link DecoupledWeightDecay#onWeights()} and {@link DecoupledWeightDecay#onBiases()} return. DL4J's
 * builders append their own decay to the list they were given: {@code .regularization(onWeights()).weightDecay(0.01)}
 * appends a {@code WeightDecay} to this very list, and the layer then decays twice (AdamW's decoupled decay and DL4J's,
 * for {@code l2}/{@code l1} a penalty on top). The append is refused here, so the error points at the line that wrote
 * it. Lists DL4J copies later are plain lists: {@link DecayTable} checks those, by layer and parameter.
 */
final class MarkerList extends ArrayList<Regularization> {
    private static final long serialVersionUID = 1L;

    MarkerList(Regularization marker) {
        super.add(marker);
    }

    @Override
    public boolean add(Regularization r) {
        check(r);
        return super.add(r);
    }

    @Override
    public void add(int index, Regularization r) {
        check(r);
        super.add(index, r);
    }

    @Override
    public boolean addAll(Collection<? extends Regularization> c) {
        for (Regularization r : c) check(r);
        return super.addAll(c);
    }

    @Override
    public boolean addAll(int index, Collection<? extends Regularization> c) {
        for (Regularization r : c) check(r);
        return super.addAll(index, c);
    }

    @Override
    public Regularization set(int index, Regularization r) {
        check(r);
        return super.set(index, r);
    }

    private void check(Regularization r) {
        if (!isDl4jDecay(r)) return;
        for (Regularization m : this)
            if (m instanceof DecoupledWeightDecay && ((DecoupledWeightDecay) m).isDecay()
                    && !((DecoupledWeightDecay) m).isTogetherWithDl4j())
                throw new IllegalArgumentException(stacked(r, "the list DecoupledWeightDecay.onWeights()/onBiases() "
                        + "returned (DL4J's builder appended to it)"));
    }

    /** DL4J's own decays and penalties, which stack on decoupled decay. */
    static boolean isDl4jDecay(Regularization r) {
        return r instanceof WeightDecay || r instanceof L2Regularization || r instanceof L1Regularization;
    }

    /** The message for DL4J's decay stacked on the marker; {@code where} names the parameters. */
    static String stacked(Regularization r, String where) {
        return "DecoupledWeightDecay: " + r + " (DL4J's " + r.getClass().getSimpleName() + ") and the DecoupledWeightDecay "
                + "marker are both on " + where + ", so those parameters would decay twice (AdamW's decoupled decay and "
                + "DL4J's " + (r instanceof WeightDecay ? "weight decay" : "penalty") + "). Remove DL4J's ("
                + (r instanceof WeightDecay ? ".weightDecay(...)" : r instanceof L2Regularization ? ".l2(...)" : ".l1(...)")
                + "): AdamW's weightDecay(λ) is the decay (with weightDecay(0), as for an Adam+L2 baseline, remove the "
                + "marker instead: it is not needed). To use both on purpose, state it: "
                + ".regularization(DecoupledWeightDecay.togetherWith(" + describe(r) + ")).";
    }

    private static String describe(Regularization r) {
        if (r instanceof WeightDecay)
            return "new WeightDecay(" + coefficient(((WeightDecay) r).getCoeff()) + ", " + ((WeightDecay) r).isApplyLR() + ")";
        if (r instanceof L2Regularization) return "new L2Regularization(" + coefficient(((L2Regularization) r).getL2()) + ")";
        return "new L1Regularization(" + coefficient(((L1Regularization) r).getL1()) + ")";
    }

    private static String coefficient(ISchedule s) {
        return s instanceof FixedSchedule ? String.valueOf(((FixedSchedule) s).getValue()) : s.toString();
    }
}
