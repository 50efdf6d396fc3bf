package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.DecayConvention;
import io.github.dl4jadamw.examples.train.EpochRecord;
import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.Recipe;
import io.github.dl4jadamw.examples.train.RunResult;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * results.json and results.csv: every epoch of every run with its configuration. Rewritten (atomically) after
 * every epoch, so an interrupted job leaves valid files; {@link #load} reads results.json back (to resume a
 * sweep and to re-render reports).
 */
public final class ResultsStore {
    public static final String JSON = "results.json";
    public static final String CSV = "results.csv";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final Map<String, Object> meta = new LinkedHashMap<>();
    /** Runs by key, in insertion order; a run in progress replaces its earlier partial state. */
    private final Map<String, RunResult> runs = new LinkedHashMap<>();

    public ResultsStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() { return dir; }

    public void meta(String key, Object value) {
        meta.put(key, value);
    }

    public Map<String, Object> meta() { return meta; }

    public synchronized void put(RunResult r) {
        runs.put(r.key(), r);
    }

    public synchronized List<RunResult> runs() {
        return new ArrayList<>(runs.values());
    }

    public synchronized List<RunResult> completeRuns() {
        List<RunResult> l = new ArrayList<>();
        for (RunResult r : runs.values()) if (r.complete()) l.add(r);
        return l;
    }

    public synchronized RunResult completed(String key) {
        RunResult r = runs.get(key);
        return r != null && r.complete() ? r : null;
    }

    /** Drops runs that did not finish (before resuming). */
    public synchronized void dropIncomplete() {
        runs.values().removeIf(r -> !r.complete());
    }

    public synchronized void save() {
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(JSON), MAPPER.writeValueAsString(toJson()));
            writeAtomically(dir.resolve(CSV), toCsv());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results to " + dir, e);
        }
    }

    static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    ObjectNode toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("generator", "dl4j-adamw-examples");
        ObjectNode m = root.putObject("meta");
        meta.forEach((k, v) -> m.set(k, MAPPER.valueToTree(v)));
        ArrayNode arr = root.putArray("runs");
        for (RunResult r : runs.values()) {
            ObjectNode o = arr.addObject();
            o.put("runId", r.runId);
            o.put("optimizer", r.optimizer.kind.id);
            o.put("learningRate", r.optimizer.lr);
            o.put("lambda", r.optimizer.lambda);
            o.put("lambdaMeaning", decayMeaning(r.optimizer));
            o.put("decayConvention", r.optimizer.convention.name());
            o.put("schedule", r.optimizer.schedule.id);
            if (r.optimizer.normalized) o.put("normalizedDecay", true);
            if (r.optimizer.restarts()) { // the other settings carry the defaults (see OptimizerSpec)
                o.put("restartT0Epochs", r.optimizer.restartT0);
                o.put("restartTMult", r.optimizer.restartTMult);
            }
            Recipe rc = r.optimizer.recipe;
            if (rc.any()) {   // only when on: results written without them read back as Recipe.NONE
                ObjectNode ro = o.putObject("recipe");
                if (rc.clips()) ro.put("clipGlobalNorm", rc.clipGlobalNorm());
                if (rc.accumulates()) ro.put("accumulationSteps", rc.accumulationSteps());
                if (rc.warmsUp()) ro.put("warmupSteps", rc.warmupSteps());
                if (rc.averages()) ro.put("emaDecay", rc.emaDecay());
            }
            o.put("seed", r.seed);
            o.put("model", r.model);
            o.put("dataset", r.dataset);
            o.put("dataSource", r.dataSource);
            o.put("trainSize", r.trainSize);
            o.put("testSize", r.testSize);
            o.put("batchSize", r.batchSize);
            o.put("epochs", r.epochs);
            o.put("iterationsPerEpoch", r.iterationsPerEpoch);
            o.put("numParams", r.numParams);
            o.put("initialWeightNorm", r.initialWeightNorm);
            o.put("updater", r.updater);
            o.put("complete", r.complete());
            ArrayNode h = o.putArray("history");
            for (EpochRecord e : r.records) h.add(MAPPER.valueToTree(e));
        }
        return root;
    }

    static String decayMeaning(OptimizerSpec s) {
        if (s.kind == OptimizerKind.ADAM_L2) return "L2 coefficient on weights (DL4J .l2): gradient += λ·W";
        boolean paper = s.convention == DecayConvention.SCHEDULE_MULTIPLIER;
        String step = paper ? "W -= η_t·λ_t·W each step (paper convention)" : "W -= lr_t·λ_t·W each step (lr-coupled)";
        return s.normalized ? "normalized decay λ_norm on weights: λ_t = λ_norm·√(b/(B·T)) (history: lambda), " + step
                : "decoupled weight decay on weights, " + (paper ? "paper convention: W -= η_t·λ·W each step"
                : "lr-coupled: W -= lr_t·λ·W each step");
    }

    public static final String CSV_HEADER = "run_id,optimizer,learning_rate,lambda,seed,model,dataset,train_size,"
            + "test_size,batch_size,epochs,iterations_per_epoch,epoch,iterations,train_loss,test_loss,test_accuracy,"
            + "weight_norm,lr,eta,eta_mean,train_seconds,eval_seconds,decay_convention,schedule,normalized_decay,lambda_t,"
            + "clip_global_norm,accumulation_steps,warmup_steps,ema_decay,ema_test_loss,ema_test_accuracy";

    String toCsv() {
        StringBuilder s = new StringBuilder(CSV_HEADER).append('\n');
        for (RunResult r : runs.values())
            for (EpochRecord e : r.records)
                s.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%s,%s,%d,%d,%d,%d,%d,%d,%d,%.6f,%.6f,%.6f,%.6f,"
                                + "%.6g,%.6g,%.6g,%.3f,%.3f,%s,%s,%s,%.6g,%s,%d,%d,%s,%s,%s\n", r.runId, r.optimizer.kind.id,
                        r.optimizer.lr,
                        r.optimizer.lambda, r.seed, r.model, r.dataset, r.trainSize, r.testSize, r.batchSize,
                        r.epochs, r.iterationsPerEpoch, e.epoch, e.iterations, e.trainLoss, e.testLoss,
                        e.testAccuracy, e.weightNorm, e.lr, e.eta, e.etaMean, e.trainSeconds, e.evalSeconds,
                        r.optimizer.convention.name(), r.optimizer.schedule.id, r.optimizer.normalized, e.lambda,
                        // recipe options when off: 0, 1, 0 and NaN (an EMA decay of 0 is an EMA); no EMA: NaN results
                        Fmt.num(r.optimizer.recipe.clipGlobalNorm()), r.optimizer.recipe.accumulationSteps(),
                        r.optimizer.recipe.warmupSteps(),
                        r.optimizer.recipe.averages() ? Fmt.num(r.optimizer.recipe.emaDecay()) : "NaN",
                        e.emaTestLoss != null ? String.format(Locale.ROOT, "%.6f", e.emaTestLoss) : "NaN",
                        e.emaTestAccuracy != null ? String.format(Locale.ROOT, "%.6f", e.emaTestAccuracy) : "NaN"));
        return s.toString();
    }

    /** A run's recipe options (absent: none). */
    static Recipe recipe(JsonNode r) {
        if (r.isMissingNode() || r.isNull()) return Recipe.NONE;
        return new Recipe(r.path("clipGlobalNorm").asDouble(0), r.path("accumulationSteps").asInt(1),
                r.path("warmupSteps").asLong(0), r.has("emaDecay") ? r.path("emaDecay").asDouble() : null);
    }

    /** Reads a results.json written by {@link #save} (runs and meta). */
    public static ResultsStore load(Path dir) {
        ResultsStore st = new ResultsStore(dir);
        Path f = dir.resolve(JSON);
        if (!Files.isRegularFile(f)) return st;
        JsonNode root;
        try {
            root = MAPPER.readTree(f.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(f + ": cannot read (" + e.getMessage() + ")", e);
        }
        root.path("meta").fields().forEachRemaining(e -> st.meta.put(e.getKey(), e.getValue()));
        for (JsonNode o : root.path("runs")) {
            RunResult r = new RunResult();
            OptimizerKind kind = OptimizerKind.parse(o.path("optimizer").asText());
            r.optimizer = new OptimizerSpec(kind, o.path("learningRate").asDouble(), o.path("lambda").asDouble(),
                    o.path("restartT0Epochs").asDouble(OptimizerSpec.DEFAULT_RESTART_T0),
                    o.path("restartTMult").asDouble(OptimizerSpec.DEFAULT_RESTART_TMULT),
                    o.has("schedule") ? LrSchedule.parse(o.path("schedule").asText()) : OptimizerSpec.defaultSchedule(kind),
                    o.has("decayConvention") ? DecayConvention.valueOf(o.path("decayConvention").asText())
                            : DecayConvention.LR_COUPLED,
                    o.path("normalizedDecay").asBoolean(false), recipe(o.path("recipe")));
            r.runId = o.path("runId").asText();
            r.seed = o.path("seed").asLong();
            r.model = o.path("model").asText();
            r.dataset = o.path("dataset").asText();
            r.dataSource = o.path("dataSource").asText();
            r.trainSize = o.path("trainSize").asInt();
            r.testSize = o.path("testSize").asInt();
            r.batchSize = o.path("batchSize").asInt();
            r.epochs = o.path("epochs").asInt();
            r.iterationsPerEpoch = o.path("iterationsPerEpoch").asInt();
            r.numParams = o.path("numParams").asLong();
            r.initialWeightNorm = o.path("initialWeightNorm").asDouble();
            r.updater = o.path("updater").asText();
            for (JsonNode h : o.path("history")) {
                try {
                    r.records.add(MAPPER.treeToValue(h, EpochRecord.class));
                } catch (IOException e) {
                    throw new UncheckedIOException(f + ": bad epoch record " + h, e);
                }
            }
            st.put(r);
        }
        return st;
    }
}
