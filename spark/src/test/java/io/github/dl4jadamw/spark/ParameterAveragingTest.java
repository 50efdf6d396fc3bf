package io.github.dl4jadamw.spark;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * AdamWR through DL4J's Spark parameter averaging on local[2] (Spark's default Java serialization).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ParameterAveragingTest {
    static final int DATASETS = 32, EXAMPLES_EACH = 8, BATCH_PER_WORKER = 16, AVERAGING_FREQUENCY = 2, EPOCHS = 3;
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = SparkTestContext.start("adamw-parameter-averaging", false);
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    /** Iteration numbers the workers' networks saw (local mode: executors share this JVM, so a static queue works). */
    static final ConcurrentLinkedQueue<Integer> SEEN = new ConcurrentLinkedQueue<>();

    static final class RecordIterations extends BaseTrainingListener implements java.io.Serializable {
        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            SEEN.add(iteration);
        }
    }

    @Test
    void trainsAveragesAdamWStateAndCountsIterationsPerRound() {
        AdamW adamwr = AdamWR.builder().learningRate(0.02).weightDecay(0.01).restartsInIterations(4, 2).build();
        List<DataSet> data = SparkAdamWJob.data(DATASETS, EXAMPLES_EACH, 1);
        JavaRDD<DataSet> rdd = sc.parallelize(data, 2);
        ParameterAveragingTrainingMaster tm = SparkAdamWJob.trainingMaster(sc.defaultParallelism(), EXAMPLES_EACH,
                BATCH_PER_WORKER, AVERAGING_FREQUENCY, SparkTestContext.dir("export").toURI().toString());
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, SparkAdamWJob.configuration(adamwr), tm);
        sparkNet.setListeners(new RecordIterations());
        SEEN.clear();

        double before = sparkNet.calculateScore(rdd, true);    // executors rebuild the network from JSON
        for (int e = 0; e < EPOCHS; e++) sparkNet.fit(rdd);
        double after = sparkNet.calculateScore(rdd, true);
        MultiLayerNetwork net = sparkNet.getNetwork();

        assertTrue(after < 0.6 * before, "loss " + before + " -> " + after);
        INDArray p = net.params();
        assertTrue(p.isEmpty() == false && !p.isNaN().any() && !p.isInfinite().any(), "finite parameters");
        Evaluation ev = sparkNet.evaluate(rdd);
        assertTrue(ev.accuracy() > 0.7, "accuracy " + ev.accuracy());

        // the averaged AdamW state came back to the driver: one block, state = [M | V]
        INDArray state = net.getUpdater().getStateViewArray();
        long n = net.numParams();
        assertEquals(2 * n, state.length());
        INDArray flat = state.reshape(state.length());
        INDArray m = flat.get(NDArrayIndex.interval(0, n)), v = flat.get(NDArrayIndex.interval(n, 2 * n));
        assertTrue(m.amaxNumber().doubleValue() > 0, "M non-zero");
        assertTrue(v.maxNumber().doubleValue() > 0 && v.minNumber().doubleValue() >= 0, "V non-zero, non-negative");

        // iteration counting: + averagingFrequency per round; rounds = DataSet objects / (workers·batch·frequency/8)
        int workers = sc.defaultParallelism();
        assertEquals(2, workers);
        int perFit = SparkAdamWJob.iterationsPerFit(DATASETS, EXAMPLES_EACH, workers, BATCH_PER_WORKER,
                AVERAGING_FREQUENCY);
        assertEquals(8, perFit);                                  // 32 / (2·(16·2/8)) = 4 rounds × 2
        assertEquals(EPOCHS * perFit, net.getIterationCount());
        assertEquals(EPOCHS, net.getEpochCount());
        // each worker started every round at the driver's count and counted its own minibatches:
        // every iteration 0 .. 23 was run by both workers
        Map<Integer, Long> counts = new TreeMap<>(SEEN.stream().collect(Collectors.groupingBy(i -> i, Collectors.counting())));
        assertEquals(IntStream.range(0, EPOCHS * perFit).boxed().collect(Collectors.toList()),
                List.copyOf(counts.keySet()), "iterations seen by workers: " + counts);
        assertTrue(counts.values().stream().allMatch(c -> c == workers), "each iteration once per worker: " + counts);
    }

    /**
     * A DataSet count that does not fill whole rounds: DL4J rounds the number of splits down (36 objects, 8 per split:
     * 4 rounds, not 5), and iterationsPerFit must say so, or AdamWR's restarts drift later every epoch.
     */
    /**
     * Accumulation (like clipping and the EMA) is refused on the executors: each worker would accumulate only its own
     * minibatches, and parameter averaging would average ACC with M and V. The job fails naming the option and Spark.
     */
    @Test
    void accumulationIsRefusedUnderParameterAveraging() {
        AdamW adamw = AdamW.builder().learningRate(0.02).weightDecay(0.01).accumulationSteps(2).build();
        JavaRDD<DataSet> rdd = sc.parallelize(SparkAdamWJob.data(DATASETS, EXAMPLES_EACH, 1), 2);
        ParameterAveragingTrainingMaster tm = SparkAdamWJob.trainingMaster(sc.defaultParallelism(), EXAMPLES_EACH,
                BATCH_PER_WORKER, AVERAGING_FREQUENCY, SparkTestContext.dir("export-refused").toURI().toString());
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, SparkAdamWJob.configuration(adamw), tm);
        Exception e = assertThrows(Exception.class, () -> sparkNet.fit(rdd));
        StringBuilder m = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) m.append(t).append(" | ");
        assertTrue(m.toString().contains("accumulationSteps = 2") && m.toString().contains("org.deeplearning4j.spark"),
                m.toString());
    }

    @Test
    void iterationsPerFitMatchesDl4jForARaggedCount() {
        int datasets = 36;                                        // 288 examples; 64 per round
        JavaRDD<DataSet> rdd = sc.parallelize(SparkAdamWJob.data(datasets, EXAMPLES_EACH, 1), 2);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc,
                SparkAdamWJob.configuration(AdamW.builder().learningRate(0.02).build()),
                SparkAdamWJob.trainingMaster(sc.defaultParallelism(), EXAMPLES_EACH, BATCH_PER_WORKER,
                        AVERAGING_FREQUENCY, SparkTestContext.dir("export-ragged").toURI().toString()));
        int perFit = SparkAdamWJob.iterationsPerFit(datasets, EXAMPLES_EACH, sc.defaultParallelism(), BATCH_PER_WORKER,
                AVERAGING_FREQUENCY);
        assertEquals(8, perFit);
        sparkNet.fit(rdd);
        sparkNet.fit(rdd);
        assertEquals(2 * perFit, sparkNet.getNetwork().getIterationCount());
    }

    /**
     * The Export approach counts its minibatch files, not the RDD's DataSets: with DataSets that are not one minibatch
     * each the two differ, and the RDD-based count must be DL4J's. 50 DataSets of 8 in 2 partitions, minibatch 16:
     * each partition makes 12 full files and 1 of 8 examples, 26 files, 13 rounds (the DataSet count says 12). 32 of
     * 12 with averaging every 2: 24 files of 16, 6 rounds of 2 (the DataSet count says 16).
     */
    @Test
    void iterationsPerFitFromTheRddMatchesDl4jsExport() {
        int workers = sc.defaultParallelism();
        int[][] cases = {{50, 8, 1, 13, 12}, {32, 12, 2, 12, 16}};   // DataSets, size, frequency, DL4J, DataSet count
        for (int[] c : cases) {
            JavaRDD<DataSet> rdd = sc.parallelize(SparkAdamWJob.data(c[0], c[1], 3), 2);
            int perFit = SparkAdamWJob.iterationsPerFit(rdd, workers, BATCH_PER_WORKER, c[2]);
            assertEquals(c[4], SparkAdamWJob.iterationsPerFit(c[0], c[1], workers, BATCH_PER_WORKER, c[2]));
            SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc,
                    SparkAdamWJob.configuration(AdamW.builder().learningRate(0.02).build()),
                    SparkAdamWJob.trainingMaster(workers, c[1], BATCH_PER_WORKER, c[2],
                            SparkTestContext.dir("export-files-" + c[1]).toURI().toString()));
            sparkNet.fit(rdd);
            assertEquals(sparkNet.getNetwork().getIterationCount(), perFit, java.util.Arrays.toString(c));
            assertEquals(c[3], perFit, java.util.Arrays.toString(c));
        }
    }

    @Test
    void configurationShipsAsJsonAndAsSerializedObjects() throws Exception {
        AdamW adamwr = AdamWR.builder().learningRate(0.02).weightDecay(0.01).restartsInIterations(4, 2).build();
        MultiLayerConfiguration conf = SparkAdamWJob.configuration(adamwr);
        String json = conf.toJson();
        assertTrue(json.contains("\"io.github.dl4jadamw.AdamW\""), "AdamW class in JSON");
        assertTrue(json.contains("\"io.github.dl4jadamw.DecoupledWeightDecay\""), "marker in JSON");
        assertTrue(json.contains("\"io.github.dl4jadamw.schedule.CosineWarmRestarts\""), "schedule in JSON");
        MultiLayerConfiguration fromJson = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, fromJson);
        assertEquals(json, fromJson.toJson());

        // what Spark's JavaSerializer does with the broadcast configuration (ParameterAveragingTrainingWorker)
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) { out.writeObject(conf); }
        MultiLayerConfiguration copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (MultiLayerConfiguration) in.readObject();
        }
        assertEquals(conf, copy);

        // the training master itself has a JSON form too (for job definitions)
        ParameterAveragingTrainingMaster tm = SparkAdamWJob.trainingMaster(sc.defaultParallelism(), 8, 16, 2, null);
        assertEquals(tm, ParameterAveragingTrainingMaster.fromJson(tm.toJson()));
        assertTrue(tm.isSaveUpdater());
    }

    /** DL4J's Javadoc says saveUpdater is on by default; in 1.0.0-M2 it is off: set it (SparkAdamWJob does). */
    @Test
    void dl4jSaveUpdaterDefaultIsOff() {
        assertFalse(new ParameterAveragingTrainingMaster.Builder(8).build().isSaveUpdater(),
                "DL4J changed the default: update SparkAdamWJob's comment and README");
    }
}
