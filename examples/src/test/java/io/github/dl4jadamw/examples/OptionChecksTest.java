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

/** Bad numeric options fail at once, naming the option, the value and the valid range. */
class OptionChecksTest {
    @TempDir
    Path tmp;

    /** Options, and the message they must give. */
    record Case(List<String> args, String message) {}

    static Case c(String message, String... args) {
        return new Case(List.of(args), message);
    }

    static final List<Case> CASES = List.of(
            c("--train-size = 0 is invalid: must be an integer > 0", "--train-size", "0"),
            c("--test-size = -1 is invalid: must be an integer > 0", "--test-size", "-1"),
            c("--epochs = 0 is invalid: must be an integer > 0", "--epochs", "0"),
            c("--batch-size = -3 is invalid: must be an integer > 0", "--batch-size", "-3"),
            c("--lr = 0 is invalid: must be a finite number > 0", "--lr", "0"),
            c("--lr = Infinity is invalid: must be a finite number > 0", "--lr", "Infinity"),
            c("--lr = NaN is invalid: must be a finite number > 0", "--lr", "1e-3,NaN"),
            c("--wd = -0.1 is invalid: must be a finite number >= 0", "--wd", "-0.1"),
            c("--l2 = Infinity is invalid: must be a finite number >= 0", "--l2", "Infinity"),
            c("--lr × --wd = 0.5 × 3 = 1.5 is invalid: must be < 1 (the decay per step lr·λ; each step multiplies the"
                    + " weights by 1 − lr·λ)", "--lr", "0.5", "--wd", "3"),
            c("--restart-t0 = 0 is invalid: must be a finite number > 0", "--restart-t0", "0"),
            c("--restart-t0 = Infinity is invalid: must be a finite number > 0", "--restart-t0", "Infinity"),
            c("--restart-tmult = 0.5 is invalid: must be a finite number >= 1", "--restart-tmult", "0.5"),
            c("--restart-tmult = Infinity is invalid: must be a finite number >= 1", "--restart-tmult", "Infinity"),
            c("--restart-t0 = 0.25 is invalid: must be at least one step: 0.25 epoch × 2 iteration(s) per epoch"
                    + " (--train-size 128, --batch-size 64) = 0.5 < 1", "--restart-t0", "0.25", "--train-size", "128"),
            c("--train-size = 20000 is invalid: must be 1 to 10000: the embedded Fashion-MNIST subset has 10000"
                    + " training images", "--train-size", "20000"),
            c("--test-size = 10001 is invalid: must be 1 to 10000: the embedded Fashion-MNIST subset has 10000"
                    + " test images", "--test-size", "10001"),
            // options the job would ignore
            c("this job would ignore --l2 (only adam-l2 uses it): drop it, or add the optimizer that uses it to -O",
                    "-O", "adamw", "--l2", "1e-4"),
            c("this job would ignore --wd (adam-l2 uses --l2): drop it, or add the optimizer that uses it to -O",
                    "-O", "adam-l2", "--wd", "0.1"),
            c("this job would ignore --best-seeds (only --sweep uses it), --restart-t0 (only adamwr and sgdwr use it):"
                    + " drop it, or add the optimizer that uses it to -O", "-O", "adamw", "--best-seeds", "1,2",
                    "--restart-t0", "2"),
            c("--report-only rewrites the report of the results in --out as they were produced, so it takes no"
                    + " --optimizers, --seeds, --epochs", "--report-only", "-O", "adamw", "--seeds", "2", "--epochs", "3"));

    @Test
    void eachBadValueIsNamedBeforeAnyDataIsLoaded() {
        for (Case k : CASES) {
            Path out = tmp.resolve("out");
            String[] args = Stream.concat(k.args().stream(), Stream.of("--out", out.toString(), "--progress", "lines"))
                    .toArray(String[]::new);
            Result r = run(args);
            assertEquals(1, r.code(), k.args() + ": " + r.err());
            assertEquals("error: " + k.message(), r.err().lines().findFirst().orElse("").split(" \\(give")[0],
                    k.args().toString());
            assertFalse(r.err().contains("data: "), k.args() + ": checked before the data is loaded:\n" + r.err());
            assertFalse(Files.exists(out), k.args() + ": nothing written");
        }
    }

    @Test
    void theMainJobsValuesPass() {
        // the same checks accept the defaults and the sweep grid (λ = 0 included): the job gets as far as the data
        Result r = run("--sweep", "--train-size", "10", "--test-size", "10", "--model", "cifar10",
                "--out", tmp.resolve("ok").toString(), "--progress", "off");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("3×32×32"), "fails only at the model's input check, after the data:\n" + r.err());
    }
}
