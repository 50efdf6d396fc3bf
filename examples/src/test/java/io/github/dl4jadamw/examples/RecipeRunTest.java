package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.examples.CompareOptimizersTest.Result;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import io.github.dl4jadamw.schedule.CosineWarmup;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.github.dl4jadamw.examples.CompareOptimizersTest.run;
import static io.github.dl4jadamw.examples.ResumeTest.count;
import static io.github.dl4jadamw.examples.ResumeTest.with;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The recipe options end to end on tiny slices of the embedded data (seconds): the networks are built with exactly
 * the options given, train as they say, and the results and report state them; --resume keeps runs of the same
 * options and refuses others. Expected values are worked out by hand from the sizes given and transformers' formulas.
 */
class RecipeRunTest {
    @TempDir
    Path tmp;

    // 256 training images, batch 64: 4 minibatches per epoch; 3 epochs = 12; accumulation over 2: 6 optimizer steps
    static final String[] SIZES = {"--train-size", "256", "--test-size", "100", "--epochs", "3", "--progress", "lines"};

    static String[] args(Path out, String... more) {
        return with(with(SIZES, "--out", out.toString()), more);
    }

    static IUpdater updaterOf(MultiLayerNetwork net, int layer) {
        return ((BaseLayer) net.getLayer(layer).conf().getLayer()).getIUpdater();
    }

    @Test
    void allFourOptions_buildTheUpdaterSoTrainAndAreStatedInResultsAndReport() throws IOException {
        Path out = tmp.resolve("recipe");
        Result r = run(args(out, "-O", "adamw,sgdw", "--seeds", "1,2", "--schedules", "cosine",
                "--clip-global-norm", "1", "--accumulation-steps", "2", "--warmup", "2", "--ema", "0.9", "--save-models"));
        assertEquals(0, r.code(), r.err() + r.out());

        // the decay table, once per optimizer (not per seed), on stderr: weights decay, biases do not
        assertEquals(2, count(r.err(), "what decays (DecayTable.of(net)"), r.err());
        for (String line : r.err().lines().toList()) {
            if (line.matches(".*\\s[0-2]_W\\s.*")) assertTrue(line.contains(" yes "), line);
            if (line.matches(".*\\s[0-2]_b\\s.*")) assertTrue(line.contains(" no "), line);
        }
        assertTrue(r.err().contains("4 iterations/epoch, 2 micro-batches per optimizer step: 2 optimizer steps/epoch,"
                + " 6 in all"), r.err());

        // read back from the saved network's configuration: exactly the options given
        Path model = out.resolve("models").resolve("adamw_lr1e-3_wd0.05_cosine_clip1_acc2_wu2_ema0.9_s1.zip");
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(model.toFile(), true);
        for (int layer = 0; layer < 3; layer++) {
            AdamW u = assertInstanceOf(AdamW.class, updaterOf(net, layer));
            assertEquals(1.0, u.getClipGlobalNorm());
            assertEquals(2, u.getAccumulationSteps());
            assertEquals(0.9, u.getEmaDecay());
            assertEquals(1e-3, u.getLearningRate());
            assertEquals(0.05, u.getWeightDecay());
            // get_cosine_schedule_with_warmup(opt, 2, 6): 6 optimizer steps in all
            assertEquals(CosineWarmup.of(2, 6), u.getSchedule());
        }
        assertEquals(12, net.getIterationCount(), "DL4J counts minibatches");
        assertEquals(3, net.getEpochCount());

        JsonNode runs = new ObjectMapper().readTree(out.resolve(ResultsStore.JSON).toFile()).get("runs");
        assertEquals(4, runs.size());
        for (JsonNode run : runs) {
            JsonNode rc = run.get("recipe");
            assertEquals(1.0, rc.get("clipGlobalNorm").asDouble());
            assertEquals(2, rc.get("accumulationSteps").asInt());
            assertEquals(2, rc.get("warmupSteps").asLong());
            assertEquals(0.9, rc.get("emaDecay").asDouble());
            assertEquals("cosine", run.get("schedule").asText());
            JsonNode h = run.get("history");
            assertEquals(3, h.size());
            // η at each epoch's last minibatch (iterations 3, 7, 11 → optimizer steps 1, 3, 5), transformers' formula:
            // s < 2: s/2; else ½(1 + cos(π·(s − 2)/(6 − 2)))
            double[] eta = {0.5, 0.5 * (1 + Math.cos(Math.PI * 0.25)), 0.5 * (1 + Math.cos(Math.PI * 0.75))};
            for (int e = 0; e < 3; e++) {
                assertEquals(4 * (e + 1), h.get(e).get("iterations").asInt());
                assertEquals(eta[e], h.get(e).get("eta").asDouble(), 1e-12, run.get("runId") + " epoch " + (e + 1));
                assertEquals(1e-3 * eta[e], h.get(e).get("lr").asDouble(), 1e-15);
                double ema = h.get(e).get("emaTestAccuracy").asDouble();
                assertTrue(ema >= 0 && ema <= 1, "EMA accuracy recorded: " + h.get(e));
                assertTrue(Double.isFinite(h.get(e).get("emaTestLoss").asDouble()));
            }
        }

        String md = Files.readString(out.resolve("report.md"));
        for (String s : List.of("`.clipGlobalNorm(1)`", "`.accumulationSteps(2)`", "2 optimizer steps per epoch", "6 in all", "after a linear warm-up over the first 2 optimizer steps", "get_cosine_schedule_with_warmup",
                "`.ema(0.9)`", "## Raw weights and their EMA", "| AdamW | 1e-3 | 0.05 | 1, 2 |"))
            assertTrue(md.contains(s), s + " in report.md:\n" + md);
        assertFalse(md.contains("what decays"), "the decay table is not in the report");
        List<String> csv = Files.readAllLines(out.resolve(ResultsStore.CSV));
        assertEquals(ResultsStore.CSV_HEADER.split(",").length, csv.get(1).split(",").length);
        assertTrue(csv.get(1).contains(",1,2,2,0.9,"), csv.get(1));

        // --report-only re-renders it from results.json with the same statements
        Files.delete(out.resolve("report.md"));
        Result again = run("--report-only", "--out", out.toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(md, Files.readString(out.resolve("report.md")));
    }

    @Test
    void anEmaWithDecay0IsTheWeightsThemselves() throws IOException {
        // d = 0: ema ← θ after every step, so the EMA evaluates exactly as the raw weights (each epoch ends a group)
        Path out = tmp.resolve("ema0");
        Result r = run(args(out, "-O", "adamw", "--ema", "0", "--accumulation-steps", "2"));
        assertEquals(0, r.code(), r.err());
        JsonNode h = new ObjectMapper().readTree(out.resolve(ResultsStore.JSON).toFile()).get("runs").get(0).get("history");
        for (JsonNode e : h) {
            assertEquals(e.get("testAccuracy").asDouble(), e.get("emaTestAccuracy").asDouble(), 0.0, e.toString());
            assertEquals(e.get("testLoss").asDouble(), e.get("emaTestLoss").asDouble(), 0.0, e.toString());
        }
    }

    @Test
    void clippingToATinyNormStopsSgdwWithoutDecay() throws IOException {
        // SGDW steps by lr·(momentum buffer of clipped gradients): with max norm 1e-12 and λ = 0 the weights cannot
        // move by more than about 12 steps × 10 × 0.05 × 1e-12, far below float32's resolution of the weights
        Path out = tmp.resolve("clip");
        Result r = run(args(out, "-O", "sgdw", "--lr", "0.05", "--wd", "0", "--clip-global-norm", "1e-12"));
        assertEquals(0, r.code(), r.err());
        JsonNode run = new ObjectMapper().readTree(out.resolve(ResultsStore.JSON).toFile()).get("runs").get(0);
        double w0 = run.get("initialWeightNorm").asDouble();
        for (JsonNode e : run.get("history"))
            assertEquals(w0, e.get("weightNorm").asDouble(), 1e-6 * w0, "weights unchanged: " + e);
        // and without the clip the same run moves them
        Path free = tmp.resolve("free");
        assertEquals(0, run(args(free, "-O", "sgdw", "--lr", "0.05", "--wd", "0")).code());
        JsonNode f = new ObjectMapper().readTree(free.resolve(ResultsStore.JSON).toFile()).get("runs").get(0);
        assertTrue(Math.abs(f.get("history").get(2).get("weightNorm").asDouble() - w0) > 1e-3 * w0, f.toString());
    }

    @Test
    void adamwrCountsItsRestartPeriodsInOptimizerSteps() throws IOException {
        Path out = tmp.resolve("adamwr");
        Result r = run(args(out, "-O", "adamwr", "--accumulation-steps", "2", "--clip-global-norm", "2", "--ema",
                "0.5", "--save-models"));
        assertEquals(0, r.code(), r.err());
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(out.resolve("models")
                .resolve("adamwr_lr1e-3_wd0.05_clip2_acc2_ema0.5_s1.zip").toFile(), true);
        // AdamWR builds an AdamW with the restart schedule
        AdamW u = assertInstanceOf(AdamW.class, updaterOf(net, 0));
        assertEquals(2.0, u.getClipGlobalNorm());
        assertEquals(2, u.getAccumulationSteps());
        assertEquals(0.5, u.getEmaDecay());
        // 4 minibatches per epoch / 2 = 2 optimizer steps per epoch
        assertEquals(2.0, ((CosineWarmRestarts) u.getSchedule()).getIterationsPerEpoch());
        JsonNode h = new ObjectMapper().readTree(out.resolve(ResultsStore.JSON).toFile()).get("runs").get(0).get("history");
        // T_0 = 1 epoch, T_mult = 2: epoch 1 ends at step 1 (T_cur = ½ of the 1-epoch period), epoch 2 at step 3
        // (½ epoch into the 2-epoch period), epoch 3 at step 5 (1½ epochs into it)
        double[] eta = {0.5 * (1 + Math.cos(Math.PI * 0.5)), 0.5 * (1 + Math.cos(Math.PI * 0.25)),
                0.5 * (1 + Math.cos(Math.PI * 0.75))};
        for (int e = 0; e < 3; e++) assertEquals(eta[e], h.get(e).get("eta").asDouble(), 1e-12, "epoch " + (e + 1));
    }

    @Test
    void resumeKeepsRunsOfTheSameOptionsAndRefusesOthers() throws IOException {
        Path out = tmp.resolve("resume");
        String[] recipe = {"-O", "adamw", "--clip-global-norm", "1", "--accumulation-steps", "2", "--warmup", "1",
                "--ema", "0.9"};
        assertEquals(0, run(args(out, recipe)).code());
        String json = Files.readString(out.resolve(ResultsStore.JSON)), csv = Files.readString(out.resolve(ResultsStore.CSV));

        Result same = run(with(args(out, recipe), "--resume"));
        assertEquals(0, same.code(), same.err());
        assertEquals(1, count(same.err(), "(--resume), skipped"), same.err());
        assertFalse(same.err().contains("epoch  1/3"), "nothing trained again:\n" + same.err());
        assertEquals(csv, Files.readString(out.resolve(ResultsStore.CSV)));

        json = Files.readString(out.resolve(ResultsStore.JSON));
        Result otherEma = run(args(out, "-O", "adamw", "--clip-global-norm", "1", "--accumulation-steps", "2",
                "--warmup", "1", "--ema", "0.5", "--resume"));
        assertEquals(1, otherEma.code(), otherEma.err());
        assertTrue(otherEma.err().contains("holds runs of another protocol (run adamw_lr1e-3_wd0.05_clip1_acc2_wu1_ema0.9_s1:"
                + " --ema 0.9 (here 0.5))"), otherEma.err());

        Result none = run(args(out, "-O", "adamw", "--resume"));
        assertEquals(1, none.code(), none.err());
        assertTrue(none.err().contains("--clip-global-norm 1 (here off), --accumulation-steps 2 (here off), --warmup 1"
                + " (here off), --ema 0.9 (here off)"), none.err());
        assertEquals(json, Files.readString(out.resolve(ResultsStore.JSON)), "refused: nothing written");

        // and the other way round: runs without options are not resumed into a job with them
        Path plain = tmp.resolve("plain");
        assertEquals(0, run(args(plain, "-O", "adamw")).code());
        Result more = run(args(plain, "-O", "adamw", "--ema", "0.99", "--resume"));
        assertEquals(1, more.code(), more.err());
        assertTrue(more.err().contains("--ema off (here 0.99)"), more.err());
    }
}
