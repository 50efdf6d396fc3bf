package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.OptionChecks;
import io.github.dl4jadamw.examples.Options;

/**
 * A job's data and run size: --train-size, --test-size, --epochs and --batch-size, each defaulted by the job and
 * checked (> 0) before anything loads.
 */
record RunSize(int train, int test, int epochs, int batch) {
    static RunSize of(Options o, int train, int test, int epochs, int batch) {
        RunSize s = new RunSize(o.trainSize != null ? o.trainSize : train, o.testSize != null ? o.testSize : test,
                o.epochs != null ? o.epochs : epochs, o.batchSize != null ? o.batchSize : batch);
        OptionChecks.positive("--train-size", s.train);
        OptionChecks.positive("--test-size", s.test);
        OptionChecks.positive("--epochs", s.epochs);
        OptionChecks.positive("--batch-size", s.batch);
        return s;
    }
}
