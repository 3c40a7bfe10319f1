///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Draws every pattern's goroutines and channels from a traced run into docs/patterns.md: ./jbang tests/Gallery.java [ALIAS...]
//JAVA 21+
//DEPS com.google.code.gson:gson:2.13.1

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

// The gallery, docs/patterns.md: each catalog alias run once with the tracer on (GOCHAN_TRACE, see Script.Diagrams)
// and fixed options, and the topology it drew. `just diagrams` writes it (and checks that Mermaid renders it);
// GalleryTest runs the same commands and fails when a script no longer draws what the gallery shows, comparing
// normalised topologies: nodes, arrows and their labels, without the counts (x3) that may vary from run to run.
public class Gallery {

    /** Options that keep a run small and its picture the same on every machine (not the CPU count). */
    static final Map<String, List<String>> OPTIONS = Map.of(
            "fanin", List.of("--finders", "2", "--primes", "3", "--bound", "100000"),
            "pike", List.of("--gophers", "5"));

    /** Why an alias draws nothing; an alias whose run draws no arrow and is not here fails the test. */
    static final Map<String, String> NOTHING_TO_DRAW = Map.of(
            "context-java", "it uses Java 25's StructuredTaskScope and ScopedValue, not the helper's channels.",
            "deadlock", "its five mistakes run apart from each other, and each ends in a deadlock report.",
            "errorprop", "it is about error values crossing layers, and starts no goroutine.");

    static final Path ROOT = root();

    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("catalog.json")) && Files.isDirectory(dir.resolve("docs"))) {
                return dir;
            }
        }
        throw new IllegalStateException("run it from inside the repository");
    }

    /** alias -> script path (relative to the root), in catalog order. */
    static Map<String, String> aliases() throws IOException {
        Map<String, String> aliases = new LinkedHashMap<>();
        JsonParser.parseString(Files.readString(ROOT.resolve("catalog.json"))).getAsJsonObject()
                .getAsJsonObject("aliases").entrySet()
                .forEach(e -> aliases.put(e.getKey(), e.getValue().getAsJsonObject().get("script-ref").getAsString()));
        return aliases;
    }

    /** The command the gallery shows, and runs: on virtual time (scripts that need real time ignore it). */
    static List<String> command(String alias, Path traceFile) {
        List<String> command = new ArrayList<>(List.of("env", "GOCHAN_TIME=virtual", "GOCHAN_TRACE=" + traceFile,
                "./jbang", alias + "@catalog"));
        command.addAll(OPTIONS.getOrDefault(alias, List.of()));
        return command;
    }

    /** Runs the alias traced, and returns the Markdown it wrote. */
    static String trace(String alias) throws IOException, InterruptedException {
        Path file = Files.createTempFile("trace-" + alias, ".md");
        Path log = Files.createTempFile("trace-" + alias, ".log");
        try {
            Process process = new ProcessBuilder(command(alias, file)).directory(ROOT.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(alias + " did not finish in 180 s:\n" + Files.readString(log));
            }
            if (process.exitValue() != 0 || Files.size(file) == 0) {
                throw new IllegalStateException(alias + " exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            return Files.readString(file);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(log);
        }
    }

    private static final Pattern MERMAID = Pattern.compile("```mermaid\n(flowchart[^`]*)```");

    /** The topology (the first flowchart) of a trace or of the gallery's section. */
    static String topology(String markdown) {
        Matcher m = MERMAID.matcher(markdown);
        return m.find() ? m.group(1) : "";
    }

    private static final Pattern NODE = Pattern.compile("^\\s*(\\w+)[(\\[{/]+\"(.*)\"[)\\]}/]+$");
    private static final Pattern EDGE = Pattern.compile("^\\s*(\\w+) (-->\\|\"(.*)\"\\||-\\. \"?(.*?)\"? \\.->) (\\w+)$");

    /**
     * The topology as a set of lines that do not depend on node ids or counts: "node primeFinder", "primeFinder
     * --primeStream--> multiplex", "main -.close.-> done heard by ...". Empty for a topology without arrows.
     */
    static Set<String> normalised(String flowchart) {
        Map<String, String> labels = new LinkedHashMap<>();
        List<String[]> edges = new ArrayList<>();
        for (String line : flowchart.split("\n")) {
            Matcher node = NODE.matcher(line);
            Matcher edge = EDGE.matcher(line);
            if (edge.matches()) {
                edges.add(new String[] {edge.group(1), edge.group(3) != null ? "--" + edge.group(3) + "-->"
                        : "-." + edge.group(4) + ".->", edge.group(5)});
            } else if (node.matches()) {
                labels.put(node.group(1), node.group(2).replaceAll(" \u00d7\\d+", ""));
            }
        }
        Set<String> topology = new TreeSet<>();
        if (edges.isEmpty()) {
            return topology;
        }
        labels.values().forEach(label -> topology.add("node " + label));
        for (String[] e : edges) {
            topology.add(labels.getOrDefault(e[0], e[0]) + " " + e[1] + " " + labels.getOrDefault(e[2], e[2]));
        }
        return topology;
    }

    /** The gallery's section of an alias: everything from its heading to the next. */
    static String section(String gallery, String alias) {
        Matcher m = Pattern.compile("(?ms)^## " + Pattern.quote(alias) + "\n(.*?)(?=^## |\\z)").matcher(gallery);
        return m.find() ? m.group(1) : null;
    }

    static String render(Map<String, String> aliases, Map<String, String> topologies) {
        StringBuilder md = new StringBuilder("""
                # The patterns, drawn

                Each diagram below was drawn by the helper's tracer from a real run of the pattern (the command is
                under its name): goroutines are nodes, named after the function whose `go` statement started them,
                with how many it started (×N); channels are arrows from the goroutines that sent on them to those that
                received, labelled with the channel's variable (and its capacity when buffered); a channel that
                carried no value and was only closed (a `done`) is a hexagon, dotted from whoever closed it, naming
                who was listening. Run any script the same way to get its diagrams, with a timeline of its first
                events and the counts (see "Seeing it" in the README).

                Written by `just diagrams`, which also checks that Mermaid renders each one; the tests
                (`GalleryTest`) fail when a script no longer draws what is shown here.
                """);
        aliases.forEach((alias, script) -> {
            md.append("\n## ").append(alias).append("\n\n");
            md.append("[").append(Path.of(script).getFileName()).append("](../").append(script).append(")");
            String topology = topologies.get(alias);
            if (NOTHING_TO_DRAW.containsKey(alias) || topology == null) {
                md.append(": ").append(topology == null && !NOTHING_TO_DRAW.containsKey(alias)
                        ? "not drawn yet: its traced run failed (see `just diagrams`)."
                        : "nothing to draw: " + NOTHING_TO_DRAW.get(alias)).append("\n");
                return;
            }
            List<String> command = command(alias, Path.of(alias + ".md"));
            md.append(", traced with `").append(String.join(" ", command.subList(1, command.size())))
                    .append("`\n\n```mermaid\n").append(topology).append("```\n");
        });
        return md.toString();
    }

    /**
     * Starts a traced run of each alias, a few at a time: each run spends most of its time waiting (for ./jbang's
     * lock, for a script's real-time pauses), so they overlap well.
     */
    static Map<String, CompletableFuture<String>> traceAll(List<String> aliases) {
        ExecutorService runs = Executors.newFixedThreadPool(4, task -> {
            Thread thread = new Thread(task, "gallery-run");
            thread.setDaemon(true);
            return thread;
        });
        Map<String, CompletableFuture<String>> traces = new LinkedHashMap<>();
        for (String alias : aliases) {
            traces.put(alias, CompletableFuture.supplyAsync(() -> {
                try {
                    return trace(alias);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(alias + ": " + e, e);
                }
            }, runs));
        }
        runs.shutdown();
        return traces;
    }

    public static void main(String... args) throws Exception {
        Map<String, String> aliases = aliases();
        Path galleryFile = ROOT.resolve("docs/patterns.md");
        String old = Files.exists(galleryFile) ? Files.readString(galleryFile) : "";
        List<String> wanted = aliases.keySet().stream().filter(alias -> !NOTHING_TO_DRAW.containsKey(alias))
                .filter(alias -> args.length == 0 || List.of(args).contains(alias) || section(old, alias) == null)
                .toList();
        Map<String, CompletableFuture<String>> traces = traceAll(wanted);
        String keepIn = System.getenv("GALLERY_TRACES");
        Path keep = keepIn == null || keepIn.isBlank() ? null : Files.createDirectories(Path.of(keepIn));
        Map<String, String> topologies = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (String alias : aliases.keySet()) {
            if (NOTHING_TO_DRAW.containsKey(alias)) {
                continue;
            }
            if (!traces.containsKey(alias)) {
                topologies.put(alias, topology(section(old, alias))); // not asked for: kept as it was
                continue;
            }
            try {
                String trace = traces.get(alias).join();
                if (keep != null) { // every diagram of the run, timelines included, for `just diagrams` to render
                    Files.writeString(keep.resolve(alias + ".md"), trace);
                }
                String topology = topology(trace);
                if (normalised(topology).isEmpty()) {
                    throw new IllegalStateException(alias + " drew no arrow: add it to NOTHING_TO_DRAW, with why");
                }
                topologies.put(alias, topology);
                System.out.println("traced " + alias);
            } catch (RuntimeException | IOException failed) {
                failures.add(failed.getMessage());
                if (section(old, alias) != null) {
                    topologies.put(alias, topology(section(old, alias)));
                }
            }
        }
        Files.createDirectories(galleryFile.getParent());
        Files.writeString(galleryFile, render(aliases, topologies));
        System.out.println("wrote " + ROOT.relativize(galleryFile));
        if (!failures.isEmpty()) {
            System.err.println(String.join("\n", failures));
            System.exit(1);
        }
    }
}
