import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import gochan.Script;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The options and output every script shares: durations read and printed the way Go does. */
class ScriptTest {

    @Test
    void parseDurationReadsGosNotation() {
        assertEquals(Duration.ofMillis(100), Script.parseDuration("100ms"));
        assertEquals(Duration.ofMillis(1500), Script.parseDuration("1.5s"));
        assertEquals(Duration.ofMinutes(90), Script.parseDuration("1h30m"));
        assertEquals(Duration.ofNanos(250_000), Script.parseDuration("250us"));
    }

    @Test
    void parseDurationRejectsWhatGoRejects() {
        assertNull(Script.parseDuration(""));
        assertNull(Script.parseDuration("5"));
        assertNull(Script.parseDuration("5 s"));
        assertNull(Script.parseDuration("1x"));
        assertNull(Script.parseDuration("10000000h")); // more than ~292 years: Go's "invalid duration"
        assertNull(Script.parseDuration("1500000h1500000h"));
    }

    @Test
    void durationStringPrintsLikeGo() {
        assertEquals("0s", Script.durationString(Duration.ZERO, Duration.ofMillis(1)));
        assertEquals("812ms", Script.durationString(Duration.ofNanos(812_400_000), Duration.ofMillis(1)));
        assertEquals("1.5s", Script.durationString(Duration.ofMillis(1500), Duration.ofMillis(1)));
        assertEquals("1m30s", Script.durationString(Duration.ofSeconds(90), Duration.ofMillis(1)));
        assertEquals("2h0m0s", Script.durationString(Duration.ofHours(2), Duration.ofMillis(1)));
        assertEquals("1.3s", Script.durationString(Duration.ofMillis(1349), Duration.ofMillis(100)));
    }
}
