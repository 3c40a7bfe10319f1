package bench;

import static gochan.Go.*;

import com.softwaremill.jox.Channel;
import com.softwaremill.jox.Select;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.util.ListStatistics;
import org.openjdk.jmh.util.Statistics;

/**
 * The suite's main: runs workloads 1-5 of ChannelBench warm, in child JVMs where the implementations take turns;
 * then the whole-program measurements that need fresh processes (5: the daisy chain as the first thing a new JVM
 * does, and its peak memory; 6: the fan-in speed-up, FanInBench, where the implementations take turns too; 7:
 * start-up of ./jbang fanin@catalog and of its jar run with java), and prints one table and one ratio line per
 * workload.
 *
 * <pre>
 * ./jbang bench/ChannelBench.java [quick|full|smoke] [workload...]     (from the repository root; quick is the default)
 * </pre>
 * Every cell is "median ± error": the median of the measured turns (1-6) or runs (processes), and the half-width of
 * the 99.9% confidence interval of the mean, as JMH computes its score error.
 */
final class Measure {
    private Measure() {}

    static final String[] IMPLEMENTATIONS = {"helper", "jox", "jdk"};

    /**
     * How long to measure. quick: about three and a half minutes on 2 cores. full: about 10 minutes.
     *
     * Workloads 1-4 (the channel operations) run in turns inside one JVM (see turns), in {@code turnForks} fresh
     * JVMs: {@code turnWarmUp} of turns to let the JIT settle, then {@code turnMeasurement} of measured turns. The
     * warm daisy chain runs in turns the same way, in {@code daisyForks} JVMs, its warm-up counted in rounds
     * ({@code daisyWarmUpRounds}), then {@code daisyMeasurement}: one chain takes a few hundred ms warm, but the first
     * two rounds of a JVM take seconds per chain, and how many seconds varies. The fresh daisy chain runs
     * {@code freshRuns} processes per implementation, taking turns; fan-in runs {@code fanInForks} JVMs in which the
     * implementations take turns.
     */
    record Settings(String name, int turnForks, Duration turnWarmUp, Duration turnMeasurement,
                    int daisyForks, int daisyWarmUpRounds, Duration daisyMeasurement, int freshRuns, int fanInForks,
                    int fanInWarmUpPairs, int fanInPairs, int startupRuns, Duration idleWindow) {
        static final Settings QUICK = new Settings("quick", 3, Duration.ofSeconds(1), Duration.ofSeconds(3),
                3, 3, Duration.ofSeconds(8), 5, 2, 1, 8, 5, Duration.ofSeconds(3));
        /** Checks that everything runs, in well under a minute; its numbers mean little. */
        static final Settings SMOKE = new Settings("smoke", 1, Duration.ofMillis(200), Duration.ofMillis(300),
                1, 1, Duration.ofMillis(300), 1, 1, 0, 1, 1, Duration.ofSeconds(1));
        static final Settings FULL = new Settings("full", 5, Duration.ofSeconds(2), Duration.ofSeconds(10),
                4, 3, Duration.ofSeconds(25), 10, 3, 2, 15, 10, Duration.ofSeconds(5));
    }

    /** One cell of the table. */
    record Cell(double median, double error) {
        static Cell of(Statistics statistics) {
            return new Cell(statistics.getPercentile(50), statistics.getN() > 1 ? statistics.getMeanErrorAt(0.999) : Double.NaN);
        }

        /** From the samples of several runs (JVMs taking turns, processes). */
        static Cell of(List<Double> samples) {
            ListStatistics statistics = new ListStatistics();
            samples.forEach(statistics::addValue);
            return of(statistics);
        }

        Cell scaled(double factor) {
            return new Cell(median * factor, error * factor);
        }
    }

    /**
     * One row: a workload, its unit, a cell per implementation (null: not measured), and its ratio key if any. Its
     * ratio lines divide the helper's median by the others', unless {@code paired} (null for most rows) holds the
     * ratios of samples taken in the same round: see Paired.
     */
    record Row(String label, String unit, Cell[] cells, String ratioKey, Paired paired) {
        Row(String label, String unit, Cell[] cells, String ratioKey) {
            this(label, unit, cells, ratioKey, null);
        }
    }

    /**
     * For what runs in turns (1-5 warm, fan-in), and the fresh daisy chains (a process of each implementation per
     * round), the ratio lines are the median of the helper's sample divided by the other's sample of the same round
     * (taken milliseconds apart; a daisy chain or fan-in round, a few hundred ms; a fresh round, a few seconds),
     * rather than the ratio of two medians: a stretch where the machine is slow makes both samples of a round slow,
     * and cancels out. It can differ from the ratio of the two medians in the table by several percent.
     */
    static final class Paired {
        final List<List<Double>> ratios = List.of(new ArrayList<>(), new ArrayList<>()); // helper/jox, helper/jdk

        /** Adds the rounds of one fork: samples.get(i).get(k) is implementation i's sample in round k. */
        void add(List<List<Double>> samples) {
            for (int other = 1; other <= 2; other++) {
                List<Double> helper = samples.get(0);
                List<Double> theirs = samples.get(other);
                for (int k = 0; k < Math.min(helper.size(), theirs.size()); k++) {
                    ratios.get(other - 1).add(helper.get(k) / theirs.get(k));
                }
            }
        }

        /** The median paired ratio of the helper to implementation {@code other} (1: jox, 2: jdk), or "n/a". */
        String ratio(int other) {
            List<Double> values = ratios.get(other - 1);
            return values.isEmpty() ? "n/a" : Measure.ratio(Cell.of(values).median());
        }
    }

    /** The keys that select workloads on the command line, as in the ratio lines. */
    static final List<String> WORKLOADS = List.of("pingpong", "buffered", "select2", "select4", "idle-select", "mpmc",
            "daisy-warm", "daisy-alloc", "daisy-fresh", "daisy-rss", "fanin", "startup");

    static final int FAN_IN_PRIMES = 10;
    static final int FAN_IN_BOUND = 1_000_000;
    static final int IDLE_GOROUTINES = 10_000;

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("daisy-child")) {
            daisyChild(args[1]);
            return;
        }
        if (args.length > 0 && args[0].equals("turns-child")) {
            turnsChild(args[1], Integer.parseInt(args[2]), Duration.parse(args[3]), Duration.parse(args[4]));
            return;
        }
        if (args.length > 0 && args[0].equals("idle-child")) {
            idleChild(args[1], Duration.parse(args[2]));
            return;
        }
        Settings settings = Settings.QUICK;
        List<String> only = new ArrayList<>(Arrays.asList(args));
        if (!only.isEmpty() && List.of("quick", "full", "smoke").contains(only.get(0))) {
            settings = switch (only.remove(0)) {
                case "full" -> Settings.FULL;
                case "smoke" -> Settings.SMOKE;
                default -> Settings.QUICK;
            };
        }
        List<String> unknown = new ArrayList<>(only);
        unknown.removeAll(WORKLOADS);
        if (!unknown.isEmpty()) {
            System.err.println("bench: unknown workload " + String.join(", ", unknown) + "; the workloads are: "
                    + String.join(" ", WORKLOADS));
            System.exit(2);
        }
        new Measure.Run(settings, only).run();
    }

    static final class Run {
        final Settings settings;
        final List<String> only; // workload keys to run; empty: all
        final List<Row> rows = new ArrayList<>();
        final long start = System.nanoTime();

        Run(Settings settings, List<String> only) {
            this.settings = settings;
            this.only = only;
        }

        boolean wanted(String key) {
            return only.isEmpty() || only.contains(key);
        }

        void run() throws Exception {
            progress("%s run on %d CPUs, Java %s; workloads: %s", settings.name(), numCPU(),
                    Runtime.version(), only.isEmpty() ? "all" : String.join(" ", only));
            for (ChannelBench.Workload workload : ChannelBench.BENCHMARKS) {
                if (!workload.key().equals("daisy-warm") && wanted(workload.key())) {
                    Turns turns = turns(workload, settings.turnForks(), 0, settings.turnWarmUp(),
                            settings.turnMeasurement(), 1);
                    rows.add(new Row(workload.label(), workload.unit(), cells(turns.times(), 1), workload.key(),
                            turns.pairedTimes()));
                }
                if (workload.key().equals("select4") && wanted("idle-select")) {
                    idleSelect();
                }
            }
            if (wanted("daisy-warm") || wanted("daisy-alloc")) {
                daisyWarm();
            }
            if (wanted("daisy-fresh") || wanted("daisy-rss")) {
                daisyFresh();
            }
            if (wanted("fanin")) {
                fanIn();
            }
            if (wanted("startup")) {
                startup();
            }
            print();
        }

        // ---- 1-5: the implementations take turns in one JVM ------------------------------------------------

        /**
         * A workload of 1-5, measured in turns: in each of {@code forks} fresh JVMs (turnsChild), helper, jox and
         * jdk each run one invocation of their benchmark method (10,000 round trips or 100,000 items, about 2-45 ms;
         * a daisy chain, a few hundred ms), then the next, round after round, and every measured invocation is one
         * sample, its time scaled by {@code unitsPerNanosecond}. A cell is the median of all samples of all forks. The
         * warm-up lasts {@code warmUp} and at least {@code warmUpRounds} rounds.
         *
         * Why not JMH, fork by fork: on these 2-vCPU VMs the speed of a hand-off changes 2-5x from one stretch of a
         * fraction of a second to the next, within one JVM, for the JDK's queue and Jox as much as for the helper
         * (most likely where the host happens to run the two vCPUs). JMH runs one benchmark per fork, so the three
         * were measured seconds apart, and the ratio lines of three quick runs moved by up to 2.2x (1.45x for the warm
         * daisy chain, in JMH forks until it took turns too). Taking turns every few milliseconds (a few hundred for
         * a daisy chain), each implementation sees the same moments of the machine, which is what a ratio needs. JMH cannot interleave benchmarks; its forks, warm-up and medians are what this does by hand.
         * (One cost: the three share one JVM, so the JIT's profile of the JDK code they all use, such as the
         * virtual-thread scheduler, mixes all three.)
         */
        Turns turns(ChannelBench.Workload workload, int forks, int warmUpRounds, Duration warmUp,
                Duration measurement, double unitsPerNanosecond) throws Exception {
            Turns turns = new Turns(perImplementation(), perImplementation(), new Paired(), new Paired());
            for (int fork = 1; fork <= forks; fork++) {
                List<String> lines = child(List.of("bench.ChannelBench", "turns-child", workload.key(),
                        String.valueOf(warmUpRounds), warmUp.toString(), measurement.toString()));
                List<List<Double>> timesOfFork = new ArrayList<>();
                List<List<Double>> bytesOfFork = new ArrayList<>();
                Cell[] medians = new Cell[3];
                int rounds = 0;
                for (int i = 0; i < 3; i++) {
                    List<Double> times = parseSamples(lines.get(i)).stream().map(t -> t * unitsPerNanosecond).toList();
                    List<Double> bytes = parseSamples(lines.get(3 + i));
                    timesOfFork.add(times);
                    bytesOfFork.add(bytes);
                    turns.times().get(i).addAll(times);
                    turns.bytes().get(i).addAll(bytes);
                    medians[i] = times.isEmpty() ? null : Cell.of(times);
                    rounds = Math.max(rounds, times.size());
                }
                turns.pairedTimes().add(timesOfFork);
                turns.pairedBytes().add(bytesOfFork);
                progress("%-18s fork %d of %d, %d turns each: helper %s, jox %s, jdk %s %s", workload.key(), fork,
                        forks, rounds, format(medians[0]), format(medians[1]), format(medians[2]), workload.unit());
            }
            Cell[] cells = cells(turns.times(), 1);
            progress("%-18s paired ratios helper/jox=%s helper/jdk=%s; ratios of the medians %s and %s",
                    workload.key(), turns.pairedTimes().ratio(1), turns.pairedTimes().ratio(2),
                    ratio(cells[0], cells[1]), ratio(cells[0], cells[2]));
            return turns;
        }

        /** What one workload measured in turns: per implementation, time and bytes allocated per operation. */
        record Turns(List<List<Double>> times, List<List<Double>> bytes, Paired pairedTimes, Paired pairedBytes) {}

        /** A cell per implementation: the median of its samples times {@code scale}, or null if it has none. */
        static Cell[] cells(List<List<Double>> samples, double scale) {
            Cell[] cells = new Cell[3];
            for (int i = 0; i < 3; i++) {
                cells[i] = samples.get(i).isEmpty() ? null : Cell.of(samples.get(i)).scaled(scale);
            }
            return cells;
        }

        static List<Double> parseSamples(String line) {
            List<Double> values = new ArrayList<>();
            for (String value : line.trim().split(" ")) {
                if (!value.equals("-")) {
                    values.add(Double.parseDouble(value));
                }
            }
            return values;
        }

        // ---- 5: the warm daisy chain, in turns ------------------------------------------------------------

        /**
         * The daisy chain, warm: in turns as 1-4, a whole chain per turn. The allocation is what the JVM counts for
         * all its threads during the turn (com.sun.management.ThreadMXBean; a virtual thread allocates in its
         * carrier's buffer, so it is counted), over the chain's goroutines.
         */
        void daisyWarm() throws Exception {
            ChannelBench.Workload workload = ChannelBench.BENCHMARKS.stream()
                    .filter(w -> w.key().equals("daisy-warm")).findFirst().orElseThrow();
            Turns turns = turns(workload, settings.daisyForks(), settings.daisyWarmUpRounds(), Duration.ZERO,
                    settings.daisyMeasurement(), 1e-6); // ns per chain to ms
            if (wanted("daisy-warm")) {
                rows.add(new Row(workload.label(), workload.unit(), cells(turns.times(), 1), workload.key(),
                        turns.pairedTimes()));
            }
            if (wanted("daisy-alloc")) {
                rows.add(new Row("5 daisy chain allocation, warm", "bytes/goroutine",
                        cells(turns.bytes(), 1.0 / ChannelBench.DAISY_GOROUTINES), "daisy-alloc",
                        turns.pairedBytes()));
            }
        }

        // ---- 3: what a goroutine blocked in select costs, in CPU -----------------------------------------

        void idleSelect() throws Exception {
            Cell[] cells = new Cell[3];
            for (int i = 0; i < 2; i++) { // the JDK has no select
                List<Double> samples = new ArrayList<>();
                for (String line : child(List.of("bench.ChannelBench", "idle-child", IMPLEMENTATIONS[i],
                        settings.idleWindow().toString()))) {
                    samples.add(Double.parseDouble(line));
                }
                cells[i] = Cell.of(samples);
                progress("%-18s %s ms of CPU per s", "idle " + IMPLEMENTATIONS[i], format(cells[i]));
            }
            rows.add(new Row("3 10,000 goroutines blocked in select", "CPU ms/s", cells, null));
        }

        // ---- 5: the daisy chain as the first thing a fresh JVM does ---------------------------------------

        void daisyFresh() throws Exception {
            Cell[] times = new Cell[3];
            Cell[] memory = new Cell[3];
            List<List<Double>> millisOf = perImplementation();
            List<List<Double>> megabytesOf = perImplementation();
            for (int run = 0; run < settings.freshRuns(); run++) { // the implementations take turns
                for (int turn = 0; turn < 3; turn++) {
                    int i = (turn + run) % 3; // and a different one goes first each round
                    String[] line = child(List.of("bench.ChannelBench", "daisy-child", IMPLEMENTATIONS[i]))
                            .get(0).split(" ");
                    millisOf.get(i).add(Double.parseDouble(line[0]) / 1e6);
                    megabytesOf.get(i).add(Double.parseDouble(line[1]) / 1024);
                }
            }
            for (int i = 0; i < 3; i++) {
                List<Double> millis = millisOf.get(i);
                List<Double> megabytes = megabytesOf.get(i);
                times[i] = Cell.of(millis);
                memory[i] = megabytes.get(0) < 0 ? null : Cell.of(megabytes);
                progress("%-18s %s ms, peak RSS %s MB", "daisy fresh " + IMPLEMENTATIONS[i], format(times[i]),
                        memory[i] == null ? "n/a" : format(memory[i]));
            }
            Paired pairedMillis = new Paired(); // an implementation's k-th process ran in round k
            pairedMillis.add(millisOf);
            if (wanted("daisy-fresh")) {
                rows.add(new Row("5 daisy chain 100k, fresh process", "ms/chain", times, "daisy-fresh", pairedMillis));
            }
            if (wanted("daisy-rss")) {
                Paired pairedMegabytes = null;
                if (memory[0] != null) {
                    pairedMegabytes = new Paired();
                    pairedMegabytes.add(megabytesOf);
                }
                rows.add(new Row("5 daisy chain peak RSS, fresh process", "MB", memory, "daisy-rss", pairedMegabytes));
            }
        }

        // ---- 6: fan-in speed-up ---------------------------------------------------------------------------

        void fanIn() throws Exception {
            List<List<Double>> t1 = perImplementation();
            List<List<Double>> tN = perImplementation();
            List<List<Double>> ratio = perImplementation();
            Paired paired = new Paired(); // of the search with numCPU finders
            for (int fork = 0; fork < settings.fanInForks(); fork++) { // the implementations take turns inside
                List<List<Double>> fannedOutOfFork = perImplementation();
                for (String line : child(List.of("FanInBench", String.valueOf(settings.fanInWarmUpPairs()),
                        String.valueOf(settings.fanInPairs()), String.valueOf(FAN_IN_PRIMES),
                        String.valueOf(FAN_IN_BOUND)))) {
                    String[] pair = line.split(" ");
                    int i = Arrays.asList(IMPLEMENTATIONS).indexOf(pair[0]);
                    double one = Double.parseDouble(pair[1]) / 1e6;
                    double many = Double.parseDouble(pair[2]) / 1e6;
                    t1.get(i).add(one);
                    tN.get(i).add(many);
                    fannedOutOfFork.get(i).add(many);
                    ratio.get(i).add(one / many);
                }
                paired.add(fannedOutOfFork); // an implementation's k-th line comes from round k
            }
            Cell[] single = new Cell[3];
            Cell[] fannedOut = new Cell[3];
            Cell[] speedUp = new Cell[3];
            for (int i = 0; i < 3; i++) {
                single[i] = Cell.of(t1.get(i));
                fannedOut[i] = Cell.of(tN.get(i));
                speedUp[i] = Cell.of(ratio.get(i));
                progress("%-18s 1 finder %s ms, %d finders %s ms, speed-up %s", "fan-in " + IMPLEMENTATIONS[i],
                        format(single[i]), numCPU(), format(fannedOut[i]), format(speedUp[i]));
            }
            rows.add(new Row("6 fan-in primes, 1 finder", "ms/search", single, null));
            rows.add(new Row("6 fan-in primes, " + numCPU() + " finders", "ms/search", fannedOut, "fanin", paired));
            rows.add(new Row("6 fan-in speed-up, " + numCPU() + " finders over 1", "x (higher: better)", speedUp, null));
        }

        // ---- 7: start-up ----------------------------------------------------------------------------------

        void startup() throws Exception {
            Path wrapper = Path.of("jbang");
            if (!Files.isExecutable(wrapper) || !Files.isRegularFile(Path.of("jbang-catalog.json"))) {
                progress("start-up skipped: run from the repository root (./jbang and jbang-catalog.json)");
                return;
            }
            List<String> fanInArgs = List.of("--finders", "1", "--primes", "1", "--bound", "1000");
            List<String> viaJbang = new ArrayList<>(List.of("./jbang", "fanin@catalog"));
            viaJbang.addAll(fanInArgs);
            timeProcess(viaJbang); // fills jbang's cache and the wrapper's launch cache
            timeProcess(viaJbang); // and the script's class-data archive (the first cached run writes it at exit)
            List<String> classpath = output(List.of("./jbang", "info", "classpath", "scripts/FanIn.java"));
            List<String> viaJava = new ArrayList<>(List.of(java(), "-cp", classpath.get(classpath.size() - 1),
                    "FanIn"));
            viaJava.addAll(fanInArgs);
            timeProcess(viaJava);
            List<Double> jbang = new ArrayList<>();
            List<Double> direct = new ArrayList<>();
            for (int run = 0; run < settings.startupRuns(); run++) { // interleaved, so that both see the same noise
                jbang.add(timeProcess(viaJbang));
                direct.add(timeProcess(viaJava));
            }
            Cell jbangCell = Cell.of(jbang);
            Cell directCell = Cell.of(direct);
            progress("%-18s ./jbang %s ms, java -cp %s ms", "start-up", format(jbangCell), format(directCell));
            rows.add(new Row("7 start-up ./jbang fanin@catalog, warm", "ms", new Cell[] {jbangCell, null, null},
                    "startup"));
            rows.add(new Row("7 start-up java -cp <its jar> FanIn", "ms", new Cell[] {directCell, null, null}, null));
        }

        /** Runs a command to its end and returns its wall time from start to exit, in ms. */
        double timeProcess(List<String> command) throws Exception {
            long begin = System.nanoTime();
            Process process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            int status = process.waitFor();
            double millis = (System.nanoTime() - begin) / 1e6;
            if (status != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + status);
            }
            return millis;
        }

        // ---- The table ------------------------------------------------------------------------------------

        void print() {
            System.out.printf("%nResults (%s mode, %d CPUs, Java %s, %.0f s): median ± error (99.9%% CI of the mean)%n%n",
                    settings.name(), numCPU(), Runtime.version().feature(), (System.nanoTime() - start) / 1e9);
            String format = "%-42s %-18s %-18s %-18s %-18s%n";
            System.out.printf(format, "workload", "unit", "helper", "jox", "jdk");
            for (Row row : rows) {
                System.out.printf(format, row.label(), row.unit(), format(row.cells()[0]), format(row.cells()[1]),
                        format(row.cells()[2]));
            }
            System.out.println();
            for (Row row : rows) {
                if (row.ratioKey() != null) {
                    Paired paired = row.paired();
                    System.out.printf("ratio %s helper/jox=%s helper/jdk=%s%n", row.ratioKey(),
                            paired != null ? paired.ratio(1) : ratio(row.cells()[0], row.cells()[1]),
                            paired != null ? paired.ratio(2) : ratio(row.cells()[0], row.cells()[2]));
                }
            }
        }

        void progress(String format, Object... args) {
            System.err.printf("[bench %3.0fs] %s%n", (System.nanoTime() - start) / 1e9, String.format(format, args));
        }
    }

    static String ratio(Cell helper, Cell other) {
        if (helper == null || other == null || other.median() == 0) {
            return "n/a";
        }
        return ratio(helper.median() / other.median());
    }

    /** A ratio as the ratio lines print it. */
    static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** One list of samples per implementation (helper, jox, jdk). */
    static List<List<Double>> perImplementation() {
        return List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    static String format(Cell cell) {
        if (cell == null) {
            return "n/a";
        }
        String median = number(cell.median());
        return Double.isNaN(cell.error()) ? median : median + " ± " + number(cell.error());
    }

    static String number(double value) {
        double magnitude = Math.abs(value);
        String pattern = magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, pattern, value);
    }

    // ---- Child processes -----------------------------------------------------------------------------------

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs a main class of this suite in a fresh JVM with default flags and returns its output lines. */
    static List<String> child(List<String> mainAndArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        return output(command);
    }

    static List<String> output(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
            for (String line; (line = reader.readLine()) != null; ) {
                lines.add(line);
            }
        }
        int status = process.waitFor();
        if (status != 0 || lines.isEmpty()) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + status);
        }
        return lines;
    }

    /**
     * In a fresh JVM: one workload of 1-5 in turns (see Run.turns). Round after round, each implementation runs its
     * benchmark method once (the first of the round rotates); after the warm-up ({@code warmUp} and at least
     * {@code warmUpRounds} rounds), each invocation's time per operation is a sample, and so are the bytes the JVM
     * allocated during it, per operation, for {@code measurement}. A round that starts before the end is finished,
     * so every implementation has as many samples, and at least one round is measured. Prints one line per implementation (helper, jox,
     * jdk) of its times in ns, then one of its bytes: its samples, or "-" if it has no such benchmark.
     */
    static void turnsChild(String key, int warmUpRounds, Duration warmUp, Duration measurement) throws Exception {
        ChannelBench.Workload workload = ChannelBench.BENCHMARKS.stream().filter(w -> w.key().equals(key))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no workload " + key));
        ChannelBench bench = new ChannelBench();
        Method[] methods = new Method[3];
        int[] operations = new int[3];
        for (int i = 0; i < 3; i++) {
            String name = workload.methods().get(i);
            if (name != null) {
                methods[i] = ChannelBench.class.getMethod(name);
                OperationsPerInvocation perInvocation = methods[i].getAnnotation(OperationsPerInvocation.class);
                operations[i] = perInvocation == null ? 1 : perInvocation.value(); // 1 is JMH's default too
            }
        }
        // Counts what virtual threads allocate as well: they allocate in their carrier thread's buffer.
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<List<Double>> samples = perImplementation();
        List<List<Double>> bytes = perImplementation();
        long warmUpEnd = System.nanoTime() + warmUp.toNanos();
        long end = 0; // of the measurement, which starts with the first round after the warm-up
        for (int round = 0; ; round++) {
            boolean measured = round >= warmUpRounds && System.nanoTime() >= warmUpEnd;
            if (measured && end == 0) {
                end = System.nanoTime() + measurement.toNanos();
            } else if (measured && System.nanoTime() >= end) {
                break;
            }
            for (int turn = 0; turn < 3; turn++) {
                int i = (turn + round) % 3;
                if (methods[i] != null) {
                    long allocatedBefore = threads.getTotalThreadAllocatedBytes();
                    long begin = System.nanoTime();
                    methods[i].invoke(bench);
                    long took = System.nanoTime() - begin;
                    long allocated = threads.getTotalThreadAllocatedBytes() - allocatedBefore;
                    if (measured) {
                        samples.get(i).add((double) took / operations[i]);
                        bytes.get(i).add((double) allocated / operations[i]);
                    }
                }
            }
        }
        for (List<List<Double>> kind : List.of(samples, bytes)) {
            for (List<Double> values : kind) {
                System.out.println(values.isEmpty() ? "-"
                        : String.join(" ", values.stream().map(String::valueOf).toList()));
            }
        }
    }

    /** In a fresh JVM: one daisy chain, timed, and the process's peak resident memory. Prints "ns kB". */
    static void daisyChild(String implementation) {
        long begin = System.nanoTime();
        ChannelBench.daisy(implementation);
        long took = System.nanoTime() - begin;
        System.out.println(took + " " + peakResidentKilobytes());
    }

    /** VmHWM from /proc/self/status (Linux), or -1. */
    static long peakResidentKilobytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /**
     * In a fresh JVM: parks IDLE_GOROUTINES goroutines in a select over two channels that never get a value, and
     * prints the CPU time the whole process uses per second while they wait (ThreadMXBean cannot help: a virtual
     * thread reports no CPU time; a select that polled would show up on the carrier threads, which are part of the
     * process). Prints the CPU milliseconds used per second of the window: one number, because the process's CPU
     * clock ticks in steps of 10 ms here, too coarse for a confidence interval over one-second samples.
     */
    static void idleChild(String implementation, Duration window) throws Exception {
        List<Thread> waiting = new ArrayList<>();
        Runnable release;
        if (implementation.equals("helper")) {
            Chan<Integer> a = make();
            Chan<Integer> b = make();
            for (int i = 0; i < IDLE_GOROUTINES; i++) {
                waiting.add(go(() -> select(onReceive(a), onReceive(b))));
            }
            release = a::close;
        } else {
            Channel<Integer> a = Channel.newRendezvousChannel();
            Channel<Integer> b = Channel.newRendezvousChannel();
            for (int i = 0; i < IDLE_GOROUTINES; i++) {
                waiting.add(ChannelBench.virtual(() -> Select.selectOrClosed(a.receiveClause(), b.receiveClause())));
            }
            release = a::done;
        }
        Thread.sleep(2000); // let them all reach select and park, and the JIT settle
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long before = os.getProcessCpuTime();
        Thread.sleep(window.toMillis());
        System.out.println((os.getProcessCpuTime() - before) / 1e6 / (window.toMillis() / 1000.0));
        release.run();
        ChannelBench.join(waiting.toArray(Thread[]::new));
    }
}
