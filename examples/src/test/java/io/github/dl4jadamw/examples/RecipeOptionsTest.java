package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.examples.CompareOptimizersTest.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.github.dl4jadamw.examples.CompareOptimizersTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The recipe options (--clip-global-norm, --accumulation-steps, --warmup, --ema) and --schedules in the main job:
 * each bad value or combination fails at start-up, before any data is loaded, naming the option, the value and the
 * valid range. The step counts in the messages are worked out by hand from the sizes given.
 */
class RecipeOptionsTest {
    @TempDir
    Path tmp;

    record Case(List<String> args, String message) {}

    static Case c(String message, String... args) {
        return new Case(List.of(args), message);
    }

    // --quick: 2,000 training images, batch 64 → ⌈2000/64⌉ = 32 minibatches per epoch, 2 epochs = 64 minibatches
    static final List<Case> CASES = List.of(
            c("--clip-global-norm = 0 is invalid: must be a finite number > 0 (the largest L2 norm of the whole"
                    + " gradient)", "-O", "adamw", "--clip-global-norm", "0"),
            c("--clip-global-norm = -1 is invalid: must be a finite number > 0 (the largest L2 norm of the whole"
                    + " gradient)", "-O", "adamw", "--clip-global-norm", "-1"),
            c("--clip-global-norm = Infinity is invalid: must be a finite number > 0 (the largest L2 norm of the whole"
                    + " gradient)", "-O", "adamw", "--clip-global-norm", "Infinity"),
            c("--clip-global-norm = NaN is invalid: must be a finite number > 0 (the largest L2 norm of the whole"
                    + " gradient)", "-O", "adamw", "--clip-global-norm", "NaN"),
            c("--accumulation-steps = 0 is invalid: must be an integer > 0", "-O", "adamw", "--accumulation-steps", "0"),
            c("--ema = 1 is invalid: must be in [0, 1) (ema ← d·ema + (1 − d)·θ; e.g. 0.999)", "-O", "adamw",
                    "--ema", "1"),
            c("--ema = -0.5 is invalid: must be in [0, 1) (ema ← d·ema + (1 − d)·θ; e.g. 0.999)", "-O", "adamw",
                    "--ema", "-0.5"),
            c("--ema = NaN is invalid: must be in [0, 1) (ema ← d·ema + (1 − d)·θ; e.g. 0.999)", "-O", "adamw",
                    "--ema", "NaN"),
            c("--warmup = -1 is invalid: must be an integer >= 0 (optimizer steps)", "-O", "adamw", "--warmup", "-1"),
            // 64 optimizer steps: 0 … 63
            c("--warmup = 64 is invalid: must be 0 to 63: shorter than the run's 64 optimizer steps (2 epoch(s) × 32"
                    + " minibatches (--train-size 2000, --batch-size 64))", "--quick", "-O", "adamw", "--warmup", "64"),
            // ⌊64 / 3⌋ = 21 optimizer steps: 0 … 20
            c("--warmup = 21 is invalid: must be 0 to 20: shorter than the run's 21 optimizer steps (2 epoch(s) × 32"
                    + " minibatches (--train-size 2000, --batch-size 64) / --accumulation-steps 3)", "--quick", "-O",
                    "adamw", "--accumulation-steps", "3", "--warmup", "21"),
            c("--warmup = 1 is invalid: the run has 1 optimizer step(s) (1 epoch(s) × 1 minibatches): too short for a"
                    + " warm-up", "-O", "adamw", "--train-size", "10", "--epochs", "1", "--warmup", "1"),
            // combinations that make no sense
            c("--warmup = 5 is invalid with -O adamwr: warm restarts take no warm-up here (a warm-up before a restart"
                    + " schedule is no transformers schedule); drop adamwr and sgdwr from -O", "--quick", "-O",
                    "adamw,adamwr", "--warmup", "5"),
            c("--warmup = 5 is invalid with --schedules step: a warm-up precedes fixed, cosine or linear (transformers'"
                    + " schedules with warm-up)", "--quick", "-O", "adamw", "--schedules", "step", "--warmup", "5"),
            c("--clip-global-norm = 1 is invalid with -O adam-l2: DL4J's own Adam has no global-norm clipping,"
                    + " gradient accumulation or EMA of the weights, and a baseline without them would train another"
                    + " recipe; drop adam-l2 from -O (e.g. -O adamw,adamwr)", "--quick", "--clip-global-norm", "1"),
            c("--accumulation-steps = 4 is invalid with -O adam-l2: DL4J's own Adam has no global-norm clipping,"
                    + " gradient accumulation or EMA of the weights, and a baseline without them would train another"
                    + " recipe; drop adam-l2 from -O (e.g. -O adamw,adamwr)", "-O", "adam-l2,adamw",
                    "--accumulation-steps", "4"),
            c("--ema = 0.999 is invalid with -O adam-l2: DL4J's own Adam has no global-norm clipping,"
                    + " gradient accumulation or EMA of the weights, and a baseline without them would train another"
                    + " recipe; drop adam-l2 from -O (e.g. -O adamw,adamwr)", "-O", "adam-l2", "--ema", "0.999"),
            // a restart period shorter than one optimizer step: 0.25 epoch × 32 minibatches / 16 = 0.5 steps
            c("--restart-t0 = 0.25 is invalid: must be at least one step: 0.25 epoch × 32 iteration(s) per epoch"
                    + " (--train-size 2000, --batch-size 64) / --accumulation-steps 16 = 0.5 < 1", "--quick", "-O",
                    "adamwr", "--restart-t0", "0.25", "--accumulation-steps", "16"),
            c("--schedules = fixed,cosine is invalid: must be one schedule in this job (fixed, step, cosine or linear;"
                    + " the paper modes compare several)", "-O", "adamw", "--schedules", "fixed,cosine"),
            c("--schedules = restarts is invalid: must be fixed, step, cosine or linear in this job (warm restarts are"
                    + " -O adamwr and sgdwr)", "-O", "adamw", "--schedules", "restarts"),
            c("this job would ignore --schedules (adamwr and sgdwr keep their warm restarts): drop it, or add the"
                    + " optimizer that uses it to -O", "-O", "adamwr", "--schedules", "cosine"),
            c("--schedules = linear is invalid: must be fixed, step, cosine or restarts in --paper-grid (the paper's"
                    + " schedules; linear is for the main job, --quick and --sweep)", "--paper-grid", "--schedules",
                    "linear"),
            // the modes that do not take them say so
            c("--paper-grid does not read --clip-global-norm, --ema: drop it (--paper-grid reads ", "--paper-grid",
                    "--clip-global-norm", "1", "--ema", "0.9"),
            c("--report-only rewrites the report of the results in --out as they were produced, so it takes no"
                    + " --clip-global-norm, --accumulation-steps, --warmup, --ema", "--report-only",
                    "--clip-global-norm", "1", "--accumulation-steps", "2", "--warmup", "3", "--ema", "0.9"));

    @Test
    void eachBadValueOrCombinationIsNamedBeforeAnyDataIsLoaded() {
        for (Case k : CASES) {
            Path out = tmp.resolve("out");
            String[] args = Stream.concat(k.args().stream(), Stream.of("--out", out.toString(), "--progress", "lines"))
                    .toArray(String[]::new);
            Result r = run(args);
            assertEquals(1, r.code(), k.args() + ": " + r.err());
            String first = r.err().lines().findFirst().orElse("");
            assertTrue(first.startsWith("error: " + k.message()), k.args() + "\n expected: error: " + k.message()
                    + "\n but was:  " + first);
            assertFalse(r.err().contains("data: "), k.args() + ": checked before the data is loaded:\n" + r.err());
            assertFalse(Files.exists(out), k.args() + ": nothing written");
        }
    }

    @Test
    void theLargestWarmupAndTheValuesAtTheEdgesOfTheirRangesPass() {
        // the checks accept them: the job gets as far as the model's input check, after the data has loaded
        for (List<String> ok : List.of(
                List.of("-O", "adamw", "--warmup", "63", "--epochs", "2", "--train-size", "2000"),   // 64 steps
                List.of("-O", "adamw,sgdw", "--ema", "0", "--clip-global-norm", "1e-6", "--accumulation-steps", "1"),
                List.of("-O", "adam-l2,adamw", "--warmup", "10", "--schedules", "linear"),   // DL4J's Adam warms up
                List.of("-O", "adamwr", "--accumulation-steps", "16", "--restart-t0", "0.5", "--train-size", "2000"))) {
            String[] args = Stream.concat(ok.stream(), Stream.of("--test-size", "10", "--model", "cifar10", "--out",
                    tmp.resolve("ok").toString(), "--progress", "off")).toArray(String[]::new);
            Result r = run(args);
            assertEquals(1, r.code(), ok + ": " + r.err());
            assertTrue(r.err().contains("3×32×32"), ok + ": fails only at the model's input check:\n" + r.err());
        }
    }

    @Test
    void helpListsTheOptionsWithTheirDefaultsOff() {
        Result r = run("--help");
        assertEquals(0, r.code(), r.err());
        for (String o : List.of("--clip-global-norm=MAX", "--accumulation-steps=K", "--warmup=STEPS", "--ema=DECAY"))
            assertTrue(r.out().contains(o), o + " in the help:\n" + r.out());
        assertEquals(4, r.out().split("Default: off", -1).length - 1, "each says it is off by default:\n" + r.out());
    }
}
