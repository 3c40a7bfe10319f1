import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of Errors.checkStatus (errors travel to the consumer as values) and of the first checkStatus, against a
 * real HTTP server on the loopback interface that records every request it gets. Good URLs are paths on that
 * server (the body echoes the path, so a response can be matched to its URL); bad URLs either name a host under
 * .invalid (reserved, never resolves; fails within milliseconds offline) or have no scheme at all.
 */
@PropertyDefaults(tries = 40)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class ErrorsProperties {

    enum Kind { GOOD, UNRESOLVABLE, NO_SCHEME }

    static HttpServer server;
    static HttpClient client;
    /** The path of every request the server got, in arrival order. */
    static final ConcurrentLinkedQueue<String> requested = new ConcurrentLinkedQueue<>();
    /** Each try uses its own path prefix, so that requests of different tries cannot be confused. */
    static final AtomicInteger tries = new AtomicInteger();

    @BeforeContainer
    static void startServerAndClient() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requested.add(path);
            byte[] body = path.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        // Only a guard against a hang: the server runs in this JVM, so a connection takes a millisecond unless the
        // machine stalls, and a 2 s stall (tests/chaos) must not pass for a failed connection.
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterContainer
    static void stopServerAndClient() {
        client.close();
        server.stop(0);
    }

    @Provide
    Arbitrary<List<Kind>> urlKinds() {
        return Arbitraries.of(Kind.class).list().ofMaxSize(8);
    }

    /** The URLs for the kinds; good ones are /try<N>/<index> on the server. */
    static String[] urls(String prefix, List<Kind> kinds) {
        String[] urls = new String[kinds.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = switch (kinds.get(i)) {
                case GOOD -> "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort()
                        + prefix + i;
                case UNRESOLVABLE -> "http://bad" + i + ".invalid/";
                case NO_SCHEME -> "bad" + i;
            };
        }
        return urls;
    }

    static String newPrefix() {
        return "/try" + tries.incrementAndGet() + "/";
    }

    /** The URL indexes the server was asked for with this prefix, in arrival order. */
    static List<Integer> requestedIndexes(String prefix) {
        return requested.stream().filter(p -> p.startsWith(prefix))
                .map(p -> Integer.parseInt(p.substring(prefix.length()))).toList();
    }

    static List<Integer> indexesOf(List<Kind> kinds, Kind kind) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            if (kinds.get(i) == kind) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    @Property
    void everyGoodUrlYieldsAResponseAndEveryBadOneAnErrorInOrder(@ForAll("urlKinds") List<Kind> kinds) {
        String prefix = newPrefix();
        String[] urls = urls(prefix, kinds);
        List<Errors.Result> results = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                List<Errors.Result> all = new ArrayList<>();
                for (Errors.Result result : Errors.checkStatus(done, client, urls)) {
                    all.add(result);
                }
                return all;
            } finally {
                done.close();
            }
        });

        assertEquals(kinds.size(), results.size(), "one result per URL");
        for (int i = 0; i < kinds.size(); i++) {
            Errors.Result result = results.get(i);
            if (kinds.get(i) == Kind.GOOD) {
                assertNull(result.error(), "result " + i);
                assertEquals(200, result.response().statusCode());
                assertEquals(prefix + i, result.response().body(), "result " + i + " answers URL " + i);
            } else {
                assertNull(result.response(), "result " + i);
                assertInstanceOf(Errors.GetError.class, result.error());
                assertTrue(result.error().getMessage().startsWith("Get \"" + urls[i] + "\": "),
                        result.error().getMessage());
            }
        }
        assertEquals(indexesOf(kinds, Kind.GOOD), requestedIndexes(prefix), "each good URL requested once, in order");
        Statistics.label("good URLs").collect(indexesOf(kinds, Kind.GOOD).size());
    }

    /**
     * The book's last consumer: it reads until it has seen {@code limit} errors, then stops and closes done. The
     * producer must then stop too: it may already be working on the next URL (one request in flight), but never
     * the one after, and it must end.
     */
    @Property
    void theConsumersErrorLimitStopsTheProducer(@ForAll("urlKinds") List<Kind> kinds,
            @ForAll @IntRange(min = 1, max = 4) int limit) {
        String prefix = newPrefix();
        String[] urls = urls(prefix, kinds);
        int baseline = goroutines();
        int[] stop = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            int consumed = 0;
            int errCount = 0;
            int requestsWhenStopped = -1;
            try {
                for (Errors.Result result : Errors.checkStatus(done, client, urls)) {
                    consumed++;
                    if (result.error() != null && ++errCount >= limit) {
                        requestsWhenStopped = requestedIndexes(prefix).size();
                        break;
                    }
                }
            } finally {
                done.close();
            }
            awaitGoroutines(baseline, LEAK_BOUND);      // the producer must end by itself
            return new int[] {consumed, requestsWhenStopped};
        });
        int consumed = stop[0];
        int requestsWhenStopped = stop[1];
        List<Integer> requestedAfterwards = requestedIndexes(prefix);

        if (requestsWhenStopped < 0) {                             // never hit the limit: read everything
            assertEquals(kinds.size(), consumed);
            assertEquals(indexesOf(kinds, Kind.GOOD), requestedAfterwards);
            Statistics.label("consumer").collect("read everything");
            return;
        }
        Statistics.label("consumer").collect(consumed < kinds.size() ? "stopped early" : "stopped at the last URL");
        // The consumer took results 0..consumed-1; the producer may have started on URL `consumed`, no further.
        for (int index : requestedAfterwards) {
            assertTrue(index <= consumed, "URL " + index + " was requested after the consumer stopped at result "
                    + (consumed - 1) + "; requests: " + requestedAfterwards);
        }
        assertTrue(requestedAfterwards.size() - requestsWhenStopped <= 1,
                "at most one request in flight when the consumer stopped; requests: " + requestedAfterwards);
    }

    @Example
    void theBooksUrlsStopBeforeTheLastGoodUrl() {
        // "a", good, "b", "c", "d" as in the book, plus a good URL after "d" that must never be requested.
        List<Kind> kinds = List.of(Kind.NO_SCHEME, Kind.GOOD, Kind.NO_SCHEME, Kind.NO_SCHEME, Kind.UNRESOLVABLE,
                Kind.GOOD);
        theConsumersErrorLimitStopsTheProducer(kinds, 3);
        assertEquals(List.of(1), requestedIndexes("/try" + tries.get() + "/"));
    }

    /** The first checkStatus, cancelled after the consumer has read a random number of responses. */
    @Property
    void theFirstCheckStatusStopsWhenDoneCloses(@ForAll @IntRange(min = 0, max = 6) int urlCount,
            @ForAll @IntRange(min = 0, max = 6) int reads) {
        int toRead = Math.min(reads, urlCount);
        String prefix = newPrefix();
        String[] urls = urls(prefix, java.util.Collections.nCopies(urlCount, Kind.GOOD));
        int baseline = goroutines();
        List<HttpResponse<String>> got = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            ReceiveOnly<HttpResponse<String>> responses = Errors.checkStatusPrintingErrors(done, client, urls);
            List<HttpResponse<String>> read = new ArrayList<>();
            for (int i = 0; i < toRead; i++) {
                read.add(responses.receive());
            }
            done.close();
            awaitGoroutines(baseline, LEAK_BOUND);
            return read;
        });
        for (int i = 0; i < toRead; i++) {
            assertNotNull(got.get(i));
            assertEquals(prefix + i, got.get(i).body());
        }
        for (int index : requestedIndexes(prefix)) {
            assertTrue(index <= toRead, "URL " + index + " requested after the consumer stopped reading");
        }
    }
}
