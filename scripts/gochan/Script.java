package gochan;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
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
        System.exit(VIRTUAL_TIME ? executeInBubble(command, args) : execute(command, args));
    }

    /** Runs the command on the real clock whatever GOCHAN_TIME says, and exits with its status. */
    public static void runInRealTime(Object command, String... args) {
        System.exit(execute(command, args));
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
}
