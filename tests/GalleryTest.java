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
 * The gallery (docs/patterns.md) against what the scripts draw now: each alias (or each part of it, for those of
 * Gallery.PARTS) is run traced, with the gallery's options, and its topology must be the committed one, compared
 * normalised (nodes, arrows, labels; not counts). When this fails after a change to a script, look at the
 * difference and run `just diagrams`.
 */
class GalleryTest {

    static String gallery() throws IOException {
        return Files.readString(Gallery.ROOT.resolve("docs/patterns.md"));
    }

    @TestFactory
    Stream<DynamicTest> everyPatternStillDrawsWhatTheGalleryShows() throws IOException {
        String gallery = gallery();
        List<String> aliases = List.copyOf(Gallery.aliases().keySet());
        Map<String, CompletableFuture<String>> traces = Gallery.traceAll(Gallery.drawn(aliases)); // started now
        return aliases.stream().flatMap(alias -> Gallery.NOTHING_TO_DRAW.containsKey(alias)
                ? Stream.of(alias) : Gallery.drawings(alias).stream().map(Gallery.Drawing::key))
                .map(key -> dynamicTest(key, () -> {
                    String section = Gallery.section(gallery, key);
                    assertNotNull(section, "docs/patterns.md has no section for " + key + ": run `just diagrams`");
                    if (Gallery.NOTHING_TO_DRAW.containsKey(key)) {
                        assertTrue(section.contains("nothing to draw"), section);
                        return;
                    }
                    if (key.contains(": ")) { // a part: its alias's own section is there too, for the README's link
                        assertNotNull(Gallery.section(gallery, key.substring(0, key.indexOf(": "))), key);
                    }
                    Set<String> committed = Gallery.normalised(Gallery.topology(section));
                    assertNotEquals(Set.of(), committed, "the gallery's diagram of " + key + " has no arrow");
                    Set<String> now = Gallery.normalised(Gallery.topology(traces.get(key).join()));
                    assertEquals(String.join("\n", committed), String.join("\n", now),
                            key + " no longer draws what docs/patterns.md shows: run `just diagrams`");
                }));
    }
}
