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

    /**
     * Patterns whose run is several programs one after the other, drawn one diagram per part, each part run alone
     * (with its script's --section): alias -> part -> [what the part is, its options]. One picture of them all is a
     * crowd of crossing arrows.
     */
    static final Map<String, Map<String, List<String>>> PARTS = Map.of(
            "pike", parts(
                    "generatorboring", "Generator: function that returns a channel", "--section generatorboring",
                    "generator2boring", "Channels as a handle on a service", "--section generator2boring",
                    "faninboring", "Multiplexing (fan-in)", "--section faninboring",
                    "selectboring", "Fan-in using select", "--section selectboring",
                    "sequenceboring", "Restoring sequencing", "--section sequenceboring",
                    "timeout", "Timeout using select", "--section timeout",
                    "timeoutall", "Timeout for whole conversation using select", "--section timeoutall",
                    "quit", "Quit channel", "--section quit",
                    "rcvquit", "Receive on quit channel", "--section rcvquit",
                    "daisy", "Daisy-chain", "--section daisy --gophers 5"),
            "google", parts(
                    "1.0", "Web, Image and Video one after the other", "--section 1.0",
                    "2.0", "The three at once, waiting for all", "--section 2.0",
                    "2.1", "The three at once, waiting at most 80ms", "--section 2.1",
                    "first", "One search sent to 2 replicas, the first answer wins", "--section first",
                    "3.0", "Each search First over 2 replicas, waiting at most 80ms", "--section 3.0"));

    /** What the diagrams of an alias of PARTS need said, after its heading. */
    static final Map<String, String> NOTES = Map.of(
            "google", " Each version runs twice, so its counts are twice what the talk's code starts: once on "
                    + "searches that take no time (a warm-up, not timed), then timed.");

    /** name, what it is, its options (space-separated), ... -> an ordered map name -> [what it is, options...]. */
    private static Map<String, List<String>> parts(String... triples) {
        Map<String, List<String>> parts = new LinkedHashMap<>();
        for (int i = 0; i < triples.length; i += 3) {
            List<String> value = new ArrayList<>(List.of(triples[i + 1]));
            value.addAll(List.of(triples[i + 2].split(" ")));
            parts.put(triples[i], List.copyOf(value));
        }
        return parts;
    }

    /**
     * One diagram of the gallery: an alias's run (part null) or one part of it. Its key, "pike" or "pike: daisy", is
     * its heading in docs/patterns.md ("## pike", "### pike: daisy") and its name in NOTHING_TO_DRAW and the tests.
     */
    record Drawing(String alias, String part) {
        String key() {
            return part == null ? alias : alias + ": " + part;
        }

        String fileName() {
            return (part == null ? alias : alias + "-" + part) + ".md";
        }

        List<String> options() {
            return part == null ? OPTIONS.getOrDefault(alias, List.of())
                    : PARTS.get(alias).get(part).subList(1, PARTS.get(alias).get(part).size());
        }

        String what() {
            return part == null ? null : PARTS.get(alias).get(part).get(0);
        }
    }

    /** The diagrams of an alias: one per part, or one of the whole run. */
    static List<Drawing> drawings(String alias) {
        return PARTS.containsKey(alias) ? PARTS.get(alias).keySet().stream().map(part -> new Drawing(alias, part))
                .toList() : List.of(new Drawing(alias, null));
    }

    /** Why an alias draws nothing; an alias whose run draws no arrow and is not here fails the test. */
    static final Map<String, String> NOTHING_TO_DRAW = Map.of(
            "context-java", "it uses Java 25's StructuredTaskScope and ScopedValue, not the helper's channels.",
            "deadlock", "its five mistakes run apart from each other, and each ends in a deadlock report.",
            "errorprop", "it is about error values crossing layers, and starts no goroutine.",
            "google: 1.0", "it starts no goroutine (main calls each search in turn).");

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
    static List<String> command(Drawing drawing, Path traceFile) {
        List<String> command = new ArrayList<>(List.of("env", "GOCHAN_TIME=virtual", "GOCHAN_TRACE=" + traceFile,
                "./jbang", drawing.alias() + "@catalog"));
        command.addAll(drawing.options());
        return command;
    }

    /** Runs the alias traced, with the gallery's options, and returns the Markdown it wrote. */
    static String trace(String alias) throws IOException, InterruptedException {
        return trace(new Drawing(alias, null));
    }

    /** Runs the drawing's command traced, and returns the Markdown it wrote. */
    static String trace(Drawing drawing) throws IOException, InterruptedException {
        String alias = drawing.key();
        Path file = Files.createTempFile("trace-" + drawing.fileName().replace(".md", ""), ".md");
        Path log = Files.createTempFile("trace-" + drawing.fileName().replace(".md", ""), ".log");
        try {
            Process process = new ProcessBuilder(command(drawing, file)).directory(ROOT.toFile())
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

    /**
     * The gallery's section of an alias ("## pike": everything to the next "## ", its parts included) or of a part
     * ("### pike: daisy", a drawing's key: everything to the next heading).
     */
    static String section(String gallery, String key) {
        Matcher m = Pattern.compile(key.contains(": ")
                ? "(?ms)^### " + Pattern.quote(key) + "\n(.*?)(?=^##|\\z)"
                : "(?ms)^## " + Pattern.quote(key) + "\n(.*?)(?=^## |\\z)").matcher(gallery);
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
                events and the counts (see "Seeing it" in the README). A script whose run is several programs one
                after the other (pike, google) is drawn one program at a time, each run alone with `--section`.

                Written by `just diagrams`, which also checks that Mermaid renders each one; the tests
                (`GalleryTest`) fail when a script no longer draws what is shown here.
                """);
        aliases.forEach((alias, script) -> {
            md.append("\n## ").append(alias).append("\n\n");
            md.append("[").append(Path.of(script).getFileName()).append("](../").append(script).append(")");
            if (NOTHING_TO_DRAW.containsKey(alias)) {
                md.append(": nothing to draw: ").append(NOTHING_TO_DRAW.get(alias)).append("\n");
                return;
            }
            if (!PARTS.containsKey(alias)) {
                diagram(md, new Drawing(alias, null), topologies);
                return;
            }
            md.append(": one diagram per part of its run, each part run alone.").append(NOTES.getOrDefault(alias, ""))
                    .append("\n");
            for (Drawing drawing : drawings(alias)) {
                md.append("\n### ").append(drawing.key()).append("\n\n*").append(drawing.what()).append("*");
                diagram(md, drawing, topologies);
            }
        });
        return md.toString();
    }

    /** "traced with `command`" and the diagram, or why there is none. */
    private static void diagram(StringBuilder md, Drawing drawing, Map<String, String> topologies) {
        String topology = topologies.get(drawing.key());
        if (NOTHING_TO_DRAW.containsKey(drawing.key())) {
            md.append(": nothing to draw: ").append(NOTHING_TO_DRAW.get(drawing.key())).append("\n");
            return;
        }
        if (topology == null || topology.isEmpty()) {
            md.append(": not drawn yet: its traced run failed (see `just diagrams`).\n");
            return;
        }
        List<String> command = command(drawing, Path.of(drawing.fileName()));
        md.append(", traced with `").append(String.join(" ", command.subList(1, command.size())))
                .append("`\n\n```mermaid\n").append(topology).append("```\n");
    }

    /** The diagrams to trace: every alias's, but those of NOTHING_TO_DRAW. */
    static List<Drawing> drawn(List<String> aliases) {
        return aliases.stream().filter(alias -> !NOTHING_TO_DRAW.containsKey(alias))
                .flatMap(alias -> drawings(alias).stream())
                .filter(drawing -> !NOTHING_TO_DRAW.containsKey(drawing.key())).toList();
    }

    /**
     * Starts a traced run of each alias, a few at a time: each run spends most of its time waiting (for ./jbang's
     * lock, for a script's real-time pauses), so they overlap well.
     */
    static Map<String, CompletableFuture<String>> traceAll(List<Drawing> drawings) {
        ExecutorService runs = Executors.newFixedThreadPool(4, task -> {
            Thread thread = new Thread(task, "gallery-run");
            thread.setDaemon(true);
            return thread;
        });
        Map<String, CompletableFuture<String>> traces = new LinkedHashMap<>();
        for (Drawing drawing : drawings) {
            traces.put(drawing.key(), CompletableFuture.supplyAsync(() -> {
                try {
                    return trace(drawing);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(drawing.key() + ": " + e, e);
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
        List<Drawing> all = drawn(List.copyOf(aliases.keySet()));
        List<Drawing> wanted = all.stream().filter(drawing -> args.length == 0
                || List.of(args).contains(drawing.alias()) || section(old, drawing.key()) == null).toList();
        Map<String, CompletableFuture<String>> traces = traceAll(wanted);
        String keepIn = System.getenv("GALLERY_TRACES");
        Path keep = keepIn == null || keepIn.isBlank() ? null : Files.createDirectories(Path.of(keepIn));
        Map<String, String> topologies = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (Drawing drawing : all) {
            String key = drawing.key();
            if (!traces.containsKey(key)) {
                topologies.put(key, topology(section(old, key))); // not asked for: kept as it was
                continue;
            }
            try {
                String trace = traces.get(key).join();
                if (keep != null) { // every diagram of the run, timelines included, for `just diagrams` to render
                    Files.writeString(keep.resolve(drawing.fileName()), trace);
                }
                String topology = topology(trace);
                if (normalised(topology).isEmpty()) {
                    throw new IllegalStateException(key + " drew no arrow: add it to NOTHING_TO_DRAW, with why");
                }
                topologies.put(key, topology);
                System.out.println("traced " + key);
            } catch (RuntimeException | IOException failed) {
                failures.add(failed.getMessage());
                if (section(old, key) != null) {
                    topologies.put(key, topology(section(old, key)));
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
