package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.examples.data.FashionMnist;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Runs the quick start's main as a user would, then checks what it saved and that training on from it is exact. */
class QuickStartTest {
    @TempDir
    Path tmp;

    @Test
    void trainsSavesReloadsAndContinues() throws Exception {
        Path file = tmp.resolve("quickstart.zip");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[]{"1", file.toString()});
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        double trained = accuracy(out, "trained 1 epochs \\(157 steps\\)"), reloaded = accuracy(out, "reloaded from .* \\(157 steps\\)"),
                more = accuracy(out, "one more epoch \\(314 steps\\)");
        assertTrue(trained > 70, "an epoch of AdamW on 10,000 images: " + out);
        assertEquals(trained, reloaded, "the saved network is the trained one:\n" + out);

        // the file holds AdamW with its state after 157 steps (10,000 / 64 → 156 full batches and a partial one)
        MultiLayerNetwork saved = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        assertInstanceOf(AdamW.class, ((BaseLayer) saved.getLayer(0).conf().getLayer()).getIUpdater());
        assertEquals(157, saved.getIterationCount());
        assertTrue(saved.getUpdater().getStateViewArray().norm2Number().doubleValue() > 0, "moments saved");
        // continuing from the file again gives the quick start's numbers: nothing of the state was lost or reset
        DataSetIterator train = FashionMnist.iterator(FashionMnist.embeddedTrain(10_000), 64, 42);
        saved.fit(train, 1);
        double again = 100 * saved.evaluate(FashionMnist.iterator(FashionMnist.embeddedTest(10_000), 1000, 0)).accuracy();
        assertEquals(more, Math.round(again * 100) / 100.0, 1e-9, out);
    }

    static double accuracy(String out, String line) {
        Matcher m = Pattern.compile(line + ": test accuracy ([0-9.]+)%").matcher(out);
        assertTrue(m.find(), line + " in\n" + out);
        return Double.parseDouble(m.group(1));
    }
}
