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
import org.deeplearning4j.spark.impl.paramavg.util.ExportSupport;
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
 *       restart schedule) advances by averagingFrequency per round. The rounds per fit are DL4J's splits of the data:
 *       with the default Export approach, of the minibatch files it writes ({@link #iterationsPerFit(JavaRDD, int,
 *       int, int)}); with the Direct approach, of the RDD's DataSet objects ({@link #iterationsPerFit(long, int, int,
 *       int, int)}); rounded down either way. Use the result as {@code iterationsPerEpoch} for
 *       {@code restartsInEpochs}. The epoch count advances by one per fit.</li>
 *   <li>Export writes those files to a filesystem every node reads: on a cluster give an {@code exportDirectory}
 *       (hdfs://, s3a://) unless the cluster's default filesystem is one. DL4J refuses Export on a local one.</li>
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
     * Per fit, how far the driver's iteration count advances under the Direct approach
     * ({@code rddTrainingApproach(RDDTrainingApproach.Direct)}), and under the default Export approach when every
     * DataSet holds exactly {@code batchSizePerWorker} examples (then each one is one exported file; for any other
     * data use {@link #iterationsPerFit(JavaRDD, int, int, int)}). averagingFrequency per round, one round per split
     * of the RDD, as {@code ParameterAveragingTrainingMaster} (1.0.0-M2) splits it: a split holds
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

    /**
     * Per fit, how far the driver's iteration count advances under the default Export approach, for this RDD: DL4J
     * first writes each partition's examples into files of {@code batchSizePerWorker} examples
     * ({@code BatchAndExportDataSetsFunction}), then splits the files, workers·averagingFrequency per split, rounded
     * down. The files are counted here as that function makes them, from the DataSets' sizes in partition order
     * (one Spark job over the RDD; nothing is written): a DataSet of exactly batchSizePerWorker examples is a file of
     * its own; others pool, and each time the pool reaches batchSizePerWorker one file is cut from it; at the end of a
     * partition what is left makes one file of at most batchSizePerWorker examples (DL4J drops any rest: that happens
     * when DataSets are larger than batchSizePerWorker).
     */
    public static int iterationsPerFit(JavaRDD<DataSet> rdd, int workers, int batchSizePerWorker,
                                       int averagingFrequency) {
        positive("workers", workers);
        positive("batchSizePerWorker", batchSizePerWorker);
        positive("averagingFrequency", averagingFrequency);
        long files = rdd.map(DataSet::numExamples).mapPartitions(sizes -> {
            long count = 0, pooled = 0;
            while (sizes.hasNext()) {
                int n = sizes.next();
                if (n == batchSizePerWorker) { count++; continue; }
                pooled += n;
                if (pooled >= batchSizePerWorker) { count++; pooled -= batchSizePerWorker; }
            }
            if (pooled > 0) count++;
            return java.util.List.of(count).iterator();
        }).fold(0L, Long::sum);
        // DL4J then splits the files as DataSet objects of batchSizePerWorker examples each (executeTraining passes
        // that as their size); an empty split is skipped, so no files leave the count where it was
        return files == 0 ? 0 : iterationsPerFit(files, batchSizePerWorker, workers, batchSizePerWorker,
                averagingFrequency);
    }

    private static void positive(String name, long value) {
        if (value < 1) throw new IllegalArgumentException(name + " = " + value + " is invalid: must be an integer >= 1");
    }

    /**
     * The training master of these jobs: parameter averaging over {@code workers} workers (given, not read from the
     * Spark context at the first fit, when a cluster's executors may not all have registered yet), AdamW's state
     * averaged and kept ({@code saveUpdater}), the data exported to {@code exportDirectory} (null: DL4J's default,
     * a temporary directory on the default filesystem).
     */
    public static ParameterAveragingTrainingMaster trainingMaster(int workers, int examplesPerDataSet,
                                                                  int batchSizePerWorker, int averagingFrequency,
                                                                  String exportDirectory) {
        ParameterAveragingTrainingMaster.Builder b = new ParameterAveragingTrainingMaster.Builder(workers,
                examplesPerDataSet)
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
     * {@code spark-submit --class io.github.dl4jadamw.spark.SparkAdamWJob <jar> [examples [epochs [batchSizePerWorker
     * [averagingFrequency [exportDirectory]]]]]}; the master comes from spark-submit ({@code --master}). The workers
     * are the context's default parallelism (its cores), read once at start; exportDirectory (hdfs://..., s3a://...)
     * is needed on a cluster whose default filesystem is local.
     */
    public static void main(String[] args) {
        if (args.length > 5)
            throw new IllegalArgumentException("expected at most 5 arguments (examples epochs batchSizePerWorker "
                    + "averagingFrequency exportDirectory), got " + args.length + ": " + String.join(" ", args));
        int examples = argument(args, 0, "examples", 4096);
        int epochs = argument(args, 1, "epochs", 5);
        int batch = argument(args, 2, "batchSizePerWorker", 32);
        int avg = argument(args, 3, "averagingFrequency", 4);
        String exportDirectory = args.length > 4 ? args[4] : null;
        JavaSparkContext sc = new JavaSparkContext(new SparkConf().setAppName("dl4j-adamw AdamWR on Spark"));
        try {
            int workers = sc.defaultParallelism();
            if (examples < batch * workers)
                throw new IllegalArgumentException("examples = " + examples + " is invalid: must be at least "
                        + "batchSizePerWorker × workers = " + batch + " × " + workers + " = " + batch * workers
                        + ", one minibatch for each worker");
            if (exportDirectory == null && !ExportSupport.exportSupported(sc))
                throw new IllegalArgumentException("exportDirectory is required here: DL4J's parameter averaging "
                        + "exports the data as files that every node reads, and this cluster's default filesystem is "
                        + "local; give a 5th argument such as hdfs://namenode/tmp/dl4j-export or s3a://bucket/path");
            int perFit = iterationsPerFit(examples / batch, batch, workers, batch, avg);   // DataSets of `batch` examples
            AdamW adamwr = AdamWR.builder().learningRate(1e-2).weightDecay(1e-2)
                    .restartsInEpochs(1, 2, perFit)   // T_0 = 1 epoch of this job's iteration counting
                    .build();
            if (examples % batch != 0)
                System.out.printf("examples = %d is not a multiple of batchSizePerWorker = %d: training on %d%n",
                        examples, batch, examples / batch * batch);
            JavaRDD<DataSet> rdd = sc.parallelize(data(examples / batch, batch, 1), workers);
            SparkDl4jMultiLayer net = train(sc, adamwr, rdd, trainingMaster(workers, batch, batch, avg,
                    exportDirectory), epochs);
            System.out.printf("score %.4f after %d iterations (%d epochs, %d workers)%n",
                    net.calculateScore(rdd, true), net.getNetwork().getIterationCount(), epochs, workers);
        } finally {
            sc.stop();
        }
    }

    /** Positional argument {@code i} as an integer >= 1, named in the message when it is not one. */
    static int argument(String[] args, int i, String name, int defaultValue) {
        if (args.length <= i) return defaultValue;
        int v;
        try {
            v = Integer.parseInt(args[i].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " = " + args[i] + " is invalid: must be an integer >= 1");
        }
        positive(name, v);
        return v;
    }
}
