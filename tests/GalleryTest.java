import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The gallery (docs/patterns.md) against what the scripts draw now: each alias is run traced, with the gallery's
 * options, and its topology must be the committed one, compared normalised (nodes, arrows, labels; not counts).
 * When this fails after a change to a script, look at the difference and run `just diagrams`.
 */
class GalleryTest {

    static String gallery() throws IOException {
        return Files.readString(Gallery.ROOT.resolve("docs/patterns.md"));
    }

    @TestFactory
    Stream<DynamicTest> everyPatternStillDrawsWhatTheGalleryShows() throws IOException {
        String gallery = gallery();
        List<String> drawn = Gallery.aliases().keySet().stream()
                .filter(alias -> !Gallery.NOTHING_TO_DRAW.containsKey(alias)).toList();
        Map<String, CompletableFuture<String>> traces = Gallery.traceAll(drawn); // started now, a few at a time
        return Gallery.aliases().keySet().stream().map(alias -> dynamicTest(alias, () -> {
            String section = Gallery.section(gallery, alias);
            assertNotNull(section, "docs/patterns.md has no section for " + alias + ": run `just diagrams`");
            if (Gallery.NOTHING_TO_DRAW.containsKey(alias)) {
                assertTrue(section.contains("nothing to draw"), section);
                return;
            }
            Set<String> committed = Gallery.normalised(Gallery.topology(section));
            assertNotEquals(Set.of(), committed, "the gallery's diagram of " + alias + " has no arrow");
            Set<String> now = Gallery.normalised(Gallery.topology(traces.get(alias).join()));
            assertEquals(String.join("\n", committed), String.join("\n", now),
                    alias + " no longer draws what docs/patterns.md shows: run `just diagrams`");
        }));
    }
}
