import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/** Properties of the two for-select shapes in ForSelect.java: both stop promptly once done closes, leaving nothing. */
@PropertyDefaults(tries = 40)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class ForSelectProperties {

    /** Generous: "promptly" means the stage noticed done, not that the machine was fast. */
    static final Duration PROMPTLY = Duration.ofSeconds(2);

    @Property
    void sendValuesSendsEveryValueInOrderThenCloses(@ForAll @Size(max = 10) List<String> values) {
        List<String> got = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                List<String> all = new ArrayList<>();
                for (String s : ForSelect.sendValues(done, values)) {
                    all.add(s);
                }
                return all;
            } finally {
                done.close();
            }
        });
        assertEquals(values, got);
    }

    /**
     * The consumer reads a prefix, closes done, then either stops reading or reads on until the stream closes. In
     * both cases the stage ends; a reader that goes on may get a few more values (select picks at random between
     * done and a send that is also ready), but always the next ones, in order.
     */
    @Property
    void sendValuesStopsWhenDoneCloses(@ForAll @Size(max = 10) List<String> values,
            @ForAll @IntRange(min = 0, max = 10) int reads, @ForAll boolean readOnAfterDone) {
        int toRead = Math.min(reads, values.size());
        int baseline = goroutines();
        List<String> got = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            ReceiveOnly<String> stream = ForSelect.sendValues(done, values);
            List<String> read = new ArrayList<>();
            for (int i = 0; i < toRead; i++) {
                read.add(stream.receive());
            }
            done.close();
            if (readOnAfterDone) {
                for (String late : stream) {
                    read.add(late);
                }
            }
            awaitGoroutines(baseline, PROMPTLY);
            return read;
        });
        assertEquals(values.subList(0, got.size()), got, "a prefix of the values, in order");
        assertTrue(got.size() >= toRead);
        if (!readOnAfterDone) {
            assertEquals(toRead, got.size());
        }
        Statistics.label("stopped").collect(toRead == values.size() ? "after the last value" : "early");
        Statistics.label("late values").collect(got.size() - toRead);
    }

    @Property(tries = 20)
    void workUntilDoneWorksUntilDoneClosesThenStopsPromptly(@ForAll @IntRange(min = 0, max = 50) int closeAfterMillis) {
        int baseline = goroutines();
        TestSupport.bounded(() -> {
            Chan<Void> done = make();
            ReceiveOnly<Long> unitsDone = ForSelect.workUntilDone(done);
            sleep(Duration.ofMillis(closeAfterMillis));
            assertEquals(1, select(onReceive(unitsDone), onDefault()).index(), "it stopped before done closed");
            assertEquals(baseline + 1, goroutines(), "the worker is running");
            done.close();
            long closedAt = System.nanoTime();
            long units = unitsDone.receive();
            assertTrue(Duration.ofNanos(System.nanoTime() - closedAt).compareTo(PROMPTLY) < 0,
                    "the worker took more than " + PROMPTLY + " to notice done");
            assertTrue(units >= 0);
            assertFalse(unitsDone.receiveOk().ok(), "it closes its result channel after the count");
            awaitGoroutines(baseline, PROMPTLY);
            return null;
        });
    }
}
