package io.github.dl4jadamw.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The spark-submit entry point, run as spark-submit would (master and settings from spark.* system properties).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SparkAdamWJobMainTest {
    @Test
    void mainTrainsOnLocal2() {
        System.setProperty("spark.master", "local[2]");
        System.setProperty("spark.ui.enabled", "false");
        System.setProperty("spark.driver.host", "127.0.0.1");
        System.setProperty("spark.driver.bindAddress", "127.0.0.1");
        System.setProperty("spark.local.dir", SparkTestContext.dir("local-main").getAbsolutePath());
        System.setProperty("spark.hadoop.hadoop.tmp.dir", SparkTestContext.dir("hadoop-main").getAbsolutePath());
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            // 512 examples, 3 epochs, batch 16, averaging every 2: 512/(2·16·2) = 8 rounds × 2 = 16 iterations per epoch
            SparkAdamWJob.main(new String[]{"512", "3", "16", "2"});
        } finally {
            System.setOut(original);
        }
        String out = captured.toString();
        Matcher m = Pattern.compile("score ([0-9.]+) after (\\d+) iterations").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(3 * 16, Integer.parseInt(m.group(2)));
        assertTrue(Double.parseDouble(m.group(1)) < 0.6, "score after training " + m.group(1) + " (ln 3 = 1.10 at chance)");
    }

    /** Bad arguments fail before Spark starts, naming the argument, its value and the valid range. */
    @Test
    void badArgumentsAreNamed() {
        String[][] cases = {{"abc"}, {"512", "0"}, {"512", "3", "-16"}, {"512", "3", "16", "0"}, {"1", "2", "3", "4", "dir", "x"}};
        String[] messages = {"examples = abc is invalid: must be an integer >= 1", "epochs = 0 is invalid",
                "batchSizePerWorker = -16 is invalid", "averagingFrequency = 0 is invalid", "at most 5 arguments"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = cases[i];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkAdamWJob.main(args));
            assertTrue(e.getMessage().contains(messages[i]), e.getMessage());
        }
    }
}
