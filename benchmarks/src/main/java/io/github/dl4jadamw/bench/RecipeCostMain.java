package io.github.dl4jadamw.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@link RecipeCostBenchmark} and prints, per variant, ms per fit, ns per parameter, and the difference to
 * {@code plain} (AdamW without the options) in ns per parameter, all from this one run. Defaults {@code -f 1 -wi 3
 * -w 1s -i 5 -r 1s}; JMH options override them, e.g. {@code -p variant=plain,clip}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.dl4jadamw.bench.RecipeCostMain</pre>
 */
public final class RecipeCostMain {
    private RecipeCostMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        ChainedOptionsBuilder o = new OptionsBuilder().parent(cli).include(RecipeCostBenchmark.class.getSimpleName())
                .jvmArgsAppend(BenchMain.FORK_JVM_ARGS);
        if (!cli.getForkCount().hasValue()) o.forks(1);
        if (!cli.getWarmupIterations().hasValue()) o.warmupIterations(3);
        if (!cli.getWarmupTime().hasValue()) o.warmupTime(TimeValue.seconds(1));
        if (!cli.getMeasurementIterations().hasValue()) o.measurementIterations(5);
        if (!cli.getMeasurementTime().hasValue()) o.measurementTime(TimeValue.seconds(1));
        Collection<RunResult> results = new Runner(o.build()).run();
        long n = (long) RecipeCostBenchmark.WIDTH * RecipeCostBenchmark.WIDTH + RecipeCostBenchmark.WIDTH
                + (long) RecipeCostBenchmark.WIDTH * RecipeCostBenchmark.OUT + RecipeCostBenchmark.OUT;
        Map<String, double[]> ms = new LinkedHashMap<>();
        for (RunResult r : results)
            ms.put(r.getParams().getParam("variant"), new double[]{r.getPrimaryResult().getScore(),
                    r.getPrimaryResult().getScoreError()});
        double plain = ms.containsKey("plain") ? ms.get("plain")[0] : Double.NaN;
        System.out.printf(Locale.ROOT, "%nrecipe options, float32, %d parameters, CPU kernel, per fit%n", n);
        System.out.printf(Locale.ROOT, "%-12s %10s %8s %12s %14s%n", "variant", "ms/fit", "±", "ns/param", "vs plain ns/p");
        for (Map.Entry<String, double[]> e : ms.entrySet()) {
            double nsPerParam = e.getValue()[0] * 1e6 / n;
            System.out.printf(Locale.ROOT, "%-12s %10.3f %8.3f %12.3f %+14.3f%n", e.getKey(), e.getValue()[0],
                    e.getValue()[1], nsPerParam, (e.getValue()[0] - plain) * 1e6 / n);
        }
    }
}
