package io.github.dl4jadamw.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.File;

/** A local[2] Spark context whose scratch files stay under target/ (surefire sets spark.test.dir). */
final class SparkTestContext {
    private SparkTestContext() {}

    static File dir(String name) {
        File d = new File(System.getProperty("spark.test.dir", "target/spark-test"), name);
        if (!d.isDirectory() && !d.mkdirs()) throw new IllegalStateException("cannot create " + d);
        return d;
    }

    static {
        // surefire points java.io.tmpdir into target/; make sure it exists before Spark (netty, block manager) uses it
        new File(System.getProperty("java.io.tmpdir")).mkdirs();
    }

    static JavaSparkContext start(String app, boolean kryo) {
        return start(app, kryo, 2);
    }

    /** {@code taskSlots}: how many tasks the one local executor runs at once ({@code local[taskSlots]}). */
    static JavaSparkContext start(String app, boolean kryo, int taskSlots) {
        SparkConf conf = new SparkConf()
                .setMaster("local[" + taskSlots + "]")
                .setAppName(app)
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.local.dir", dir("local").getAbsolutePath())
                .set("spark.hadoop.hadoop.tmp.dir", dir("hadoop").getAbsolutePath());
        if (kryo) {
            // DL4J's recommended setup: Kryo with ND4J's registrator (INDArrays)
            conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator");
        }
        return new JavaSparkContext(conf);
    }
}
