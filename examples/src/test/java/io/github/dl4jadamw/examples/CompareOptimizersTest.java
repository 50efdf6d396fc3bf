package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.examples.data.Batches;
import io.github.dl4jadamw.examples.data.FashionMnist;
import io.github.dl4jadamw.examples.data.ImageData;
import io.github.dl4jadamw.examples.report.Heatmap;
import io.github.dl4jadamw.examples.report.Report;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.RunResult;
import io.github.dl4jadamw.examples.train.Trainer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The program end to end on tiny slices of the embedded data (seconds). */
class CompareOptimizersTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = CompareOptimizers.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static void assertPng(Path f, int w, int h) throws IOException {
        assertTrue(Files.isRegularFile(f), f + " written");
        BufferedImage img = ImageIO.read(f.toFile());
        assertNotNull(img, f + " decodes as an image");
        assertEquals(w, img.getWidth(), f + " width");
        assertEquals(h, img.getHeight(), f + " height");
        // not blank: a chart has many distinct colours
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < h; y += 3) for (int x = 0; x < w; x += 3) colours.add(img.getRGB(x, y));
        assertTrue(colours.size() > 20, f + " has content (" + colours.size() + " colours)");
    }

    @Test
    void mainModeOnATinySlice_writesResultsReportChartsAndReloadableModels() throws IOException {
        Path out = tmp.resolve("main");
        Result r = run("--train-size", "200", "--test-size", "100", "--epochs", "2", "--out", out.toString(),
                "--save-models", "--progress", "lines");
        assertEquals(0, r.code, r.err + r.out);
        // progress lines per epoch on stderr, the summary table on stdout
        assertTrue(r.err.contains("epoch  2/2"), r.err);
        assertTrue(r.out.contains("Adam+L2") && r.out.contains("AdamW") && r.out.contains("AdamWR"), r.out);

        JsonNode root = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        JsonNode runs = root.get("runs");
        assertEquals(3, runs.size());
        for (JsonNode run : runs) {
            assertTrue(run.get("complete").asBoolean());
            assertEquals(2, run.get("history").size());
            assertEquals(4, run.get("iterationsPerEpoch").asInt()); // 200 / 64 → 3 full + 1 partial
            JsonNode e = run.get("history").get(1);
            for (String f : List.of("testAccuracy", "testLoss", "trainLoss", "weightNorm", "lr", "eta"))
                assertTrue(e.get(f).isNumber() && Double.isFinite(e.get(f).asDouble()), f);
            assertEquals(8, e.get("iterations").asInt());
        }
        // same initial weights for all optimizers
        assertEquals(runs.get(0).get("initialWeightNorm").asDouble(), runs.get(2).get("initialWeightNorm").asDouble());
        assertEquals("adamwr", runs.get(2).get("optimizer").asText());
        // AdamWR's η at the end of epoch 1: iteration 3 of the 4 in its 1-epoch period, closed form ½(1 + cos(3π/4))
        double eta = runs.get(2).get("history").get(0).get("eta").asDouble();
        assertEquals(0.5 * (1 + Math.cos(3 * Math.PI / 4)), eta, 1e-12, "η");

        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(ResultsStore.CSV_HEADER, csv.get(0));
        assertEquals(1 + 3 * 2, csv.size());
        assertEquals(ResultsStore.CSV_HEADER.split(",").length, csv.get(6).split(",").length);

        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| Adam+L2 | 1e-3 | 5e-4 | 1 |"), md);
        assertTrue(md.contains("| AdamW | 1e-3 | 0.05 | 1 |"), md);
        assertTrue(md.contains("![Test accuracy per epoch](accuracy.png)"), md);
        for (String png : List.of(Report.ACCURACY, Report.LOSS, Report.WEIGHT_NORM, Report.SCHEDULE))
            assertPng(out.resolve(png), 1000, 600);
        assertFalse(Files.exists(out.resolve(Report.HEATMAP)), "heatmaps only in sweep mode");

        // --save-models: reload the AdamW network with its updater and check it is the trained one
        Path model = out.resolve("models").resolve("adamw_lr1e-3_wd0.05_s1.zip");
        assertTrue(Files.isRegularFile(model), model.toString());
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(model.toFile(), true);
        assertInstanceOf(AdamW.class, ((BaseLayer) net.getLayer(0).conf().getLayer()).getIUpdater());
        assertEquals(8, net.getIterationCount());
        assertEquals(2, net.getEpochCount());
        assertNotNull(net.getUpdater().getStateViewArray());
        assertTrue(net.getUpdater().getStateViewArray().norm2Number().doubleValue() > 0, "Adam moments restored");
        ImageData test = FashionMnist.embeddedTest(100);
        double[] acc = Trainer.evaluate(io.github.dl4jadamw.examples.model.Net.of(net), new Batches(test, 1000, true, 0, false));
        JsonNode adamwRun = runs.get(1);
        assertEquals("adamw", adamwRun.get("optimizer").asText());
        assertEquals(adamwRun.get("history").get(1).get("testAccuracy").asDouble(), acc[0], 1e-12);
        assertEquals(adamwRun.get("history").get(1).get("testLoss").asDouble(), acc[1], 1e-6);
        assertEquals(adamwRun.get("history").get(1).get("weightNorm").asDouble(), Trainer.weightNorm(io.github.dl4jadamw.examples.model.Net.of(net)), 1e-6);
        // and it trains on (the restored updater works with its decay marker)
        DataSet ds = new Batches(test, 32, true, 0, false).batch(new Batches(test, 32, true, 0, false).order(0, 0, false), 0, null);
        net.fit(ds);
        assertEquals(9, net.getIterationCount());
    }

    @Test
    void sweepModeOnATinyGrid_heatmapsBestSettingsAndResume() throws IOException {
        Path out = tmp.resolve("sweep");
        String[] args = {"--sweep", "--lr", "1e-3,3e-3", "--l2", "0,5e-4", "--wd", "0,0.2", "--seeds", "1",
                "--best-seeds", "1,2", "--train-size", "128", "--test-size", "64", "--epochs", "1",
                "--out", out.toString(), "--progress", "off"};
        Result r = run(args);
        assertEquals(0, r.code, r.err + r.out);
        ResultsStore st = ResultsStore.load(out);
        List<RunResult> runs = st.completeRuns();
        assertEquals(2 * 2 * 3 + 3, runs.size(), "grid of 12 on seed 1, then seed 2 at each optimizer's best");
        assertEquals(3, runs.stream().filter(x -> x.seed == 2).count());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("## Best setting per optimizer"), md);
        assertTrue(md.contains("## Does the best λ move with the learning rate?"), md);
        assertTrue(md.contains("| λ \\ lr | 1e-3 | 3e-3 |"), md);
        assertTrue(md.contains("1, 2 |"), "best settings report both seeds:\n" + md);
        assertPng(out.resolve(Report.HEATMAP), Heatmap.width(3, 2), Heatmap.height(2));
        assertPng(out.resolve(Report.ACCURACY), 1000, 600);

        // --resume: nothing left to train, results unchanged
        String before = Files.readString(out.resolve("results.csv"));
        String[] again = args.clone();
        again[again.length - 1] = "lines";
        String[] withResume = Stream.concat(Stream.of(again), Stream.of("--resume")).toArray(String[]::new);
        Result r2 = run(withResume);
        assertEquals(0, r2.code, r2.err);
        assertTrue(r2.err.contains("skipped"), r2.err);
        assertFalse(r2.err.contains("epoch  1/1"), "no run trained again:\n" + r2.err);
        assertEquals(before, Files.readString(out.resolve("results.csv")));

        // --report-only re-renders from results.json
        Files.delete(out.resolve(Report.HEATMAP));
        Result r3 = run("--sweep", "--report-only", "--out", out.toString());
        assertEquals(0, r3.code, r3.err);
        assertTrue(Files.isRegularFile(out.resolve(Report.HEATMAP)));
        // without --sweep it still renders the sweep's sections: the mode comes from results.json
        Files.delete(out.resolve(Report.HEATMAP));
        Files.delete(out.resolve("report.md"));
        Result r4 = run("--report-only", "--out", out.toString());
        assertEquals(0, r4.code, r4.err);
        assertTrue(Files.isRegularFile(out.resolve(Report.HEATMAP)));
        String again4 = Files.readString(out.resolve("report.md"));
        assertTrue(again4.contains("## Best setting per optimizer"), again4);
    }

    @Test
    void sgdwAndSgdwrRun() throws IOException {
        Path out = tmp.resolve("sgd");
        Result r = run("-O", "sgdw,sgdwr", "--lr", "0.05", "--wd", "0.1", "--train-size", "128", "--test-size", "64",
                "--epochs", "1", "--out", out.toString(), "--no-charts", "--progress", "off");
        assertEquals(0, r.code, r.err + r.out);
        List<RunResult> runs = ResultsStore.load(out).completeRuns();
        assertEquals(List.of("sgdw", "sgdwr"), runs.stream().map(x -> x.optimizer.kind.id).toList());
        assertTrue(runs.get(0).updater.startsWith("SGDW{"), runs.get(0).updater);
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| SGDWR | 0.05 | 0.1 | 1 |"), md);
        // the report names and describes the optimizers that ran, not Adam+L2/AdamW/AdamWR
        assertTrue(md.startsWith("# SGDW vs SGDWR — fmnist-mlp\n"), md);
        assertTrue(md.contains("- SGDW/SGDWR: ") && md.contains("SGDWR with the warm restarts below")
                && md.contains("- Warm restarts: cosine annealing, T_0 = 1 epoch, T_mult = 2"), md);
        assertFalse(md.contains("Adam+L2") || md.contains("AdamW:") || md.contains("β = (0.9, 0.999)"), md);
    }

    @Test
    void usageErrorsAreClear() {
        Result h = run("--help");
        assertEquals(0, h.code);
        assertTrue(h.out.contains("--sweep") && h.out.contains("--quick") && h.out.contains("--data"), h.out);

        Result s = run("-O", "adamw,rmsprop", "--out", tmp.resolve("x").toString());
        assertEquals(1, s.code);
        assertTrue(s.err.contains("unknown optimizer 'rmsprop'"), s.err);

        Result d = run("--data", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("y").toString());
        assertEquals(1, d.code);
        assertTrue(d.err.contains("nowhere") && d.err.contains("not found"), d.err);

        Result m = run("--model", "cifar10", "--train-size", "10", "--test-size", "10", "--out", tmp.resolve("z").toString());
        assertEquals(1, m.code);
        assertTrue(m.err.contains("3×32×32"), m.err);

        Result u = run("--bogus");
        assertEquals(2, u.code);
        assertTrue(u.err.contains("--bogus"), u.err);
    }
}
