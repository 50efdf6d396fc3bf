package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.EpochRecord;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ResultsStoreTest {
    @TempDir
    Path tmp;

    static RunResult run(OptimizerSpec spec, double trainLoss) {
        RunResult r = new RunResult();
        r.runId = spec.key() + "_s1";
        r.optimizer = spec;
        r.seed = 1;
        r.model = "fmnist-mlp";
        r.dataset = "fashion-mnist";
        r.dataSource = "somewhere";
        r.trainSize = 128;
        r.testSize = 64;
        r.batchSize = 64;
        r.epochs = 1;
        EpochRecord e = new EpochRecord();
        e.epoch = 1;
        e.trainLoss = trainLoss;
        e.trainSeconds = Double.NaN;
        r.records.add(e);
        return r;
    }

    @Test
    void savedRunsLoadWithTheirKeys_whateverTheRestartOptionsWere() {
        // T_0 = 0.5, T_mult = 3 given to every kind, as the program does with --restart-t0/--restart-tmult
        List<RunResult> saved = List.of(
                run(new OptimizerSpec(OptimizerKind.ADAM_L2, 1e-3, 5e-4, 0.5, 3), 0.5),
                run(new OptimizerSpec(OptimizerKind.ADAMW, 1e-3, 0.05, 0.5, 3), Double.NaN),
                run(new OptimizerSpec(OptimizerKind.SGDWR, 0.05, 0.05, 0.5, 3), 0.25));
        ResultsStore st = new ResultsStore(tmp);
        saved.forEach(st::put);
        st.save();
        ResultsStore back = ResultsStore.load(tmp);
        assertEquals(saved.stream().map(RunResult::key).toList(), back.runs().stream().map(RunResult::key).toList());
        for (RunResult r : saved) assertNotNull(back.completed(r.key()), r.key());
        assertEquals(List.of(0.5, 3.0), List.of(back.runs().get(2).optimizer.restartT0, back.runs().get(2).optimizer.restartTMult));
        // a diverged run's NaN survives the round trip
        assertTrue(Double.isNaN(back.runs().get(1).last().trainLoss));
        assertTrue(Double.isNaN(back.runs().get(1).last().trainSeconds));
    }
}
