import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The tracer (Go.Trace, drawn by Script.Diagrams) on a real run, and the gallery's normalised comparison itself:
 * fan-in must draw its generator, its finders fanned out and its fan-in; the normalised topology must ignore ids
 * and counts and see any changed arrow.
 */
class TracingTest {

    /** The issue's picture of fan-in: the generator, the finders fanned out, and the fan-in; nothing else. */
    @Test
    void faninDrawsTheGeneratorTheFindersFannedOutAndTheFanIn() throws Exception {
        Set<String> drawn = Gallery.normalised(Gallery.topology(Gallery.trace("fanin")));
        Set<String> arrows = new TreeSet<>(drawn);
        arrows.removeIf(line -> line.startsWith("node "));
        assertEquals(Set.of(
                "repeatFn --valueStream--> primeFinder",
                "primeFinder --primeStream--> multiplex",
                "multiplex --multiplexedStream--> take",
                "take --takeStream--> main",
                "fanIn -.close(multiplexedStream).-> take",
                "main -.close.-> done<br>heard by multiplex, primeFinder, repeatFn, take"), arrows,
                String.join("\n", drawn));
    }

    @Test
    void theNormalisedTopologyIgnoresIdsAndCountsButNotArrows() {
        String a = """
                flowchart LR
                    g1("primeFinder \u00d72")
                    g2(["main"])
                    g1 -->|"primeStream"| g2
                    d1{{"done<br>heard by primeFinder"}}
                    g2 -. close .-> d1
                """;
        String sameWithOtherIdsAndCounts = """
                flowchart LR
                    g7(["main"])
                    g3("primeFinder \u00d75")
                    g3 -->|"primeStream"| g7
                    d2{{"done<br>heard by primeFinder"}}
                    g7 -. close .-> d2
                """;
        assertEquals(Gallery.normalised(a), Gallery.normalised(sameWithOtherIdsAndCounts));
        assertEquals(Set.of("node primeFinder", "node main", "node done<br>heard by primeFinder",
                "primeFinder --primeStream--> main", "main -.close.-> done<br>heard by primeFinder"),
                Gallery.normalised(a));
        assertNotEquals(Gallery.normalised(a), Gallery.normalised(a.replace("g1 -->", "g2 -->")));
        assertNotEquals(Gallery.normalised(a), Gallery.normalised(a.replace("\"primeStream\"", "\"intStream\"")));
        assertEquals(Set.of(), Gallery.normalised("flowchart LR\n    g1(\"loner\")\n"));
    }

    @Test
    void theReadmeLinksEveryDrawnPatternToItsDiagram() throws IOException {
        String readme = Files.readString(Gallery.ROOT.resolve("README.md"));
        for (String alias : Gallery.aliases().keySet()) {
            if (!Gallery.NOTHING_TO_DRAW.containsKey(alias)) {
                assertTrue(readme.contains("(docs/patterns.md#" + alias + ")"),
                        "README.md's row for " + alias + " does not link docs/patterns.md#" + alias);
            }
        }
    }
}
