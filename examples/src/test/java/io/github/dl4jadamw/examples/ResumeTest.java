package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.examples.CompareOptimizersTest.Result;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.github.dl4jadamw.examples.CompareOptimizersTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** --resume: what it keeps, and what it refuses to mix (tiny slices of the embedded data, seconds). */
class ResumeTest {
    @TempDir
    Path tmp;

    static String[] with(String[] args, String... more) {
        return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
    }

    static long count(String s, String part) {
        return s.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void aCustomRestartScheduleResumesEveryRun_AdamWIncluded() throws IOException {
        Path out = tmp.resolve("restarts");
        String[] args = {"-O", "adamw,adamwr", "--restart-t0", "0.5", "--restart-tmult", "3", "--train-size", "128",
                "--test-size", "64", "--epochs", "1", "--out", out.toString(), "--progress", "lines"};
        Result r = run(args);
        assertEquals(0, r.code(), r.err() + r.out());
        String csv = Files.readString(out.resolve(ResultsStore.CSV));

        Result again = run(with(args, "--resume"));
        assertEquals(0, again.code(), again.err() + again.out());
        assertEquals(2, count(again.err(), "(--resume), skipped"), "both runs kept:\n" + again.err());
        assertFalse(again.err().contains("epoch  1/1"), "nothing trained again:\n" + again.err());
        assertEquals(csv, Files.readString(out.resolve(ResultsStore.CSV)), "results unchanged");

        List<RunResult> runs = ResultsStore.load(out).runs();
        assertEquals(List.of(OptimizerKind.ADAMW, OptimizerKind.ADAMWR), runs.stream().map(x -> x.optimizer.kind).toList());
        // the schedule is AdamWR's; AdamW, which has none, carries the defaults
        assertEquals(0.5, runs.get(1).optimizer.restartT0);
        assertEquals(3.0, runs.get(1).optimizer.restartTMult);
        assertEquals(1.0, runs.get(0).optimizer.restartT0);
        assertEquals(2.0, runs.get(0).optimizer.restartTMult);

        // another restart schedule would get the same labels, CSV rows and model files: refused, nothing written
        String json = Files.readString(out.resolve(ResultsStore.JSON));
        Result other = run("-O", "adamw,adamwr", "--restart-t0", "1", "--restart-tmult", "3", "--train-size", "128",
                "--test-size", "64", "--epochs", "1", "--out", out.toString(), "--progress", "lines", "--resume");
        assertEquals(1, other.code(), other.err());
        assertTrue(other.err().contains("holds restart runs with T_0 = 0.5, T_mult = 3")
                && other.err().contains("this job's are T_0 = 1, T_mult = 3"), other.err());
        assertEquals(json, Files.readString(out.resolve(ResultsStore.JSON)), "results.json untouched");
    }

    @Test
    void runsOfAnotherProtocolAreRefusedBeforeAnythingIsLoaded() throws IOException {
        Path out = tmp.resolve("protocol");
        String[] base = {"-O", "adamw", "--train-size", "128", "--test-size", "64", "--out", out.toString(),
                "--no-charts", "--progress", "lines"};
        Result r = run(with(base, "--epochs", "1"));
        assertEquals(0, r.code(), r.err() + r.out());
        String json = Files.readString(out.resolve(ResultsStore.JSON));

        Result epochs = run(with(base, "--epochs", "3", "--resume"));
        assertEquals(1, epochs.code(), epochs.err());
        assertTrue(epochs.err().contains("--resume: ") && epochs.err().contains("another protocol")
                && epochs.err().contains("--epochs 1 (here 3)"), epochs.err());
        assertFalse(epochs.err().contains("data: "), "refused before the data is loaded:\n" + epochs.err());
        assertEquals(json, Files.readString(out.resolve(ResultsStore.JSON)), "results.json untouched");

        Result sizes = run("-O", "adamw", "--train-size", "64", "--test-size", "64", "--batch-size", "32",
                "--epochs", "1", "--out", out.toString(), "--no-charts", "--progress", "lines", "--resume");
        assertEquals(1, sizes.code(), sizes.err());
        assertTrue(sizes.err().contains("--train-size 128 (here 64)") && sizes.err().contains("--batch-size 64 (here 32)")
                && !sizes.err().contains("--test-size"), sizes.err());

        Result model = run(with(base, "--epochs", "1", "--model", "fmnist-cnn", "--resume"));
        assertEquals(1, model.code(), model.err());
        assertTrue(model.err().contains("--model 'fmnist-mlp' (here 'fmnist-cnn')"), model.err());

        // the same protocol with another setting resumes: the saved run is kept beside the new one
        Result same = run(with(base, "--epochs", "1", "--wd", "0.05,0.2", "--resume"));
        assertEquals(0, same.code(), same.err());
        assertEquals(1, count(same.err(), "(--resume), skipped"), same.err());
        assertEquals(2, ResultsStore.load(out).completeRuns().size());
    }
}
