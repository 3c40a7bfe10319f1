package gochan;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What every script shares: it runs the script's picocli command the way a Go program behaves, and it prints
 * durations the way Go does. Unlike Go.java this file needs picocli, so every script that pulls it in with
 * {@code //SOURCES} declares {@code //DEPS info.picocli:picocli}.
 *
 * <ul>
 * <li>A bad option prints one line and exits with status 2, like Go's {@code flag} package (picocli would print the
 *     whole usage text).
 * <li>An exception escaping the command is a panic: "panic: ..." with the stack, and exit status 2.
 * <li>When the command returns, every goroutine it started must end: a Go program would just exit and take its
 *     leaked goroutines with it, so a leak would go unseen. Here it is reported with the goroutine dump of what is
 *     left, and the exit status is 3: at once if they are all blocked for good, or after a few seconds if some
 *     are still running.
 * <li>A deadlock (main and every goroutine blocked, nothing that could wake them) is reported by Go.java itself,
 *     as Go does: "fatal error: all goroutines are asleep - deadlock!", the dump, and exit status 2.
 * <li>With {@code GOCHAN_TIME=virtual} in the environment (or {@code -Dgochan.time=virtual}) the command runs in a
 *     bubble ({@link Go#bubble}), on virtual time: its waits take no time, and the durations it prints are exact.
 *     That is how the tests check a script's documented output. A script whose output cannot come from virtual
 *     time (CPU work takes none; a loop that never blocks never lets it move) is started with
 *     {@link #runInRealTime} instead, and says why.
 * </ul>
 */
public final class Script {
    private Script() {}

    /** The switch that runs a script's command in a bubble, on virtual time. */
    static final boolean VIRTUAL_TIME = "virtual".equals(System.getProperty("gochan.time", System.getenv("GOCHAN_TIME")));

    /** Runs the command with the arguments and exits with its status: in a bubble if GOCHAN_TIME=virtual. */
    public static void run(Object command, String... args) {
        exit(command, VIRTUAL_TIME ? executeInBubble(command, args) : execute(command, args));
    }

    /** Runs the command on the real clock whatever GOCHAN_TIME says, and exits with its status. */
    public static void runInRealTime(Object command, String... args) {
        exit(command, execute(command, args));
    }

    /** Exits with the status, after writing the diagrams if GOCHAN_TRACE (or -Dgochan.trace) names a file. */
    private static void exit(Object command, int status) {
        if (Go.Trace.ON) {
            Path file = Path.of(Go.Trace.FILE);
            try {
                Files.writeString(file, Diagrams.markdown(command.getClass().getSimpleName()));
                System.err.println("trace: diagrams written to " + file);
            } catch (IOException | RuntimeException e) {
                System.err.println("trace: cannot write " + file + ": " + e.getMessage());
                status = status == 0 ? 1 : status;
            }
        }
        System.exit(status);
    }

    /**
     * Runs the command in a bubble, on virtual time, and returns its exit status. What the real run reports, this
     * one reports the same way: a goroutine's panic ends the program (status 2), a deadlock is Go's fatal error
     * (status 2), and goroutines left when the command returns are a leak (status 3).
     */
    static int executeInBubble(Object command, String... args) {
        int[] status = {0};
        try {
            Go.bubble(() -> status[0] = commandLine(command).execute(args), true);
        } catch (Go.Deadlock deadlock) {
            if (!deadlock.reason().equals(Go.Bubble.ROOT_EXITED)) {
                System.err.println(Go.FATAL_DEADLOCK + "\n\n" + deadlock.dump());
                return 2;
            }
            if (status[0] != 0) {
                return status[0];
            }
            System.err.println("leak: " + Go.leftOver(deadlock.blocked().size(), 0, "blocked for good", deadlock.dump()));
            return 3;
        } catch (IllegalStateException stillRunning) {
            System.err.println("leak: " + stillRunning.getMessage());
            return 3;
        }
        return status[0];
    }

    /** Runs the command with the arguments and returns the exit status instead of exiting. */
    public static int execute(Object command, String... args) {
        Go.warmUp(); // so that the first thing the script times does not include the JVM's one-time costs
        int status = commandLine(command).execute(args);
        if (status == 0 && Go.goroutines() > 0) {
            try {
                Go.awaitGoroutines(0, Go.LEAK_BOUND);
            } catch (IllegalStateException leak) {
                System.err.println("leak: " + leak.getMessage());
                return 3;
            }
        }
        return status;
    }

    private static CommandLine commandLine(Object command) {
        Locale.setDefault(Locale.ROOT); // like Go's fmt: 1.5 is printed 1.5 whatever the machine's language
        CommandLine commandLine = new CommandLine(command)
                .setParameterExceptionHandler((badOption, badArgs) -> {
                    PrintWriter err = badOption.getCommandLine().getErr();
                    err.println(badOption.getCommandLine().getCommandName() + ": " + badOption.getMessage()
                            + " (see --help)");
                    return 2;
                })
                .setExecutionExceptionHandler((panic, cl, parsed) -> {
                    System.err.println(Go.panicReport(Thread.currentThread(), panic));
                    return 2;
                });
        return commandLine;
    }

    /** Rejects an option value the way a bad option is rejected: one line, exit status 2. */
    public static void require(CommandSpec spec, boolean valid, String complaint) {
        if (!valid) {
            throw new ParameterException(spec.commandLine(), complaint);
        }
    }

    /**
     * Go's {@code d.Round(unit).String()} for what the scripts print, non-negative durations rounded to a millisecond
     * or more: "0s", "812ms", "1.5s", "1m30s", "2h0m0s".
     */
    public static String durationString(Duration duration, Duration unit) {
        Duration d = unit.multipliedBy(Math.round((double) duration.toNanos() / unit.toNanos()));
        if (d.isZero()) {
            return "0s";
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            return BigDecimal.valueOf(d.toNanos(), 6).stripTrailingZeros().toPlainString() + "ms";
        }
        StringBuilder text = new StringBuilder();
        if (d.toHours() > 0) {
            text.append(d.toHours()).append('h');
        }
        if (d.toMinutes() > 0) {
            text.append(d.toMinutesPart()).append('m');
        }
        long nanosOfMinute = d.toSecondsPart() * 1_000_000_000L + d.toNanosPart();
        return text.append(BigDecimal.valueOf(nanosOfMinute, 9).stripTrailingZeros().toPlainString()).append('s')
                .toString();
    }

    private static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE); // about 292 years, as in Go

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    /** Go's {@code time.ParseDuration}, for non-negative durations: "100ms", "1.5s", "1h30m". Null if malformed. */
    public static Duration parseDuration(String text) {
        Matcher part = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            BigDecimal nanosPerUnit = BigDecimal.valueOf(switch (part.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            });
            BigDecimal nanos = new BigDecimal(part.group(1)).multiply(nanosPerUnit);
            if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                return null; // Go's "invalid duration": more than a Duration can hold
            }
            total = total.plusNanos(nanos.longValue());
            end = part.end();
        }
        return end > 0 && end == text.length() && total.compareTo(MAX_DURATION) <= 0 ? total : null;
    }

    /** Lets a picocli option take a Go duration: {@code @Option(names = "--timeout", converter = GoDuration.class)}. */
    public static final class GoDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration = parseDuration(value);
            if (duration == null) {
                throw new TypeConversionException("'" + value + "' is not a duration like 100ms, 1.5s or 1h30m");
            }
            return duration;
        }
    }

    /**
     * The trace (Go.Trace) as Markdown: the topology (a flowchart: goroutines grouped by the go call that started
     * them, channels as arrows from senders to receivers, done-style channels that only close as hexagons apart)
     * and the timeline (a sequence diagram of the first events), both in Mermaid, which GitHub renders, with the
     * counts in tables between them. Names come from the source lines that made the channels and started the
     * goroutines, looked up from the working directory (scripts/, scripts/gochan/); without them, file:line.
     */
    static final class Diagrams {
        private Diagrams() {}

        static final int TIMELINE_LINES = 60;
        static final int TIMELINE_PARTICIPANTS = 10;

        static String markdown(String script) {
            Names names = new Names();
            StringBuilder md = new StringBuilder("# " + script + ": goroutines and channels\n\n");
            md.append("Traced from a run (GOCHAN_TRACE). Topology: each node is a go statement, with how many goroutines "
                    + "it started (\u00d7N); each arrow a channel, from the goroutines that sent on it to those that "
                    + "received, labelled with the channel's variable and its capacity. Hexagons are channels that "
                    + "carried no value and were only closed (done), dotted from who closed them to who was "
                    + "listening.\n\n");
            md.append("```mermaid\n").append(topology(names)).append("```\n\n");
            md.append(counts(names));
            md.append("\n## Timeline\n\nThe first events, in order (runs of the same event folded into one "
                    + "arrow, \u00d7N).\n\n");
            md.append("```mermaid\n").append(timeline(names)).append("```\n");
            return md.toString();
        }

        // ---- names, from the source lines ----

        /** Labels for groups and channel sites, read from the source where it can be found. */
        static final class Names {
            private final Map<String, List<String>> sources = new HashMap<>();
            final Map<Go.Trace.Group, String> groups = new HashMap<>();

            Names() {
                // Goroutines started from one method share its name; when a method has several go calls, each is
                // named after the function its lambda calls (go(() -> forward(...))) or its Go margin note
                // (// multiplex(c)), and one left without a name keeps the method's.
                Map<String, List<Go.Trace.Group>> byMethod = new TreeMap<>();
                for (Go.Trace.Group g : Go.Trace.groups.values()) {
                    if (g.goCall == null) {
                        groups.put(g, g.key.startsWith("thread ") ? g.key.substring(7) : g.key);
                    } else {
                        byMethod.computeIfAbsent(g.goCall.getClassName() + "." + method(g.goCall), k -> new ArrayList<>())
                                .add(g);
                    }
                }
                for (List<Go.Trace.Group> sameMethod : byMethod.values()) {
                    String method = method(sameMethod.get(0).goCall);
                    if (sameMethod.size() == 1) {
                        groups.put(sameMethod.get(0), method);
                        continue;
                    }
                    List<Go.Trace.Group> unnamed = new ArrayList<>();
                    for (Go.Trace.Group g : sameMethod) {
                        String called = calledBy(line(g.goCall));
                        if (called != null) {
                            groups.put(g, called);
                        } else {
                            unnamed.add(g);
                        }
                    }
                    // The rest are numbered in the order they stand in the source (1 is the topmost go call), not
                    // by line number: an edit above them does not rename them, so the gallery does not drift.
                    unnamed.sort(Comparator.comparingInt(g -> g.goCall.getLineNumber()));
                    for (int i = 0; i < unnamed.size(); i++) {
                        groups.put(unnamed.get(i), unnamed.size() == 1 ? method : method + " " + (i + 1));
                    }
                }
            }

            /** The method that holds the line: "lambda$primeFinder$0" is a lambda written in primeFinder. */
            static String method(StackTraceElement frame) {
                String m = frame.getMethodName();
                Matcher lambda = Pattern.compile("lambda\\$(.+)\\$\\d+").matcher(m);
                while (lambda.matches()) {
                    m = lambda.group(1);
                    lambda = Pattern.compile("lambda\\$(.+)\\$\\d+").matcher(m);
                }
                String type = frame.getClassName().replaceAll(".*[.$]", "");
                // a constructor is named after its class; a method named go (ErrGroup's) with its class, so that it
                // does not read as the go statement itself
                return m.equals("<init>") ? type : m.equals("go") ? type + ".go" : m;
            }

            private static final Pattern CALL = Pattern.compile("go\\(\\(\\) -> (\\w+)\\(|go\\((?:\\w+::)?(\\w+)\\)");
            private static final Pattern MARGIN = Pattern.compile("//\\s*(?:go\\s+)?([a-z]\\w*)\\(");

            static String calledBy(String line) {
                if (line == null) {
                    return null;
                }
                Matcher call = CALL.matcher(line);
                if (call.find()) {
                    return call.group(1) != null ? call.group(1) : call.group(2);
                }
                Matcher margin = MARGIN.matcher(line);
                return margin.find() && !margin.group(1).equals("func") ? margin.group(1) : null;
            }

            private static final Pattern ASSIGNED = Pattern.compile(
                    "(\\w+)\\s*=\\s*[^=;]*?\\b(make|after|newTimer|newTicker)\\s*\\(");

            /** The channel's variable ("primeStream"), "time.After" for one made inline, else file:line. */
            String channel(Go.Trace.ChanSite site) {
                if (site.made == null) {
                    return "chan";
                }
                String line = line(site.made);
                if (line != null) {
                    Matcher assigned = ASSIGNED.matcher(line);
                    if (assigned.find()) {
                        return assigned.group(1);
                    }
                    if (line.contains("after(")) {
                        return "time.After";
                    }
                }
                // no line number: an edit above it would rename the channel, and the gallery would drift
                return (site.timer ? "timer in " : "chan in ") + site.made.getFileName();
            }

            /** The source line of a frame, if its file is found from the working directory. */
            String line(StackTraceElement frame) {
                // The package's folder first: gochan/Context.java is not the script Context.java.
                String className = frame.getClassName();
                String folder = className.contains(".") ? className.substring(0, className.lastIndexOf('.'))
                        .replace('.', '/') + "/" : "";
                List<String> lines = sources.computeIfAbsent(folder + frame.getFileName(), Names::read);
                int n = frame.getLineNumber();
                return n >= 1 && n <= lines.size() ? lines.get(n - 1) : null;
            }

            private static List<String> read(String file) {
                for (String dir : List.of(".", "scripts", "bench", "tests")) {
                    Path path = Path.of(dir, file);
                    if (Files.isRegularFile(path)) {
                        try {
                            return Files.readAllLines(path);
                        } catch (IOException | RuntimeException unreadable) {
                            return List.of();
                        }
                    }
                }
                return List.of();
            }
        }

        // ---- the topology ----

        /** Mermaid text: no quotes, brackets or pipes inside a label. */
        static String label(String text) {
            return text.replace('"', '\'').replace('|', '/').replace('#', ' ').replace(';', ',').replace('<', '(')
                    .replace('>', ')');
        }

        static String times(long n) {
            return n > 1 ? " \u00d7" + n : "";
        }

        static String capacity(Go.Trace.ChanSite site) {
            TreeSet<Integer> caps = new TreeSet<>(site.capacities);
            if (site.timer || (caps.size() == 1 && caps.first() == 0)) {
                return "";
            }
            return caps.size() == 1 ? ", cap " + caps.first() : ", cap " + caps.first() + ".." + caps.last();
        }

        static boolean doneStyle(Go.Trace.ChanSite site) {
            return site.carried.isEmpty() && site.closes.sum() > 0;
        }

        static String topology(Names names) {
            // Nodes: every go statement that started a goroutine, and whoever else sent or received.
            Set<Go.Trace.Group> nodes = new TreeSet<>(Comparator.comparing((Go.Trace.Group g) -> g.key));
            Go.Trace.groups.values().stream().filter(g -> g.started.sum() > 0).forEach(nodes::add);
            List<Go.Trace.ChanSite> sites = Go.Trace.sites.values().stream()
                    .sorted(Comparator.comparing(names::channel)).toList();
            Map<String, String> edges = new TreeMap<>(); // sorted, so that the text is the same on every run
            Map<String, Set<String>> channels = new TreeMap<>(); // "from to" -> the channels between them
            Map<Go.Trace.Group, String> ids = new HashMap<>();
            for (Go.Trace.ChanSite site : sites) {
                site.carried.keySet().forEach(nodes::addAll);
                nodes.addAll(site.closers);
            }
            int n = 0;
            for (Go.Trace.Group g : nodes) {
                ids.put(g, "g" + ++n);
            }
            StringBuilder text = new StringBuilder("flowchart LR\n");
            for (Go.Trace.Group g : nodes) {
                String name = label(names.groups.get(g));
                String id = ids.get(g);
                text.append("    ").append(switch (g.key) {
                    case "main" -> id + "([\"" + name + "\"])";
                    case "timer" -> id + "[[\"" + name + "\"]]";
                    default -> g.goCall == null ? id + "[/\"" + name + "\"/]"
                            : id + "(\"" + name + times(g.started.sum()) + "\")";
                }).append('\n');
            }
            Map<String, Set<String>> doneNodes = new TreeMap<>(); // "name\ncloser ids" -> the listeners' names
            for (Go.Trace.ChanSite site : sites) {
                String name = label(names.channel(site)) + capacity(site);
                if (doneStyle(site)) {
                    // Apart: one dotted arrow from who closed it, and the listeners named in the hexagon, since an
                    // arrow to every stage that selects on done would cross all the others. The done channels of
                    // one name closed by the same goroutines are one hexagon.
                    Set<String> closers = new TreeSet<>(site.closers.stream().map(ids::get).toList());
                    Set<String> listening = doneNodes.computeIfAbsent(name + "\n" + String.join(" ", closers),
                            k -> new TreeSet<>());
                    site.listeners.forEach(g -> listening.add(names.groups.get(g)));
                    site.sawClosed.forEach(g -> listening.add(names.groups.get(g)));
                    site.closers.forEach(g -> listening.remove(names.groups.get(g)));
                    continue;
                }
                // A data channel closed by someone who sent nothing on it (fanIn's closer): a dotted arrow to its
                // receivers, so that the closer is not left alone.
                Set<Go.Trace.Group> senders = new HashSet<>();
                Set<Go.Trace.Group> receivers = new HashSet<>();
                site.carried.keySet().forEach(fromTo -> {
                    senders.add(fromTo.get(0));
                    receivers.add(fromTo.get(1));
                });
                for (Go.Trace.Group closer : site.closers) {
                    if (!senders.contains(closer)) {
                        for (Go.Trace.Group receiver : receivers) {
                            edges.put(ids.get(closer) + " " + ids.get(receiver) + " close " + name, "    "
                                    + ids.get(closer) + " -. \"close(" + name + ")\" .-> " + ids.get(receiver) + "\n");
                        }
                    }
                }
                for (List<Go.Trace.Group> fromTo : site.carried.keySet()) {
                    channels.computeIfAbsent(ids.get(fromTo.get(0)) + " " + ids.get(fromTo.get(1)),
                            k -> new TreeSet<>()).add(name);
                }
            }
            // One arrow per pair of nodes, naming every channel between them: fewer arrows to cross.
            channels.forEach((fromTo, between) -> edges.put(fromTo, "    " + fromTo.replace(" ", " -->|\""
                    + String.join("<br>", between) + "\"| ") + "\n"));
            edges.values().forEach(text::append);
            int d = 0;
            for (var done : doneNodes.entrySet()) {
                String[] nameAndClosers = done.getKey().split("\n", -1);
                String id = "d" + ++d;
                text.append("    ").append(id).append("{{\"").append(nameAndClosers[0])
                        .append(done.getValue().isEmpty() ? "" : "<br>heard by " + label(String.join(", ", done.getValue())))
                        .append("\"}}\n");
                for (String closer : nameAndClosers[1].split(" ")) {
                    if (!closer.isEmpty()) {
                        text.append("    ").append(closer).append(" -. close .-> ").append(id).append('\n');
                    }
                }
            }
            return text.toString();
        }

        // ---- the counts ----

        static String counts(Names names) {
            StringBuilder md = new StringBuilder("| Goroutines started at | Name | Started | Ended | Blocked (times) |\n"
                    + "|---|---|---|---|---|\n");
            Go.Trace.groups.values().stream().sorted(Comparator.comparing((Go.Trace.Group g) -> g.key))
                    .forEach(g -> md.append("| ").append(g.goCall == null ? "" : g.goCall.getFileName() + ":"
                            + g.goCall.getLineNumber()).append(" | ").append(names.groups.get(g)).append(" | ")
                            .append(g.started.sum()).append(" | ").append(g.ended.sum()).append(" | ")
                            .append(blocked(g)).append(" |\n"));
            md.append("\n| Channel | Made at | Channels | Closed | Values: from \u2192 to |\n|---|---|---|---|---|\n");
            Go.Trace.sites.values().stream().sorted(Comparator.comparing(names::channel)).forEach(site -> {
                List<String> carried = new ArrayList<>();
                site.carried.forEach((fromTo, count) -> carried.add(names.groups.get(fromTo.get(0)) + " \u2192 "
                        + names.groups.get(fromTo.get(1)) + ": " + count.sum()));
                carried.sort(null);
                md.append("| ").append(names.channel(site)).append(capacity(site)).append(" | ")
                        .append(site.made == null ? "" : site.made.getFileName() + ":" + site.made.getLineNumber())
                        .append(" | ").append(site.channels.sum()).append(" | ").append(site.closes.sum())
                        .append(" | ").append(String.join(", ", carried)).append(" |\n");
            });
            md.append("\nEvents: ").append(Go.Trace.events.sum()).append(" (the first ").append(Go.Trace.TIMELINE)
                    .append(" kept for the timeline).\n");
            return md.toString();
        }

        private static String blocked(Go.Trace.Group g) {
            Map<String, Long> byReason = new TreeMap<>();
            g.blocked.forEach((reason, count) -> byReason.put(reason, count.sum()));
            List<String> parts = new ArrayList<>();
            byReason.forEach((reason, count) -> parts.add(reason + ": " + count));
            return String.join(", ", parts);
        }

        // ---- the timeline ----

        static String timeline(Names names) {
            Map<Object, String> participants = new LinkedHashMap<>(); // actor (G, id or TIMER) -> participant id
            Map<String, String> participantLabels = new LinkedHashMap<>();
            Map<Long, Object> goroutines = new HashMap<>(); // goroutine id -> its G, for GO events' creators
            List<Go.Trace.Event> events = Go.Trace.timeline();
            for (Go.Trace.Event e : events) {
                if (e.from() instanceof Go.G g) {
                    goroutines.put(g.id, g);
                }
                if (e.to() instanceof Go.G g) {
                    goroutines.put(g.id, g);
                }
            }
            List<Line> lines = new ArrayList<>();
            long shownAt = -1;
            int left = 0;
            for (Go.Trace.Event e : events) {
                Object from = e.kind() == Go.Trace.GO ? goroutines.getOrDefault((Long) e.from(), e.from()) : e.from();
                if (e.kind() == Go.Trace.GO && Go.Trace.groupOf(e.to()).key.equals("main")) {
                    continue; // the bubble that runs main (GOCHAN_TIME=virtual): not part of the program
                }
                List<Object> actors = new ArrayList<>();
                actors.add(from);
                if (e.to() != null) {
                    actors.add(e.to());
                }
                long newcomers = actors.stream().distinct().filter(a -> !participants.containsKey(a)).count();
                if (left > 0 || lines.size() >= TIMELINE_LINES
                        || participants.size() + newcomers > TIMELINE_PARTICIPANTS) {
                    left++; // once one does not fit, the rest are left out, so that what is shown has no gaps
                    continue;
                }
                for (Object a : actors) {
                    participants.computeIfAbsent(a, x -> {
                        String id = "p" + (participants.size() + 1);
                        participantLabels.put(id, label(actorLabel(x, names)));
                        return id;
                    });
                }
                String p = participants.get(from);
                String chan = e.chan() == null ? "" : label(names.channel(e.chan().site));
                if (e.kind() == Go.Trace.SELECT && !"DEFAULT".equals(e.detail())) {
                    // The value or the close it chose is on an arrow or note already (a waker may have logged it
                    // a little earlier): mark that one instead of adding a line.
                    Line chosen = null;
                    for (int i = lines.size() - 1; i >= Math.max(0, lines.size() - 8) && chosen == null; i--) {
                        Line l = lines.get(i);
                        if (l.chan.equals(chan) && l.actors.contains(p)) {
                            chosen = l;
                        }
                    }
                    if (chosen != null) {
                        chosen.select = true;
                        continue;
                    }
                }
                if (e.virtual() && e.at() != shownAt) {
                    shownAt = e.at();
                    lines.add(new Line("t" + shownAt, "    Note over " + p + ": t = "
                            + durationString(Duration.ofNanos(shownAt), Duration.ofMillis(1)), "", List.of()));
                }
                Line line = switch (e.kind()) {
                    case Go.Trace.GO -> new Line("go " + p + " " + participants.get(e.to()), "    " + p + " -) "
                            + participants.get(e.to()) + ": go", "", List.of(p));
                    case Go.Trace.VALUE -> {
                        String to = participants.get(e.to());
                        yield new Line("value " + p + " " + to + " " + chan, "    " + p + " ->> " + to + ": " + chan,
                                chan, List.of(p, to)).value(label(shortValue(e.detail())));
                    }
                    case Go.Trace.CLOSE -> new Line("close " + p + " " + chan, "    Note over " + p + ": close(" + chan
                            + ")", chan, List.of(p));
                    case Go.Trace.SAW_CLOSED -> new Line("closed " + p + " " + chan, "    Note over " + p + ": " + chan
                            + " is closed", chan, List.of(p));
                    default -> new Line("select " + p + " " + e.detail() + " " + chan, "    Note over " + p
                            + ": select: " + ("DEFAULT".equals(e.detail()) ? "default" : chan), chan, List.of(p));
                };
                Line last = lines.isEmpty() ? null : lines.get(lines.size() - 1);
                if (last != null && last.key.equals(line.key)) {
                    last.count++;
                } else {
                    lines.add(line);
                }
            }
            StringBuilder text = new StringBuilder("sequenceDiagram\n");
            participantLabels.forEach((id, name) -> text.append("    participant ").append(id).append(" as ")
                    .append(name).append('\n'));
            lines.forEach(line -> text.append(line.render()).append('\n'));
            long notShown = Go.Trace.events.sum() - events.size() + left;
            if (participantLabels.isEmpty()) {
                text.append("    participant main\n    Note over main: no channel events\n");
            } else if (notShown > 0) {
                text.append("    Note over ").append(participantLabels.keySet().iterator().next()).append(": then ")
                        .append(notShown).append(" more events\n");
            }
            return text.toString();
        }

        /** One line of the timeline; a run of lines with the same key is folded into it, counted. */
        private static final class Line {
            final String key;
            final String text;
            final String chan;
            final List<String> actors;
            String value = "";
            long count = 1;
            boolean select; // the value or close was what a select chose

            Line(String key, String text, String chan, List<String> actors) {
                this.key = key;
                this.text = text;
                this.chan = chan;
                this.actors = actors;
            }

            Line value(String v) {
                value = v;
                return this;
            }

            String render() {
                // a folded run says how many, and drops the first one's value
                String shown = text + (count > 1 ? times(count) : value.isEmpty() ? "" : " " + value);
                return shown + (select ? " (select)" : "");
            }
        }

        private static String actorLabel(Object actor, Names names) {
            if (actor instanceof Go.G g && g.goroutine && !Go.Trace.groupOf(g).key.equals("main")) {
                return "g" + g.id + " " + names.groups.get(Go.Trace.groupOf(g));
            }
            if (actor instanceof Long id) {
                return "g" + id;
            }
            return names.groups.get(Go.Trace.groupOf(actor));
        }

        private static String shortValue(Object value) {
            String text = String.valueOf(value);
            return text.length() <= 16 ? text : text.substring(0, 15) + "\u2026";
        }
    }
}
