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
 * or {@code // Unordered output:} when the order of the lines varies. Each line is literal text, except for holes
 * that stand for what varies by nature from run to run:
 * <ul>
 * <li>{@code {int}}: an integer; {@code {number}}: a decimal number such as 1.9;
 * <li>{@code {prime}}: an integer that must be prime;
 * <li>{@code {duration}}: a duration as Go prints it, such as 812ms or 1.5s;
 * <li>{@code {any}}: any text.
 * </ul>
 */
record ExpectedOutput(List<String> lines, boolean unordered) {

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
        return new ExpectedOutput(lines, unordered);
    }

    /** Null if the actual output matches, otherwise a description of the first difference. */
    String mismatch(List<String> actual) {
        if (actual.size() != lines.size()) {
            return "expected " + lines.size() + " lines, got " + actual.size() + differences(actual);
        }
        if (!unordered) {
            for (int i = 0; i < lines.size(); i++) {
                if (!matches(lines.get(i), actual.get(i))) {
                    return "line " + (i + 1) + ": expected \"" + lines.get(i) + "\", got \"" + actual.get(i) + "\"";
                }
            }
            return null;
        }
        List<String> unmatched = new ArrayList<>(lines); // each template matches exactly one actual line
        for (String line : actual) {
            String template = unmatched.stream().filter(t -> matches(t, line)).findFirst().orElse(null);
            if (template == null) {
                return "unexpected line \"" + line + "\"; lines not yet matched: " + unmatched;
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
