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
import org.openjdk.jmh.annotations.OutputTimeUnit;
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
 * Every cell is "median ± error": the median of the measured turns (1-5 warm, 6) or runs (processes), and the
 * half-width of the 99.9% confidence interval of the mean, as JMH computes its score error.
 */
public final class Measure { // public for FanInBench, which lives in the unnamed package
    private Measure() {}

    public static final String[] IMPLEMENTATIONS = {"helper", "jox", "jdk"};

    /**
     * How long to measure. quick: about three and a half minutes on 2 cores. full: about 10 minutes.
     *
     * Workloads 1-4 (the channel operations) run in turns inside one JVM (see Run.turns) in the {@code channels}
     * window, the warm daisy chain in the {@code daisy} window. The fresh daisy chain runs {@code freshRuns} processes
     * per implementation, taking turns; fan-in runs {@code fanInForks} JVMs in which the implementations take turns.
     */
    record Settings(String name, Turns channels, Turns daisy, int freshRuns, int fanInForks, int fanInWarmUpPairs,
                    int fanInPairs, int startupRuns, Duration idleWindow) {
        static final Settings QUICK = new Settings("quick",
                new Turns(3, 0, Duration.ofSeconds(1), Duration.ofSeconds(3)),
                new Turns(3, 3, Duration.ZERO, Duration.ofSeconds(8)),
                5, 2, 1, 8, 5, Duration.ofSeconds(3));
        /** Checks that everything runs, in well under a minute; its numbers mean little. */
        static final Settings SMOKE = new Settings("smoke",
                new Turns(1, 0, Duration.ofMillis(200), Duration.ofMillis(300)),
                new Turns(1, 1, Duration.ZERO, Duration.ofMillis(300)),
                1, 1, 0, 1, 1, Duration.ofSeconds(1));
        static final Settings FULL = new Settings("full",
                new Turns(5, 0, Duration.ofSeconds(2), Duration.ofSeconds(10)),
                new Turns(4, 3, Duration.ZERO, Duration.ofSeconds(25)),
                10, 3, 2, 15, 10, Duration.ofSeconds(5));
    }

    /**
     * How a workload takes turns (see Run.turns): in {@code forks} fresh JVMs, a warm-up of at least
     * {@code warmUpRounds} rounds and {@code warmUp}, then {@code measurement} of measured rounds. The channel
     * workloads warm up by time (a round is a few ms). The daisy chain warms up by rounds: one chain takes a few
     * hundred ms warm, but the first two rounds of a JVM take seconds per chain, and how many seconds varies.
     */
    record Turns(int forks, int warmUpRounds, Duration warmUp, Duration measurement) {}

    /**
     * The order of the implementations in round {@code round}: the six orders in turn, so that each implementation
     * goes first, second and third equally often and follows each of the others equally often (a plain rotation
     * would put the same implementation before the helper in every round: whatever it leaves behind, such as
     * garbage to collect, would always land on the helper).
     */
    public static int[] order(int round) {
        return ORDERS[Math.floorMod(round, ORDERS.length)];
    }

    private static final int[][] ORDERS = {{0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {0, 2, 1}, {2, 0, 1}, {1, 0, 2}};

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
     * ratio lines divide the helper's median by the others', unless {@code paired} (the timed rows that take turns)
     * holds the ratios of samples taken in the same round: see Paired.
     */
    record Row(String label, String unit, Cell[] cells, String ratioKey, Paired paired) {
        Row(String label, String unit, Cell[] cells, String ratioKey) {
            this(label, unit, cells, ratioKey, null);
        }
    }

    /**
     * For the times of what runs in turns (1-5 warm, fan-in, and the fresh daisy chains, a process of each
     * implementation per round), the ratio lines are the median of the helper's sample divided by the other's sample
     * of the same round (taken milliseconds apart; a daisy chain or fan-in round, a few hundred ms; a fresh round, a
     * few seconds), rather than the ratio of two medians: a stretch where the machine is slow makes both samples of a
     * round slow, and cancels out. It can differ from the ratio of the two medians in the table by several percent.
     * (Memory does not depend on the machine's speed: its ratio lines divide the medians.)
     */
    static final class Paired {
        final List<List<Double>> ratios = List.of(new ArrayList<>(), new ArrayList<>()); // helper/jox, helper/jdk

        /** Adds the rounds of one fork: samples.get(i).get(k) is implementation i's sample in round k. */
        void add(List<List<Double>> samples) {
            for (int other = 1; other <= 2; other++) {
                List<Double> helper = samples.get(0);
                List<Double> theirs = samples.get(other);
                for (int k = 0; k < Math.min(helper.size(), theirs.size()); k++) {
                    if (theirs.get(k) > 0) {
                        ratios.get(other - 1).add(helper.get(k) / theirs.get(k));
                    }
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
            turnsChild(args[1], new Turns(1, Integer.parseInt(args[2]), Duration.parse(args[3]),
                    Duration.parse(args[4])));
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
                    rows.add(turns(workload, settings.channels()).timeRow());
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
         * A workload of 1-5, measured in turns: in each of {@code how.forks()} fresh JVMs (turnsChild), helper, jox
         * and jdk each run one invocation of their benchmark method (10,000 round trips or 100,000 items, about 2-45
         * ms; a daisy chain, a few hundred ms), then the next, round after round, and every measured invocation is one
         * sample of its time and of the bytes allocated during it. A cell is the median of all samples of all forks.
         *
         * Why not JMH, fork by fork: on these 2-vCPU VMs the speed of a hand-off changes 2-5x from one stretch of a
         * fraction of a second to the next, within one JVM, for the JDK's queue and Jox as much as for the helper
         * (most likely where the host happens to run the two vCPUs). JMH runs one benchmark per fork, so the three
         * were measured seconds apart, and the ratio lines of three quick runs moved by up to 2.2x. Taking turns
         * every few milliseconds (a few hundred for a daisy chain), each implementation sees the same moments of the
         * machine, which is what a ratio needs. JMH cannot interleave benchmarks; its forks, warm-up and medians are
         * what this does by hand. (The cost: the three share one JVM, so the JIT's profile of the JDK code they all
         * use, such as the virtual-thread scheduler, mixes all three; and they share its heap, so one's garbage can
         * be collected in another's turn, which order() spreads evenly over the three. A System.gc() before each
         * daisy chain's turn was tried: every chain then took about twice as long, for all three, which is not how
         * a program runs.)
         */
        Measured turns(ChannelBench.Workload workload, Turns how) throws Exception {
            Measured measured = new Measured(workload, perImplementation(), perImplementation(), new Paired());
            for (int fork = 1; fork <= how.forks(); fork++) {
                List<String> command = List.of("bench.ChannelBench", "turns-child", workload.key(),
                        String.valueOf(how.warmUpRounds()), how.warmUp().toString(), how.measurement().toString());
                List<String> lines = child(command);
                if (lines.size() != 6) {
                    throw new IllegalStateException("expected 6 lines (times and bytes of helper, jox, jdk) from "
                            + String.join(" ", command) + ", got " + lines.size());
                }
                List<List<Double>> timesOfFork = new ArrayList<>();
                Cell[] medians = new Cell[3];
                int rounds = 0;
                for (int i = 0; i < 3; i++) {
                    List<Double> times = parseSamples(lines.get(i));
                    timesOfFork.add(times);
                    measured.times().get(i).addAll(times);
                    measured.bytes().get(i).addAll(parseSamples(lines.get(3 + i)));
                    medians[i] = times.isEmpty() ? null : Cell.of(times);
                    rounds = Math.max(rounds, times.size());
                }
                measured.pairedTimes().add(timesOfFork);
                progress("%-18s fork %d of %d, %d turns each: helper %s, jox %s, jdk %s %s", workload.key(), fork,
                        how.forks(), rounds, format(medians[0]), format(medians[1]), format(medians[2]),
                        workload.unit());
            }
            Cell[] cells = cells(measured.times(), 1);
            progress("%-18s paired ratios helper/jox=%s helper/jdk=%s; ratios of the medians %s and %s",
                    workload.key(), measured.pairedTimes().ratio(1), measured.pairedTimes().ratio(2),
                    ratio(cells[0], cells[1]), ratio(cells[0], cells[2]));
            return measured;
        }

        /**
         * What one workload measured in turns: per implementation, its time per operation (in the unit of its row)
         * and the bytes allocated per operation.
         */
        record Measured(ChannelBench.Workload workload, List<List<Double>> times, List<List<Double>> bytes,
                        Paired pairedTimes) {
            Row timeRow() {
                return new Row(workload.label(), workload.unit(), cells(times, 1), workload.key(), pairedTimes);
            }
        }

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
            Measured measured = turns(ChannelBench.workload("daisy-warm"), settings.daisy());
            if (wanted("daisy-warm")) {
                rows.add(measured.timeRow());
            }
            if (wanted("daisy-alloc")) {
                rows.add(new Row("5 daisy chain allocation, warm", "bytes/goroutine",
                        cells(measured.bytes(), 1.0 / ChannelBench.DAISY_GOROUTINES), "daisy-alloc"));
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
                for (int i : order(run)) {
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
                rows.add(new Row("5 daisy chain peak RSS, fresh process", "MB", memory, "daisy-rss"));
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
     * benchmark method once, in the order of order(round); after the warm-up, each invocation's time per operation
     * (in the method's JMH output unit) is a sample, and so are the bytes the JVM allocated during it, per operation,
     * for {@code how.measurement()}. A round that starts before the end is finished, so every implementation has as
     * many samples, and at least one round is measured. Prints one line per implementation (helper, jox, jdk) of its
     * times, then one of its bytes: its samples, or "-" if it has no such benchmark (or the JVM cannot count bytes).
     */
    static void turnsChild(String key, Turns how) throws Exception {
        ChannelBench.Workload workload = ChannelBench.workload(key);
        ChannelBench bench = new ChannelBench();
        Method[] methods = new Method[3];
        int[] operations = new int[3]; // per invocation
        long[] nanosPerUnit = new long[3]; // in the unit the benchmark reports its time in
        for (int i = 0; i < 3; i++) {
            String name = workload.methods().get(i);
            if (name != null) {
                methods[i] = ChannelBench.class.getMethod(name);
                OperationsPerInvocation perInvocation = methods[i].getAnnotation(OperationsPerInvocation.class);
                operations[i] = perInvocation == null ? 1 : perInvocation.value(); // 1 is JMH's default too
                OutputTimeUnit unit = methods[i].getAnnotation(OutputTimeUnit.class);
                if (unit == null) {
                    unit = ChannelBench.class.getAnnotation(OutputTimeUnit.class);
                }
                nanosPerUnit[i] = unit.value().toNanos(1);
            }
        }
        // Counts what virtual threads allocate as well: they allocate in their carrier thread's buffer.
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        boolean countsBytes = threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled();
        List<List<Double>> timesPerOperation = perImplementation();
        List<List<Double>> bytesPerOperation = perImplementation();
        long warmUpEnd = System.nanoTime() + how.warmUp().toNanos();
        boolean measuring = false;
        long measurementEnd = 0;
        for (int round = 0; ; round++) {
            if (!measuring && round >= how.warmUpRounds() && System.nanoTime() - warmUpEnd >= 0) {
                measuring = true;
                measurementEnd = System.nanoTime() + how.measurement().toNanos();
            } else if (measuring && System.nanoTime() - measurementEnd >= 0) {
                break;
            }
            for (int i : order(round)) {
                if (methods[i] != null) {
                    long allocatedBefore = countsBytes ? threads.getTotalThreadAllocatedBytes() : 0;
                    long begin = System.nanoTime();
                    methods[i].invoke(bench);
                    long took = System.nanoTime() - begin;
                    long allocated = countsBytes ? threads.getTotalThreadAllocatedBytes() - allocatedBefore : 0;
                    if (measuring) {
                        timesPerOperation.get(i).add((double) took / nanosPerUnit[i] / operations[i]);
                        if (countsBytes) {
                            bytesPerOperation.get(i).add((double) allocated / operations[i]);
                        }
                    }
                }
            }
        }
        for (List<List<Double>> measure : List.of(timesPerOperation, bytesPerOperation)) {
            for (List<Double> values : measure) {
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
