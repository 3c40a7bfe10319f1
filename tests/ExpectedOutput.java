import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The expected output a script documents at its end, as Go's Example tests do:
 * <pre>
 * // Output:
 * // Spinning up {int} prime finders.
 * //   {prime}
 * </pre>
 * or {@code // Unordered output:} when the order of all the lines varies. When only a few lines race (two goroutines
 * that print at the same moment), an ordered block marks just those as a group that may come in any order, so that
 * every other line is still checked in its place:
 * <pre>
 * // Output:
 * // Lexical confinement of data:
 * // {any order}
 * // gol
 * // ang
 * // {end any order}
 * // Done.
 * </pre>
 * The two marker lines are not output; the group's lines must come together, where the group stands, each matching
 * one of the group's templates exactly once. Groups do not nest, and an unordered block has none.
 * Each line is literal text, except for holes that stand for what varies by nature from run to run:
 * <ul>
 * <li>{@code {int}}: an integer; {@code {number}}: a decimal number such as 1.9;
 * <li>{@code {prime}}: an integer that must be prime;
 * <li>{@code {duration}}: a duration as Go prints it, such as 812ms or 1.5s;
 * <li>{@code {any}}: any text.
 * </ul>
 */
record ExpectedOutput(List<String> lines, boolean unordered) {

    static final String GROUP_START = "{any order}";
    static final String GROUP_END = "{end any order}";

    /** A run of consecutive templates: in order, or a group whose lines may come in any order. */
    private record Run(List<String> templates, boolean anyOrder) {}

    /** Checks the group markers: balanced, not nested, and not in an unordered block. */
    ExpectedOutput {
        lines = List.copyOf(lines);
        runs(lines, unordered);
    }

    private static List<Run> runs(List<String> lines, boolean unordered) {
        List<Run> runs = new ArrayList<>();
        List<String> current = new ArrayList<>();
        boolean inGroup = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.equals(GROUP_START) || line.equals(GROUP_END)) {
                boolean start = line.equals(GROUP_START);
                if (unordered) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": \"" + line
                            + "\" in an unordered block, where every line may come in any order already");
                }
                if (start == inGroup) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": \"" + line + "\" "
                            + (start ? "inside another group (groups do not nest)" : "without a \"" + GROUP_START + "\""));
                }
                if (!current.isEmpty()) {
                    runs.add(new Run(current, inGroup));
                }
                current = new ArrayList<>();
                inGroup = start;
                continue;
            }
            current.add(line);
        }
        if (inGroup) {
            throw new IllegalArgumentException("\"" + GROUP_START + "\" without \"" + GROUP_END + "\"");
        }
        if (!current.isEmpty()) {
            runs.add(new Run(current, unordered));
        }
        return runs;
    }

    private static final Pattern HOLE = Pattern.compile("\\{(int|number|prime|duration|any)}");

    /** Reads the block after the last "// Output:" or "// Unordered output:" line of the script. */
    static ExpectedOutput of(Path script) throws IOException {
        List<String> source = Files.readAllLines(script);
        int start = -1;
        boolean unordered = false;
        for (int i = 0; i < source.size(); i++) {
            String line = source.get(i).strip();
            if (line.equals("// Output:") || line.equals("// Unordered output:")) {
                start = i + 1;
                unordered = line.startsWith("// Unordered");
            }
        }
        if (start < 0) {
            throw new IllegalArgumentException(script + " has no \"// Output:\" block at its end");
        }
        List<String> lines = new ArrayList<>();
        for (String line : source.subList(start, source.size())) {
            if (!line.startsWith("//")) {
                break;
            }
            lines.add(line.startsWith("// ") ? line.substring(3) : line.substring(2));
        }
        try {
            return new ExpectedOutput(lines, unordered);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(script + ", expected output: " + e.getMessage(), e);
        }
    }

    /** Null if the actual output matches, otherwise a description of the first difference. */
    String mismatch(List<String> actual) {
        List<Run> runs = runs(lines, unordered);
        int expected = runs.stream().mapToInt(r -> r.templates().size()).sum();
        if (actual.size() != expected) {
            return "expected " + expected + " lines, got " + actual.size() + differences(actual);
        }
        int next = 0; // the first actual line not yet matched
        for (Run run : runs) {
            List<String> part = actual.subList(next, next + run.templates().size());
            String mismatch = run.anyOrder() ? anyOrderMismatch(run.templates(), part, next)
                    : orderedMismatch(run.templates(), part, next);
            if (mismatch != null) {
                return mismatch;
            }
            next += part.size();
        }
        return null;
    }

    private static String orderedMismatch(List<String> templates, List<String> part, int firstLine) {
        for (int i = 0; i < templates.size(); i++) {
            if (!matches(templates.get(i), part.get(i))) {
                return "line " + (firstLine + i + 1) + ": expected \"" + templates.get(i) + "\", got \"" + part.get(i)
                        + "\"";
            }
        }
        return null;
    }

    private static String anyOrderMismatch(List<String> templates, List<String> part, int firstLine) {
        List<String> unmatched = new ArrayList<>(templates); // each template matches exactly one actual line
        for (int i = 0; i < part.size(); i++) {
            String line = part.get(i);
            String template = unmatched.stream().filter(t -> matches(t, line)).findFirst().orElse(null);
            if (template == null) {
                return "line " + (firstLine + i + 1) + ": unexpected \"" + line + "\"; lines of its group not yet matched: "
                        + unmatched;
            }
            unmatched.remove(template);
        }
        return null;
    }

    private String differences(List<String> actual) {
        return "\n--- expected\n" + String.join("\n", lines) + "\n--- actual\n" + String.join("\n", actual);
    }

    /** True if the line matches the template, with its holes filled as the class comment says. */
    static boolean matches(String template, String line) {
        StringBuilder regex = new StringBuilder();
        List<String> holes = new ArrayList<>();
        Matcher hole = HOLE.matcher(template);
        int literalStart = 0;
        while (hole.find()) {
            regex.append(Pattern.quote(template.substring(literalStart, hole.start())));
            regex.append(switch (hole.group(1)) {
                case "int", "prime" -> "(-?\\d+)";
                case "number" -> "(-?\\d+(?:\\.\\d+)?)";
                case "duration" -> "(\\d+(?:\\.\\d+)?(?:ns|µs|ms|s|m|h)|(?:\\d+h)?(?:\\d+m)?\\d+(?:\\.\\d+)?s)";
                default -> "(.*)";
            });
            holes.add(hole.group(1));
            literalStart = hole.end();
        }
        regex.append(Pattern.quote(template.substring(literalStart)));
        Matcher filled = Pattern.compile(regex.toString()).matcher(line);
        if (!filled.matches()) {
            return false;
        }
        for (int i = 0; i < holes.size(); i++) {
            if (holes.get(i).equals("prime") && !isPrime(Long.parseLong(filled.group(i + 1)))) {
                return false;
            }
        }
        return true;
    }

    // An independent check, deliberately not the scripts' own isPrime.
    private static boolean isPrime(long n) {
        return n >= 2 && java.math.BigInteger.valueOf(n).isProbablePrime(50);
    }
}
