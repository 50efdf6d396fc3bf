package io.github.dl4jadamw.spark;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import io.github.dl4jadamw.DecoupledWeightDecay;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * AdamWR on Spark with DL4J's parameter averaging: the job the tests run on {@code local[2]}, and the one to submit to
 * a cluster ({@code spark-submit --class io.github.dl4jadamw.spark.SparkAdamWJob ...}). It trains a small MLP on a
 * synthetic, learnable task so that it needs no data files.
 *
 * <p>What matters for AdamW/AdamWR under {@link ParameterAveragingTrainingMaster}:
 * <ul>
 *   <li>{@code saveUpdater(true)}: otherwise every averaging round starts each worker with a zeroed AdamW state (M, V).
 *       DL4J's Javadoc calls it the default, but the 1.0.0-M2 builder leaves it false.</li>
 *   <li>Iterations: each worker starts a round at the driver network's iteration count and counts its own minibatches;
 *       after the round the driver adds {@code averagingFrequency}. So the count (AdamW's t, AdamWR's position in its
 *       restart schedule) advances by averagingFrequency per round. The rounds per fit are DL4J's splits of the RDD,
 *       counted in DataSet objects and rounded down ({@link #iterationsPerFit}); use its result as
 *       {@code iterationsPerEpoch} for {@code restartsInEpochs}. The epoch count advances by one per fit.</li>
 *   <li>Scala: DL4J's Spark 1.0.0-M2 jars need scala-library/scala-reflect 2.12.15 at run time. Spark 3.1.2's
 *       distribution ships 2.12.10, with which every task fails ("ReflectiveOperationException during deserialization
 *       ... too many arguments"); put the 2.12.15 jars first with {@code spark.driver.extraClassPath} and
 *       {@code spark.executor.extraClassPath}. The {@code -Pspark-submit} jar leaves Scala, Spark and Hadoop to the
 *       cluster.</li>
 *   <li>The configuration reaches the executors by Java (or Kryo) serialization of the configuration objects inside
 *       the broadcast, and as JSON for scoring and evaluation ({@code calculateScore}, {@code evaluate}).</li>
 * </ul>
 */
public final class SparkAdamWJob {
    public static final int N_IN = 4, HIDDEN = 16, N_OUT = 3;

    private SparkAdamWJob() {}

    /** The README idiom: AdamW/AdamWR plus the decay marker. */
    public static MultiLayerConfiguration configuration(IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).seed(42)
                .updater(updater)
                .regularization(DecoupledWeightDecay.onWeights())
                .list()
                .layer(new DenseLayer.Builder().nIn(N_IN).nOut(HIDDEN).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(HIDDEN).nOut(N_OUT).build())
                .build();
    }

    /**
     * Per fit, how far the driver's iteration count advances: averagingFrequency per round, one round per split of the
     * RDD, as {@code ParameterAveragingTrainingMaster} (1.0.0-M2) splits it: a split holds
     * {@code workers·max(1, batchSizePerWorker·averagingFrequency / examplesPerDataSet)} DataSet objects (with one
     * example per object, {@code workers·batchSizePerWorker·averagingFrequency}), and the number of splits is the
     * object count divided by that, rounded down, at least 1. Rounded down: with a ragged count a round's workers run
     * more than averagingFrequency minibatches, so iteration numbers seen by workers overlap between rounds.
     *
     * @param dataSetObjects     DataSet objects in the RDD
     * @param examplesPerDataSet examples in each (the training master's {@code rddDataSetNumExamples})
     */
    public static int iterationsPerFit(long dataSetObjects, int examplesPerDataSet, int workers, int batchSizePerWorker,
                                       int averagingFrequency) {
        long perSplit = examplesPerDataSet == 1 ? (long) workers * batchSizePerWorker * averagingFrequency
                : Math.max(1, (long) batchSizePerWorker * averagingFrequency / examplesPerDataSet) * workers;
        long splits = dataSetObjects <= perSplit ? 1 : dataSetObjects / perSplit;
        return (int) (splits * averagingFrequency);
    }

    public static ParameterAveragingTrainingMaster trainingMaster(int examplesPerDataSet, int batchSizePerWorker,
                                                                  int averagingFrequency, String exportDirectory) {
        ParameterAveragingTrainingMaster.Builder b = new ParameterAveragingTrainingMaster.Builder(examplesPerDataSet)
                .batchSizePerWorker(batchSizePerWorker)
                .averagingFrequency(averagingFrequency)
                .saveUpdater(true)            // keep and average AdamW's M and V across rounds
                .rngSeed(12345);
        if (exportDirectory != null) b.exportDirectory(exportDirectory);
        return b.build();
    }

    /** A learnable task: class = argmax of a fixed random linear map of x. {@code n} DataSets of {@code size} examples. */
    public static List<DataSet> data(int n, int size, long seed) {
        Random rnd = new Random(seed);
        float[][] map = new float[N_IN][N_OUT];
        Random fixed = new Random(-1);
        for (float[] row : map) for (int j = 0; j < N_OUT; j++) row[j] = (float) fixed.nextGaussian();
        List<DataSet> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            INDArray x = Nd4j.create(DataType.FLOAT, size, N_IN);
            INDArray y = Nd4j.zeros(DataType.FLOAT, size, N_OUT);
            for (int r = 0; r < size; r++) {
                double[] s = new double[N_OUT];
                for (int i = 0; i < N_IN; i++) {
                    double v = rnd.nextGaussian();
                    x.putScalar(r, i, v);
                    for (int j = 0; j < N_OUT; j++) s[j] += v * map[i][j];
                }
                int best = 0;
                for (int j = 1; j < N_OUT; j++) if (s[j] > s[best]) best = j;
                y.putScalar(r, best, 1.0);
            }
            out.add(new DataSet(x, y));
        }
        return out;
    }

    /** Trains for {@code epochs} fits and returns the Spark network (its driver-side network holds the result). */
    public static SparkDl4jMultiLayer train(JavaSparkContext sc, IUpdater updater, JavaRDD<DataSet> rdd,
                                            ParameterAveragingTrainingMaster tm, int epochs) {
        SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(sc, configuration(updater), tm);
        for (int e = 0; e < epochs; e++) net.fit(rdd);
        return net;
    }

    /**
     * {@code spark-submit --class io.github.dl4jadamw.spark.SparkAdamWJob <jar> [examples] [epochs] [batchSizePerWorker]
     * [averagingFrequency]}; the master comes from spark-submit ({@code --master}).
     */
    public static void main(String[] args) {
        int examples = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int avg = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        JavaSparkContext sc = new JavaSparkContext(new SparkConf().setAppName("dl4j-adamw AdamWR on Spark"));
        try {
            int workers = sc.defaultParallelism();
            int perFit = iterationsPerFit(examples / batch, batch, workers, batch, avg);   // DataSets of `batch` examples
            AdamW adamwr = AdamWR.builder().learningRate(1e-2).weightDecay(1e-2)
                    .restartsInEpochs(1, 2, perFit)   // T_0 = 1 epoch of this job's iteration counting
                    .build();
            JavaRDD<DataSet> rdd = sc.parallelize(data(examples / batch, batch, 1), workers);
            SparkDl4jMultiLayer net = train(sc, adamwr, rdd, trainingMaster(batch, batch, avg, null), epochs);
            System.out.printf("score %.4f after %d iterations (%d epochs, %d workers)%n",
                    net.calculateScore(rdd, true), net.getNetwork().getIterationCount(), epochs, workers);
        } finally {
            sc.stop();
        }
    }
}
