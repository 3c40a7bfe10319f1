import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of Google.java: Google Search 1.0, 2.0, 2.1 and 3.0 and First, over fake searches of random latency.
 * Each try runs in a bubble, on virtual time: a search's latency is a sleep, so every elapsed time is exact (no
 * margins), and awaitBlocked() tells when the goroutines have settled, so what is left running can be counted.
 */
@PropertyDefaults(tries = 100)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class GoogleProperties {

    static final String QUERY = "golang";
    static final Duration TIMEOUT = Duration.ofMillis(80); // the talk's

    /** Runs the body in a bubble and returns its result; bounded in real time in case a goroutine spins. */
    static <T> T inBubble(Supplier<T> body) {
        return TestSupport.bounded(() -> {
            List<T> result = new ArrayList<>(1);
            bubble(() -> result.add(body.get()));
            return result.get(0);
        });
    }

    static Duration ms(int millis) {
        return Duration.ofMillis(millis);
    }

    /** A fake search that always takes this latency. */
    static Google.Search search(String kind, int latencyMillis) {
        return Google.fakeSearch(kind, () -> ms(latencyMillis));
    }

    static Google.Search[] replicas(String kind, List<Integer> latencies) {
        Google.Search[] replicas = new Google.Search[latencies.size()];
        for (int i = 0; i < replicas.length; i++) {
            replicas[i] = search(kind + (i + 1), latencies.get(i));
        }
        return replicas;
    }

    /** The kind a result comes from: "web", "image2", ... */
    static String kind(Google.Result result) {
        return result.text().substring(0, result.text().indexOf(" result for "));
    }

    /** The kind of search a replica is of: "web" for "web2". */
    static String kindOf(String replica) {
        return replica.replaceAll("\\d+$", "");
    }

    static List<String> kinds(List<Google.Result> results) {
        return results.stream().map(GoogleProperties::kind).toList();
    }

    /**
     * Once the slowest search has ended, nothing is left: no goroutine, blocked or not, and no timer. (Searches
     * that Google stopped waiting for are still sleeping when it returns: they cannot be stopped, a Search takes no
     * done channel. What matters is that they end.)
     */
    static void assertNothingLeftOnceTheSlowestHasEnded(Instant start, Duration slowest) {
        Duration rest = slowest.minus(since(start));
        if (rest.isPositive()) {
            sleep(rest);
        }
        awaitBlocked(); // a goroutine that has just sent its result may still be returning
        assertEquals(0, goroutines(), "goroutines left once the slowest search has ended");
        assertEquals(0, timers(), "timers left");
    }

    /** The goroutines still running when Google returned, once those that were ending have ended. */
    static int stillRunning() {
        awaitBlocked();
        return goroutines();
    }

    /** The talk's latencies, 0 to 99 ms, with the 2.1 timeout's own 80 ms often enough to meet ties. */
    @Provide
    Arbitrary<Integer> latency() {
        return Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.integers().between(0, 99)),
                Tuple.of(1, Arbitraries.just(80)));
    }

    /** 1 to 6 replicas, half of them from a few latencies, so that ties for the fastest are common. */
    @Provide
    Arbitrary<List<Integer>> replicaLatencies() {
        return replicaLatencies(1);
    }

    @Provide
    Arbitrary<List<Integer>> twoOrMoreReplicaLatencies() {
        return replicaLatencies(2);
    }

    Arbitrary<List<Integer>> replicaLatencies(int atLeast) {
        Arbitrary<Integer> few = Arbitraries.of(10, 40, 80, 95);
        return Arbitraries.oneOf(latency(), few).list().ofMinSize(atLeast).ofMaxSize(6);
    }

    // ---- Google Search 1.0 and 2.0 ---------------------------------------------------------------------------

    // 1.0 runs the searches one after the other: it takes exactly the sum of their latencies, and its results come
    // in the order it calls them.
    @Property
    void searchOneTakesTheSumOfTheLatencies(@ForAll("latency") int web, @ForAll("latency") int image,
                                            @ForAll("latency") int video) {
        inBubble(() -> {
            // given
            Instant start = now();
            // when
            List<Google.Result> results = Google.google10(QUERY,
                    search("web", web), search("image", image), search("video", video));
            // then
            assertEquals(ms(web + image + video), since(start), "1.0 takes the sum of " + web + ", " + image
                    + " and " + video + " ms");
            assertEquals(List.of("web", "image", "video"), kinds(results));
            assertEquals("web result for \"golang\"\n", results.get(0).text(), "the talk's text, newline included");
            assertEquals(0, stillRunning(), "1.0 starts no goroutine");
            return null;
        });
    }

    // 2.0 runs them at once: it takes exactly the slowest one's latency (not the sum), and gets all three results,
    // in the order the searches end.
    @Property
    void searchTwoTakesTheSlowestLatency(@ForAll("latency") int web, @ForAll("latency") int image,
                                         @ForAll("latency") int video) {
        Map<String, Integer> latencies = Map.of("web", web, "image", image, "video", video);
        int slowest = Collections.max(latencies.values());
        Statistics.label("speed-up over 1.0").collect(web + image + video == slowest ? "none" : "some");
        inBubble(() -> {
            // given
            Instant start = now();
            // when
            List<Google.Result> results = Google.google20(QUERY,
                    search("web", web), search("image", image), search("video", video));
            // then
            assertEquals(ms(slowest), since(start), "2.0 takes the max of " + latencies);
            assertEquals(List.of("image", "video", "web"), kinds(results).stream().sorted().toList(),
                    "all three results, once each");
            assertInLatencyOrder(kinds(results), latencies);
            assertEquals(0, stillRunning(), "every search has ended and sent its result");
            return null;
        });
    }

    /** Results come in the order their searches end: by latency (tied ones in either order). */
    static void assertInLatencyOrder(List<String> kinds, Map<String, Integer> latencies) {
        List<String> sorted = kinds.stream().sorted(Comparator.comparing(latencies::get)).toList();
        for (int i = 0; i < kinds.size(); i++) {
            assertEquals(latencies.get(sorted.get(i)), latencies.get(kinds.get(i)),
                    "results " + kinds + " not in the order their searches end, " + latencies);
        }
    }

    // ---- Google Search 2.1 -----------------------------------------------------------------------------------

    // 2.1 returns at the slowest latency or at the timeout, whichever is first, exactly; with exactly the results
    // that came in time (a search that ends at the very moment of the timeout may or may not make it: that is a
    // race in Go too). The late searches are still running when it returns, none blocked; then they end.
    @Property
    void searchTwoPointOneReturnsAtTheTimeoutWithTheResultsInTime(@ForAll("latency") int web,
                                                                  @ForAll("latency") int image,
                                                                  @ForAll("latency") int video) {
        Map<String, Integer> latencies = Map.of("web", web, "image", image, "video", video);
        int slowest = Collections.max(latencies.values());
        long inTime = latencies.values().stream().filter(l -> l < 80).count();
        long late = latencies.values().stream().filter(l -> l > 80).count();
        Statistics.label("results in time").collect(inTime);
        Statistics.label("a search ends at the timeout").collect(inTime + late < 3);
        inBubble(() -> {
            // given
            Instant start = now();
            // when
            List<Google.Result> results = Google.google21(QUERY, TIMEOUT,
                    search("web", web), search("image", image), search("video", video));
            // then
            Duration elapsed = since(start);
            assertEquals(ms(Math.min(slowest, 80)), elapsed, "2.1 returns at the max of " + latencies
                    + " or at the timeout, exactly");
            for (String kind : latencies.keySet()) {
                int latency = latencies.get(kind);
                if (latency < 80) {
                    assertTrue(kinds(results).contains(kind), kind + " came in time, after " + latency + " ms");
                } else if (latency > 80) {
                    assertFalse(kinds(results).contains(kind), kind + " came after the timeout, after " + latency);
                }
            }
            assertEquals(kinds(results).size(), kinds(results).stream().distinct().count(), "a result twice");
            assertInLatencyOrder(kinds(results), latencies);
            assertEquals(late, stillRunning(), "the late searches still running, and only they");
            assertNothingLeftOnceTheSlowestHasEnded(start, ms(slowest));
            return null;
        });
    }

    // ---- First -----------------------------------------------------------------------------------------------

    // First returns the fastest replica's answer, exactly when it comes. The slower replicas are still searching
    // then (a Search cannot be stopped); each ends at its own latency, and nothing is left blocked or running.
    @Property
    void firstReturnsTheFastestReplicasAnswerAndLeavesNothingRunning(
            @ForAll("replicaLatencies") List<Integer> latencies) {
        int fastest = Collections.min(latencies);
        long tied = latencies.stream().filter(l -> l == fastest).count();
        Statistics.label("replicas").collect(latencies.size());
        Statistics.label("fastest").collect(tied == 1 ? "one" : "a tie");
        inBubble(() -> {
            // given
            Instant start = now();
            // when
            Google.Result result = Google.first(QUERY, replicas("replica ", latencies));
            // then
            assertEquals(ms(fastest), since(start), "First returns at the fastest of " + latencies);
            int replica = Integer.parseInt(kind(result).substring("replica ".length()));
            assertEquals(fastest, latencies.get(replica - 1), "the answer of replica " + replica + " of " + latencies);
            assertEquals(latencies.size() - tied, stillRunning(), "the slower replicas still searching, none blocked");
            assertNothingLeftOnceTheSlowestHasEnded(start, ms(Collections.max(latencies)));
            return null;
        });
    }

    // The talk's First, as published in google2.3.go and google3.0.go: c is unbuffered.
    static Google.Result firstAsInTheTalk(String query, Google.Search... replicas) {
        Chan<Google.Result> c = make();                             // c := make(chan Result)
        for (Google.Search replica : replicas) {
            go(() -> c.send(replica.search(query)));
        }
        return c.receive();
    }

    // Why Google.first buffers its channel: the talk's First answers the same, but once every replica has ended its
    // search, each slower one is blocked for good on its send, nobody receiving: replicas - 1 goroutines leaked per
    // call. The bubble reports them as a deadlock when its function returns (a Go program would carry them until
    // it exits).
    @Property(tries = 30)
    void theTalksUnbufferedFirstLeaksEverySlowerReplica(@ForAll("twoOrMoreReplicaLatencies") List<Integer> latencies) {
        Deadlock leak = assertThrows(Deadlock.class, () -> inBubble(() -> {
            // given
            Instant start = now();
            // when
            firstAsInTheTalk(QUERY, replicas("replica ", latencies));
            // then: the same answer at the same moment...
            assertEquals(ms(Collections.min(latencies)), since(start), "First returns at the fastest of " + latencies);
            sleep(ms(Collections.max(latencies)).minus(since(start))); // ...but once every search has ended
            assertEquals(latencies.size() - 1, stillRunning(), "the slower replicas, blocked on their sends");
            return null;
        }));
        assertEquals(latencies.size() - 1, leak.blocked().size(), leak.getMessage());
        assertTrue(leak.blocked().stream().allMatch(b -> b.operation().equals("chan send")), leak.getMessage());
    }

    // ---- Google Search 3.0 -----------------------------------------------------------------------------------

    // 3.0 is 2.1 over First: each kind's result comes from its fastest replica, exactly when that one answers; it
    // returns when the slowest kind's fastest replica answers, or at the timeout; a kind is missing only when all
    // its replicas are late. Then every replica ends, and nothing is left.
    @Property
    void searchThreeTakesEachKindFromItsFastestReplica(@ForAll("replicaLatencies") List<Integer> web,
                                                       @ForAll("replicaLatencies") List<Integer> image,
                                                       @ForAll("replicaLatencies") List<Integer> video) {
        Map<String, List<Integer>> replicas = new TreeMap<>(Map.of("web", web, "image", image, "video", video));
        Map<String, Integer> fastest = new TreeMap<>();
        replicas.forEach((kind, latencies) -> fastest.put(kind, Collections.min(latencies)));
        int slowestKind = Collections.max(fastest.values());
        int slowestReplica = replicas.values().stream().mapToInt(Collections::max).max().orElseThrow();
        Statistics.label("kinds in time").collect(fastest.values().stream().filter(l -> l < 80).count());
        inBubble(() -> {
            // given
            Instant start = now();
            // when
            List<Google.Result> results = Google.google30(QUERY, TIMEOUT,
                    replicas("web", web), replicas("image", image), replicas("video", video));
            // then
            assertEquals(ms(Math.min(slowestKind, 80)), since(start), "3.0 returns when the slowest kind's fastest"
                    + " replica answers, or at the timeout: " + replicas);
            Map<String, Integer> answered = new TreeMap<>();
            for (Google.Result result : results) {
                String replica = kind(result);                      // "web2": kind web, replica 2
                String kind = kindOf(replica);
                int index = Integer.parseInt(replica.substring(kind.length())) - 1;
                assertEquals(fastest.get(kind), replicas.get(kind).get(index), replica + " is not a fastest "
                        + kind + " replica: " + replicas);
                assertNull(answered.put(kind, fastest.get(kind)), kind + " twice");
            }
            fastest.forEach((kind, latency) -> {
                if (latency < 80) {
                    assertTrue(answered.containsKey(kind), kind + " came in time: " + replicas);
                } else if (latency > 80) {
                    assertFalse(answered.containsKey(kind), kind + " came after the timeout: " + replicas);
                }
            });
            assertInLatencyOrder(kinds(results).stream().map(GoogleProperties::kindOf).toList(), fastest);
            assertNothingLeftOnceTheSlowestHasEnded(start, ms(slowestReplica));
            return null;
        });
    }

    // The talk's point, for any latencies: adding replicas to 2.1's searches never makes the page slower, and
    // never loses a result that 2.1 got.
    @Property
    void replicasNeverMakeThePageSlowerOrPoorer(@ForAll("latency") int web, @ForAll("latency") int image,
                                               @ForAll("latency") int video,
                                               @ForAll("replicaLatencies") List<Integer> extra) {
        Statistics.label("timed out without replicas").collect(Math.max(web, Math.max(image, video)) >= 80);
        inBubble(() -> {
            // given: the same searches, alone and with the same extra replicas each
            Instant start = now();
            List<String> alone = kinds(Google.google21(QUERY, TIMEOUT,
                    search("web1", web), search("image1", image), search("video1", video)));
            Duration aloneTook = since(start);
            sleep(ms(100).minus(since(start)));                     // every search of the first page has ended
            // when
            start = now();
            List<String> replicated = kinds(Google.google30(QUERY, TIMEOUT,
                    withExtra("web", web, extra), withExtra("image", image, extra), withExtra("video", video, extra)));
            Duration replicatedTook = since(start);
            sleep(ms(100).minus(since(start)));
            // then
            assertTrue(replicatedTook.compareTo(aloneTook) <= 0, "with replicas " + replicatedTook + ", alone "
                    + aloneTook);
            Map<String, Integer> latencies = Map.of("web", web, "image", image, "video", video);
            List<String> kindsReplicated = replicated.stream().map(GoogleProperties::kindOf).toList();
            for (String kind : alone.stream().map(GoogleProperties::kindOf).toList()) {
                // (one that ended at the very moment of the timeout made it alone, and may not again)
                assertTrue(latencies.get(kind) == 80 || kindsReplicated.contains(kind),
                        "alone " + alone + ", with replicas " + replicated);
            }
            return null;
        });
    }

    static Google.Search[] withExtra(String kind, int first, List<Integer> extra) {
        List<Integer> latencies = new ArrayList<>(List.of(first));
        latencies.addAll(extra);
        return replicas(kind, latencies);
    }
}
