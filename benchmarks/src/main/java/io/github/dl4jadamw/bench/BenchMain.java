package io.github.dl4jadamw.bench;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@link StepBenchmark} with JMH's gc profiler and turns its results into ns/parameter, ratios (against DL4J's
 * Adam, DL4J's Adam + WeightDecay and a plain copy, all from this one run) and bytes allocated per step; prints a
 * table and writes it as JSON (path printed; {@code -Dbench.json=FILE} to choose it), JMH's own JSON beside it.
 *
 * <p>Defaults (each overridable with the usual JMH options, which are all accepted): {@code -f 1 -wi 3 -w 1s -i 5
 * -r 1s -prof gc}, every variant and shape in float32. E.g. {@code -p shape=16M -p variant=adamw-cpu,dl4j-adam-wd},
 * {@code -p dtype=DOUBLE}, {@code -f 2 -i 10}.
 */
public final class BenchMain {
    static final String[] FORK_JVM_ARGS = {"-Xmx3g", "-Dorg.bytedeco.javacpp.maxbytes=8G",
            "-Dorg.bytedeco.javacpp.maxphysicalbytes=12G", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"};
    static final String ALLOC = "gc.alloc.rate.norm";
    static final String STEP_ALLOC = "allocBytes", STEPS = "steps";

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListProfilers() || cli.shouldListResultFormats()
                || cli.shouldListWithParams()) {
            org.openjdk.jmh.Main.main(args); // JMH's own help and listings
            return;
        }
        Path json = Paths.get(System.getProperty("bench.json", defaultDir().resolve("adamw-bench-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json").toString()))
                .toAbsolutePath();
        Path jmhJson = json.resolveSibling(json.getFileName().toString().replaceFirst("\\.json$", "") + ".jmh.json");
        Files.createDirectories(json.getParent());

        ChainedOptionsBuilder b = new OptionsBuilder().parent(cli);
        if (cli.getIncludes().isEmpty()) b.include(StepBenchmark.class.getName() + ".step$");
        if (!cli.getForkCount().hasValue()) b.forks(1);
        if (!cli.getWarmupIterations().hasValue()) b.warmupIterations(3);
        if (!cli.getWarmupTime().hasValue()) b.warmupTime(TimeValue.seconds(1));
        if (!cli.getMeasurementIterations().hasValue()) b.measurementIterations(5);
        if (!cli.getMeasurementTime().hasValue()) b.measurementTime(TimeValue.seconds(1));
        if (!cli.getJvmArgsPrepend().hasValue()) b.jvmArgsPrepend(FORK_JVM_ARGS);
        if (cli.getProfilers().stream().noneMatch(p -> p.getKlass().equals("gc")
                || p.getKlass().equals(GCProfiler.class.getName())))
            b.addProfiler(GCProfiler.class);
        if (!cli.getResult().hasValue()) b.result(jmhJson.toString());
        if (!cli.getResultFormat().hasValue()) b.resultFormat(ResultFormatType.JSON);
        Options opts = b.build();

        String binary = nd4jBinary();
        Collection<RunResult> results = new Runner(opts).run();
        List<Row> rows = rows(results);
        PrintStream out = System.out;
        out.println();
        out.println(table(rows));
        out.println("libnd4j binary: " + binary + "; OMP_WAIT_POLICY=" + env("OMP_WAIT_POLICY")
                + ", OMP_NUM_THREADS=" + env("OMP_NUM_THREADS"));
        Files.write(json, toJson(rows, opts, jmhJson, binary).getBytes(StandardCharsets.UTF_8));
        out.println("Results (ns/parameter, ratios, allocation per step): " + json);
        out.println("JMH results: " + opts.getResult().orElse(jmhJson.toString()));
    }

    /**
     * Which libnd4j build the forks load (the same classpath as this JVM) and what this CPU could run: DL4J's Adam,
     * the ND4J-op kernel and {@code params -= update} are libnd4j ops, about twice as fast in the AVX2 build, so every
     * ratio to DL4J depends on it (benchmarks/README.md). Choose it at build time with
     * {@code -Djavacpp.platform.extension=-avx2}.
     */
    static String nd4jBinary() {
        Nd4j.getBackend(); // loads the backend, which NativeOpsHolder needs
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        return levelName(ops.binaryLevel()) + " (this CPU supports " + levelName(ops.optimalLevel()) + ")";
    }

    /** An environment variable the forks inherit, or "(unset)". */
    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "(unset)" : v;
    }

    /** libnd4j's names for its CPU binary levels, as its CpuNDArrayFactory logs them. */
    private static String levelName(int level) {
        switch (level) {
            case 3: return "AVX512";
            case 2: return "AVX/AVX2";
            default: return "Generic x86";
        }
    }

    /** The folder holding benchmarks.jar (benchmarks/target), else the working directory. */
    private static Path defaultDir() {
        try {
            Path jar = Paths.get(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(jar) ? jar.getParent() : Paths.get("");
        } catch (URISyntaxException | SecurityException e) {
            return Paths.get("");
        }
    }

    /** One benchmark result with what is derived from it. */
    static final class Row {
        String shape, variant, dtype;
        long params;
        int blocks;
        double msPerStep, msError, nsPerParam, allocBytesPerStep = Double.NaN, jvmAllocBytesPerStep = Double.NaN;
        Double vsAdam, vsAdamWd, vsAdamWdBuilt, vsCopy;
    }

    static List<Row> rows(Collection<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            if (r.getParams().getParam("shape") == null) continue;   // not StepBenchmark: JMH's own table shows it
            Row row = new Row();
            row.shape = r.getParams().getParam("shape");
            row.variant = r.getParams().getParam("variant");
            row.dtype = r.getParams().getParam("dtype");
            row.params = Shapes.total(row.shape);
            row.blocks = Shapes.of(row.shape).size();
            Result<?> p = r.getPrimaryResult();
            double toMs = unitToMs(p.getScoreUnit());
            row.msPerStep = p.getScore() * toMs;
            row.msError = p.getScoreError() * toMs;
            row.nsPerParam = row.msPerStep * 1e6 / row.params;
            Result<?> alloc = r.getSecondaryResults().get(ALLOC);
            if (alloc != null) row.jvmAllocBytesPerStep = alloc.getScore();
            Result<?> bytes = r.getSecondaryResults().get(STEP_ALLOC), steps = r.getSecondaryResults().get(STEPS);
            if (bytes != null && steps != null && steps.getScore() > 0)
                row.allocBytesPerStep = bytes.getScore() / steps.getScore();
            rows.add(row);
        }
        for (Row row : rows) {
            row.vsAdam = ratio(row, find(rows, row, "dl4j-adam"));
            row.vsAdamWd = ratio(row, find(rows, row, "dl4j-adam-wd"));
            row.vsAdamWdBuilt = ratio(row, find(rows, row, "dl4j-adam-wd-built"));
            row.vsCopy = ratio(row, find(rows, row, "copy"));
        }
        return rows;
    }

    private static double unitToMs(String unit) {
        switch (unit) {
            case "ms/op": return 1;
            case "us/op": return 1e-3;
            case "ns/op": return 1e-6;
            case "s/op": return 1e3;
            default: throw new IllegalStateException("run in average-time mode (-bm avgt): score unit is " + unit);
        }
    }

    private static Row find(List<Row> rows, Row like, String variant) {
        for (Row r : rows)
            if (r.variant.equals(variant) && r.shape.equals(like.shape) && r.dtype.equals(like.dtype)) return r;
        return null;
    }

    private static Double ratio(Row a, Row b) {
        return b == null ? null : a.msPerStep / b.msPerStep;
    }

    static String table(List<Row> rows) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-7s %-6s %-18s %10s %9s %9s %9s %9s %9s %9s %12s %12s%n", "shape",
                "dtype", "variant", "ms/step", "±", "ns/param", "×Adam", "×Adam+WD", "×as built", "×copy",
                "alloc B/step", "(all threads)"));
        for (Row r : rows)
            s.append(String.format(Locale.ROOT, "%-7s %-6s %-18s %10.3f %9.3f %9.3f %9s %9s %9s %9s %12s %12s%n",
                    r.shape, r.dtype, r.variant, r.msPerStep, r.msError, r.nsPerParam, fmt(r.vsAdam),
                    fmt(r.vsAdamWd), fmt(r.vsAdamWdBuilt), fmt(r.vsCopy), bytes(r.allocBytesPerStep),
                    bytes(r.jvmAllocBytesPerStep)));
        s.append("ns/param: time per step / parameters; ×X: time per step / X's, same shape, this run (×as built: "
                + "dl4j-adam-wd-built, DL4J's own doubled WeightDecay); alloc B/step: "
                + "bytes allocated per step by the stepping threads (benchmark thread + adamw-kernel workers); "
                + "(all threads): JMH's gc.alloc.rate.norm, every thread of the JVM\n");
        return s.toString();
    }

    private static String bytes(double b) {
        return Double.isNaN(b) ? "-" : String.format(Locale.ROOT, "%.0f", b);
    }

    private static String fmt(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.3f", d);
    }

    static String toJson(List<Row> rows, Options o, Path jmhJson, String binary) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("benchmark", "one optimizer step as DL4J runs it (updater, post-updater decay, params -= update)");
        top.put("date", LocalDateTime.now().toString());
        top.put("cpus", Runtime.getRuntime().availableProcessors());
        top.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        top.put("nd4jBinary", binary);
        // libgomp's idle threads spin or sleep between ops; spinning ones take cores from the CPU kernel's threads
        top.put("OMP_WAIT_POLICY", env("OMP_WAIT_POLICY"));
        top.put("OMP_NUM_THREADS", env("OMP_NUM_THREADS"));
        top.put("forks", o.getForkCount().orElse(-1));
        top.put("warmup", o.getWarmupIterations().orElse(-1) + " x " + o.getWarmupTime().orElse(null));
        top.put("measurement", o.getMeasurementIterations().orElse(-1) + " x " + o.getMeasurementTime().orElse(null));
        top.put("jmhResults", o.getResult().orElse(jmhJson.toString()));
        List<Object> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shape", r.shape);
            m.put("variant", r.variant);
            m.put("dtype", r.dtype);
            m.put("params", r.params);
            m.put("blocks", r.blocks);
            m.put("msPerStep", r.msPerStep);
            m.put("msPerStepError", r.msError);
            m.put("nsPerParam", r.nsPerParam);
            m.put("vsDl4jAdam", r.vsAdam);
            m.put("vsDl4jAdamWeightDecay", r.vsAdamWd);
            m.put("vsDl4jAdamWeightDecayAsBuilt", r.vsAdamWdBuilt);
            m.put("vsCopy", r.vsCopy);
            m.put("allocBytesPerStep", Double.isNaN(r.allocBytesPerStep) ? null : r.allocBytesPerStep);
            m.put("gcAllocRateNormAllThreads", Double.isNaN(r.jvmAllocBytesPerStep) ? null : r.jvmAllocBytesPerStep);
            list.add(m);
        }
        top.put("results", list);
        StringBuilder s = new StringBuilder();
        write(s, top, "");
        return s.append('\n').toString();
    }

    @SuppressWarnings("unchecked")
    private static void write(StringBuilder s, Object v, String indent) {
        if (v == null) {
            s.append("null");
        } else if (v instanceof Map) {
            String in = indent + "  ";
            s.append("{");
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                s.append(first ? "\n" : ",\n").append(in);
                string(s, e.getKey());
                s.append(": ");
                write(s, e.getValue(), in);
                first = false;
            }
            s.append("\n").append(indent).append("}");
        } else if (v instanceof List) {
            String in = indent + "  ";
            s.append("[");
            boolean first = true;
            for (Object o : (List<Object>) v) {
                s.append(first ? "\n" : ",\n").append(in);
                write(s, o, in);
                first = false;
            }
            s.append("\n").append(indent).append("]");
        } else if (v instanceof Double) {
            double d = (Double) v;
            s.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            s.append(v);
        } else {
            string(s, v.toString());
        }
    }

    private static void string(StringBuilder s, String x) {
        s.append('"');
        for (char c : x.toCharArray()) {
            if (c == '"' || c == '\\') s.append('\\').append(c);
            else if (c < 0x20) s.append(String.format("\\u%04x", (int) c));
            else s.append(c);
        }
        s.append('"');
    }

}
