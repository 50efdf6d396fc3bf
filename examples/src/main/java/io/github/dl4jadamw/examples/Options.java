package io.github.dl4jadamw.examples;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/**
 * The command line's options (a picocli mixin of {@link CompareOptimizers}). A null value means "not given": each
 * job fills in its own default ({@link io.github.dl4jadamw.examples.job.Mode}).
 */
public final class Options {
    @Option(names = "--quick", description = "Small slice: 2,000 train / 1,000 test images, 2 epochs (seconds).")
    public boolean quick;

    @Option(names = "--sweep", description = "The sweep grid (see above) and each optimizer's best setting over --best-seeds.")
    public boolean sweep;

    @Option(names = "--paper-grid", description = "The paper's lr × λ grid: Adam+L2 and AdamW (paper convention), fixed lr and cosine annealing, heatmaps.")
    public boolean paperGrid;

    @Option(names = "--paper-schedules", description = "Adam+L2 and AdamW at their best cosine-grid cell (from --grid-results) under fixed, step-drop, cosine and warm-restart schedules, seeds 1-3.")
    public boolean paperSchedules;

    @Option(names = "--paper-budgets", description = "AdamW with cosine annealing over --budgets epochs × normalized decay --wd-norm at lr 1e-3.")
    public boolean paperBudgets;

    @Option(names = "--cifar-style", description = "ResNet-20 with BatchNormalization, random crop + flip, batch 128: Adam+L2, AdamW, AdamWR (Fashion-MNIST padded to 32×32, or CIFAR-10 with --data).")
    public boolean cifarStyle;

    @Option(names = {"-O", "--optimizers"}, split = ",", paramLabel = "NAME",
            description = "Optimizers, comma-separated: adam-l2, adamw, adamwr, sgdw, sgdwr (SGD with momentum 0.9 and decoupled decay, with/without restarts: give them an SGD-sized --lr, e.g. 0.05). Default: adam-l2,adamw,adamwr (paper modes: adam-l2,adamw).")
    public List<String> optimizers;

    @Option(names = "--lr", split = ",", paramLabel = "α", description = "Base learning rate(s). Default: 1e-3 (sweep: 1e-3,3e-3; paper grid: 1e-4,3e-4,1e-3,3e-3,1e-2).")
    public List<Double> lr;

    @Option(names = "--l2", split = ",", paramLabel = "λ", description = "Adam+L2 coefficient(s) λ. Default: 5e-4 (sweep: 0,1e-4,5e-4,2e-3,8e-3; paper grid: 0,1e-5,3e-5,1e-4,3e-4,1e-3).")
    public List<Double> l2;

    @Option(names = "--wd", split = ",", paramLabel = "λ", description = "AdamW/AdamWR/SGDW/SGDWR decoupled decay λ: lr-coupled (step lr_t·λ), in the paper modes the paper's convention (step η_t·λ). Default: 0.05 (sweep: 0,0.05,0.2,0.8,3.2; paper grid: 0,1e-5,3e-5,1e-4,3e-4,1e-3).")
    public List<Double> wd;

    @Option(names = "--wd-norm", split = ",", paramLabel = "λ_norm", description = "Paper budgets and cifar-style: the paper's normalized decay λ_norm (λ = λ_norm·√(b/(B·T)), step η_t·λ). Default: budgets 0,0.0025,0.005,0.01,0.02,0.04,0.08; cifar-style 0.025.")
    public List<Double> wdNorm;

    @Option(names = "--schedules", split = ",", paramLabel = "NAME", description = "Learning-rate schedules, comma-separated: fixed, step (×0.1 at 50%% and 75%% of the optimizer steps), cosine (one annealing over the run), linear (decay to 0 over the run; main, quick and sweep only), restarts (T_0 = --restart-t0, T_mult = --restart-tmult; paper modes). Main, quick and sweep: one schedule, for adam-l2, adamw and sgdw (adamwr and sgdwr keep their restarts); default fixed. Paper grid: default fixed,cosine; paper schedules: fixed,step,cosine,restarts.")
    public List<String> schedules;

    @Option(names = "--clip-global-norm", paramLabel = "MAX", description = "Main, quick, sweep: clip the network's whole gradient to L2 norm MAX before each optimizer step, as PyTorch's clip_grad_norm_(model.parameters(), MAX) (the library's .clipGlobalNorm; adamw, adamwr, sgdw, sgdwr only: DL4J's Adam has no such option). Default: off.")
    public Double clipGlobalNorm;

    @Option(names = "--accumulation-steps", paramLabel = "K", description = "Main, quick, sweep: gradient accumulation, one optimizer step on the mean gradient of every K minibatches (the library's .accumulationSteps; adamw, adamwr, sgdw, sgdwr only). Schedules, warm restarts and --warmup count optimizer steps; epochs still count minibatches. Default: off (1).")
    public Integer accumulationSteps;

    @Option(names = "--warmup", paramLabel = "STEPS", description = "Main, quick, sweep: linear warm-up of the learning rate over the first STEPS optimizer steps, as transformers' schedules (the first step runs at lr 0): --schedules fixed → constant after it (get_constant_schedule_with_warmup), cosine → get_cosine_schedule_with_warmup, linear → get_linear_schedule_with_warmup. Not with step or warm restarts (adamwr, sgdwr). Must be shorter than the run. Default: off (0).")
    public Long warmup;

    @Option(names = "--ema", paramLabel = "DECAY", description = "Main, quick, sweep: keep an EMA of the weights, ema ← DECAY·ema + (1 − DECAY)·θ after each optimizer step (the library's .ema; adamw, adamwr, sgdw, sgdwr only), and report the test accuracy and loss of the EMA weights beside those of the raw weights. DECAY in [0, 1), e.g. 0.999. Default: off.")
    public Double ema;

    @Option(names = "--budgets", split = ",", paramLabel = "E", description = "Paper budgets: run lengths in epochs. Default: 5,15,45.")
    public List<Integer> budgets;

    @Option(names = "--grid-results", paramLabel = "DIR", description = "Paper schedules: the paper grid's output, whose cosine runs give each optimizer's best (α, λ). Default: paper-grid beside --out.")
    public Path gridResults;

    @Option(names = "--seeds", split = ",", paramLabel = "SEED", description = "Seeds for every setting. Default: 1 (paper schedules: 1,2,3).")
    public List<Long> seeds;

    @Option(names = "--best-seeds", split = ",", paramLabel = "SEED", description = "Sweep: seeds for each optimizer's best setting (found on --seeds). Default: 1,2,3.")
    public List<Long> bestSeeds;

    @Option(names = "--model", paramLabel = "MODEL", description = "fmnist-mlp (default for Fashion-MNIST), fmnist-cnn, cifar10 (default for CIFAR-10 data).")
    public String model;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory with CIFAR-10 binary files (data_batch_1..5.bin, test_batch.bin) or Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], ...). Default: the embedded Fashion-MNIST subset, or with --dataset cifar10 DL4J's CIFAR-10 cache.")
    public Path data;

    @Option(names = "--dataset", paramLabel = "KIND", defaultValue = "auto", description = "auto (from --data), fashion-mnist or cifar10. cifar10 without --data: CIFAR-10 through DL4J's Cifar10Fetcher, which downloads it once into its cache, ~/.deeplearning4j/data/cifar10 (the JVM option -Dorg.deeplearning4j.resources.directory=DIR moves ~/.deeplearning4j). Default: ${DEFAULT-VALUE}.")
    public String dataset;

    @Option(names = "--train-size", paramLabel = "N", description = "First N training images. Default: 10000 (quick: 2000).")
    public Integer trainSize;

    @Option(names = "--test-size", paramLabel = "N", description = "First N test images. Default: 10000 (quick: 1000).")
    public Integer testSize;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs. Default: 15 (quick: 2; cifar-style: 3).")
    public Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", description = "Minibatch size (last partial batch kept). Default: 64 (cifar-style: 128).")
    public Integer batchSize;

    @Option(names = "--restart-t0", paramLabel = "T0", defaultValue = "1", description = "Warm restarts: first restart period in epochs. Default: ${DEFAULT-VALUE}.")
    public double restartT0;

    @Option(names = "--restart-tmult", paramLabel = "TM", defaultValue = "2", description = "Warm restarts: period multiplier. Default: ${DEFAULT-VALUE}.")
    public double restartTMult;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output directory. Default: results/MODE (main, quick, sweep, paper-grid, paper-schedules, paper-budgets, cifar-style; relative to the working directory).")
    public Path out;

    @Option(names = "--resume", description = "Keep complete runs already in --out/results.json that match a planned run (same protocol, setting and seed) instead of training them again. Refuses (before loading data) a results.json with runs of another protocol (model, data, --train-size, --test-size, --batch-size, --epochs), which would mix into the report.")
    public boolean resume;

    @Option(names = "--save-models", description = "Save each trained network with its updater state (DL4J ModelSerializer) as --out/models/RUN.zip.")
    public boolean saveModels;

    @Option(names = "--no-charts", description = "Write results and report.md without PNG charts.")
    public boolean noCharts;

    @Option(names = "--report-only", description = "Do not train: rewrite report.md and charts from --out/results.json, as the job that wrote it did.")
    public boolean reportOnly;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto", description = "auto, bar, lines or off (progress on stderr; auto = bar on a terminal, lines otherwise). Default: ${DEFAULT-VALUE}.")
    public String progressMode;
}
