package io.github.dl4jadamw;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One case of the reference trajectories (format: reference-trajectories/README.md), and how README tells a user to
 * configure our updater for it. Nothing here computes an expected value: those all come from the JSON files.
 */
final class TrajectoryCase {
    static final String TENSOR_FORMAT = "adamw-trajectory/1";
    static final String NETWORK_FORMAT = "adamw-network-trajectory/1";
    /** Recipe network cases: clipping, accumulation, warm-up schedules, parameter groups, EMA ({@link RecipeReplay}). */
    static final String RECIPE_FORMAT = "adamw-network-trajectory/2";
    /** The bundled sets, as test resources: the reference trajectories, then the recipe cases. */
    private static final String[] BUNDLED = {"reference-trajectories/public-tensor.json",
            "reference-trajectories/public-network.json", "recipe-trajectories/public-recipes-network.json"};
    private static final ObjectMapper JSON = new ObjectMapper();

    final String file;
    final JsonNode json;

    private TrajectoryCase(String file, JsonNode json) {
        this.file = file;
        this.json = json;
    }

    String name() { return json.path("name").asText("(unnamed)"); }
    String format() { return json.path("format").asText(); }
    String algorithm() { return json.path("algorithm").asText(format().equals(NETWORK_FORMAT) ? "adamw" : ""); }
    String semantics() { return json.path("semantics").asText(); }
    JsonNode hyper() { return json.path("hyper"); }
    JsonNode schedule() { return json.path("schedule"); }

    DataType dataType() {
        String t = json.path("dtype").asText("float64");
        switch (t) {
            case "float64": return DataType.DOUBLE;
            case "float32": return DataType.FLOAT;
            default: throw new IllegalArgumentException("case " + name() + ": unknown dtype " + t);
        }
    }

    /** Tolerances from reference-trajectories/README.md. */
    double tolerance() {
        return dataType() == DataType.DOUBLE ? 1e-9 : 1e-5;
    }

    /** Base learning rate: {@code lr} (PyTorch/optax) or {@code alpha} (paper). */
    double lr() {
        return hyper().has("alpha") ? hyper().get("alpha").asDouble() : hyper().path("lr").asDouble();
    }

    /**
     * The updater a user configures for this case, following README's conventions table: lr-coupled cases use the
     * PyTorch learning rate and decay as is (with a PyTorch scheduler the schedule is the absolute learning rate,
     * η from eta_min to lr); schedule-multiplier cases use α = alpha and the schedule as η_t. Coupled-L2 cases get
     * decoupled decay 0 (their L2 goes through DL4J's L2 regularization). SGDW cases get {@link SGDW}.
     */
    DecoupledDecayUpdater updater() {
        JsonNode h = hyper();
        boolean paper = semantics().equals("schedule_multiplier");
        boolean l2 = semantics().equals("coupled_l2");
        DecoupledDecayUpdater.Builder<?> b;
        AdamW.Builder adam = null;
        SGDW.Builder sgd = null;
        switch (algorithm()) {
            case "adamw":
            case "adam_l2":
                b = adam = AdamW.builder()
                        .betas(h.path("beta1").asDouble(AdamW.DEFAULT_BETA1), h.path("beta2").asDouble(AdamW.DEFAULT_BETA2))
                        .epsilon(h.path("eps").asDouble(AdamW.DEFAULT_EPSILON))
                        .amsgrad(h.path("amsgrad").asBoolean(false));
                break;
            case "sgdw":
                b = sgd = SGDW.builder().momentum(h.path("momentum").asDouble(SGDW.DEFAULT_MOMENTUM))
                        .nesterov(h.path("nesterov").asBoolean(false));
                break;
            default:
                throw new UnsupportedCaseException("algorithm " + algorithm());
        }
        b.weightDecay(l2 ? 0 : h.path("weight_decay").asDouble(0))
                .decayConvention(paper ? DecayConvention.SCHEDULE_MULTIPLIER : DecayConvention.LR_COUPLED);
        JsonNode s = schedule();
        String type = s.path("type").asText("constant");
        if (type.equals("constant")) {
            b.learningRate(lr());
        } else if (type.equals("cosine_warm_restarts")) {
            ScheduleType unit = s.path("unit").asText("iteration").equals("epoch") ? ScheduleType.EPOCH : ScheduleType.ITERATION;
            double ipe = 0;
            if (unit == ScheduleType.EPOCH) {
                for (String k : new String[]{"iterations_per_epoch", "steps_per_epoch", "iters_per_epoch"})
                    if (s.has(k)) ipe = s.get(k).asDouble();
                if (ipe <= 0) throw new UnsupportedCaseException("epoch-unit schedule without iterations per epoch");
            }
            double etaMin = s.path("eta_min").asDouble(0);
            if (paper) {
                b.learningRate(lr()).schedule(restarts(unit, s.get("T0").asDouble(), s.path("Tmult").asDouble(1), etaMin,
                        s.path("eta_max").asDouble(1), ipe));
            } else { // PyTorch: eta_min in learning-rate units, base lr = hyper.lr
                b.learningRate(1.0).schedule(restarts(unit, s.get("T0").asDouble(), s.path("Tmult").asDouble(1), etaMin,
                        lr(), ipe));
            }
        } else {
            throw new UnsupportedCaseException("schedule type " + type);
        }
        return adam != null ? adam.build() : sgd.build();
    }

    /** Coupled L2 coefficient (adam_l2 cases), else 0. */
    double l2() {
        return semantics().equals("coupled_l2") ? hyper().path("weight_decay").asDouble(0) : 0;
    }

    static double[] doubles(JsonNode arr) {
        double[] d = new double[arr.size()];
        for (int i = 0; i < d.length; i++) d[i] = arr.get(i).asDouble();
        return d;
    }

    /** Thrown for a case this library cannot replay yet: its test fails with the reason. */
    static final class UnsupportedCaseException extends RuntimeException {
        UnsupportedCaseException(String why) { super(why); }
    }

    /** The bundled public cases (test resources), then every *.json in -Dadamw.trajectories=DIR. */
    static List<TrajectoryCase> all() throws IOException {
        List<TrajectoryCase> out = new ArrayList<>();
        for (String f : BUNDLED) {
            try (InputStream in = TrajectoryCase.class.getResourceAsStream("/" + f)) {
                if (in == null) throw new IOException("missing test resource " + f);
                addCases(out, f.substring(f.indexOf('/') + 1), JSON.readTree(in));
            }
        }
        String dir = System.getProperty("adamw.trajectories");
        if (dir != null && !dir.isBlank()) {
            Path d = Path.of(dir);
            if (!Files.isDirectory(d))
                throw new IOException("-Dadamw.trajectories=" + dir + " is not a directory");
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*.json")) {
                ds.forEach(files::add);
            }
            files.sort(null);
            for (Path p : files) addCases(out, p.toString(), JSON.readTree(p.toFile()));
        }
        return out;
    }

    private static void addCases(List<TrajectoryCase> out, String file, JsonNode root) {
        JsonNode cases = root.path("cases");
        if (!cases.isArray()) throw new IllegalArgumentException(file + ": no \"cases\" array");
        for (JsonNode c : cases) out.add(new TrajectoryCase(file, c));
    }

    private static CosineWarmRestarts restarts(ScheduleType unit, double t0, double tMult, double etaMin, double etaMax,
                                               double iterationsPerEpoch) {
        return unit == ScheduleType.ITERATION ? CosineWarmRestarts.iterations(t0, tMult, etaMin, etaMax)
                : CosineWarmRestarts.epochs(t0, tMult, etaMin, etaMax, iterationsPerEpoch);
    }
}
