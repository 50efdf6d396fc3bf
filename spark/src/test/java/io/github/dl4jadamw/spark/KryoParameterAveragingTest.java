package io.github.dl4jadamw.spark;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The same job with DL4J's recommended Spark setup (Kryo + ND4J's registrator), with AdamWR's normalized decay: the
 * configuration, NormalizedWeightDecay included, ships through Kryo as it does through Java serialization.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KryoParameterAveragingTest {
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = SparkTestContext.start("adamw-kryo", true);
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    @Test
    void adamWRWithNormalizedDecayTrainsUnderKryo() {
        int examples = 256, batch = 16, avg = 2, epochs = 3;
        int perFit = SparkAdamWJob.iterationsPerFit(examples / 8, 8, sc.defaultParallelism(), batch, avg);
        AdamW adamwr = AdamWR.builder().learningRate(0.02).restartsInEpochs(1, 2, perFit)
                .normalizedWeightDecay(0.05, batch, examples).build();
        JavaRDD<DataSet> rdd = sc.parallelize(SparkAdamWJob.data(examples / 8, 8, 2), 2);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, SparkAdamWJob.configuration(adamwr),
                SparkAdamWJob.trainingMaster(sc.defaultParallelism(), 8, batch, avg,
                        SparkTestContext.dir("export-kryo").toURI().toString()));
        double before = sparkNet.calculateScore(rdd, true);
        for (int e = 0; e < epochs; e++) sparkNet.fit(rdd);
        double after = sparkNet.calculateScore(rdd, true);
        MultiLayerNetwork net = sparkNet.getNetwork();
        assertTrue(after < 0.7 * before, "loss " + before + " -> " + after);
        INDArray p = net.params();
        assertFalse(p.isNaN().any() || p.isInfinite().any(), "finite parameters");
        assertTrue(net.getUpdater().getStateViewArray().amaxNumber().doubleValue() > 0, "AdamW state came back");
        assertEquals(epochs * perFit, net.getIterationCount());
    }
}
