import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/** Properties of fan-out, fan-in (FanIn.java): fanIn loses and invents nothing, done stops it all, primes are primes. */
@PropertyDefaults(tries = 100)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class FanInProperties {

    // An independent check, deliberately not FanIn.isPrime.
    static boolean reallyPrime(int n) {
        return n >= 2 && BigInteger.valueOf(n).isProbablePrime(50);
    }

    @Provide
    Arbitrary<List<List<Integer>>> inputs() {
        return Arbitraries.integers().between(0, 50).list().ofMaxSize(30).list().ofMaxSize(8);
    }

    // fanIn yields exactly the values of all its inputs together, as a multiset (nothing lost, nothing doubled, nothing
    // invented), and each input's values in that input's order: one goroutine forwards each input, one value at a time.
    // Values repeat across and within inputs, so the values are tagged with their input to check the order.
    @Property
    void fanInYieldsTheUnionOfItsInputsKeepingEachInputsOrder(@ForAll("inputs") List<List<Integer>> inputs) {
        Statistics.collect(inputs.size() + " inputs");
        int streams = inputs.size();
        List<Integer> merged = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                List<ReceiveOnly<Integer>> channels = new ArrayList<>();
                for (int s = 0; s < streams; s++) {
                    int tag = s;
                    channels.add(Pipeline.generator(done,
                            inputs.get(s).stream().mapToInt(v -> v * streams + tag).toArray()));
                }
                return TestSupport.drain(FanIn.fanIn(done, channels));
            } finally {
                done.close();
            }
        });
        List<Integer> all = new ArrayList<>();
        inputs.forEach(all::addAll);
        assertEquals(all.stream().sorted().toList(),
                merged.stream().map(v -> Math.floorDiv(v, streams)).sorted().toList(), "the multiset of values");
        for (int s = 0; s < streams; s++) {
            int tag = s;
            List<Integer> fromS = merged.stream().filter(v -> Math.floorMod(v, streams) == tag)
                    .map(v -> Math.floorDiv(v, streams)).toList();
            assertEquals(inputs.get(s), fromS, "the order of input " + s);
        }
    }

    @Example
    void fanInOfNoStreamsClosesAtOnce() {
        List<Integer> merged = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                return TestSupport.drain(FanIn.fanIn(done, List.<ReceiveOnly<Integer>>of()));
            } finally {
                done.close();
            }
        });
        assertEquals(List.of(), merged);
    }

    // The fan-in pipeline of FanIn.search, repeatFn -> primeFinder x finders -> fanIn -> take: closing done at a random
    // moment stops every stage at once, and no goroutine is left running. It runs in a bubble: once done is closed,
    // awaitBlocked() waits until every goroutine has ended or is blocked for good, and then none may be left and no
    // virtual time may have passed (a stage that polled done with a sleep would take some). The moment is either
    // after the consumer took a random number of primes (and stopped reading), or, while a consumer goroutine keeps
    // reading, once it has received a random number of them; the numbers are kept small so that the finders find
    // primes often.
    @Property(tries = 60)
    void closingDoneAtARandomMomentStopsEveryStage(
            @ForAll @IntRange(min = 1, max = 6) int finders,
            @ForAll @IntRange(min = 0, max = 30) int consumed,
            @ForAll boolean consumerKeepsReading,
            @ForAll long seed) {
        Statistics.collect(consumerKeepsReading ? "a consumer keeps reading" : "the consumer stops reading");
        Deadlock deadlock = TestSupport.verdict(() -> {
            Chan<Void> done = make();
            Random random = new Random(seed);
            ReceiveOnly<Integer> randIntStream = Pipeline.repeatFn(done, () -> random.nextInt(10_000));
            List<ReceiveOnly<Integer>> primeFinders = new ArrayList<>();
            for (int i = 0; i < finders; i++) {
                primeFinders.add(FanIn.primeFinder(done, randIntStream));
            }
            ReceiveOnly<Integer> primes = Pipeline.take(done, FanIn.fanIn(done, primeFinders), 1_000_000);
            if (consumerKeepsReading) {
                Chan<Void> haveConsumed = make();
                if (consumed == 0) {
                    haveConsumed.close();
                }
                go(() -> {
                    int received = 0;
                    for (int p : primes) {
                        if (++received == consumed) {
                            haveConsumed.close();
                        }
                    }
                });
                receive(haveConsumed);
            } else {
                for (int i = 0; i < consumed; i++) {
                    assertTrue(primes.receiveOk().ok(), "the stream closed before done did");
                }
            }
            Instant closedAt = now();
            done.close();
            awaitBlocked();
            assertEquals(0, goroutines(), "goroutines left after done closed");
            assertEquals(closedAt, now(), "time passed after done closed");
        });
        assertNull(deadlock, () -> "blocked for good: " + deadlock.getMessage());
    }

    // Every number that primeFinder passes on is prime, and it passes on every prime it receives, in order: the
    // stream of primes equals the input filtered by an independent primality test.
    @Property
    void primeFinderPassesOnExactlyThePrimesInOrder(
            @ForAll @Size(max = 40) List<@IntRange(min = -100, max = 20_000) Integer> integers) {
        List<Integer> primes = TestSupport.bounded(() -> {
            Chan<Void> done = make();
            try {
                return TestSupport.drain(FanIn.primeFinder(done,
                        Pipeline.generator(done, integers.stream().mapToInt(Integer::intValue).toArray())));
            } finally {
                done.close();
            }
        });
        Statistics.collect(primes.isEmpty() ? "no prime" : "some primes");
        assertEquals(integers.stream().filter(FanInProperties::reallyPrime).toList(), primes);
    }

    // FanIn.isPrime agrees with an independent test.
    @Property(tries = 1000)
    void isPrimeAgreesWithAnIndependentTest(@ForAll("candidates") int n) {
        Statistics.collect(n < 2 ? "below 2" : reallyPrime(n) ? "prime" : "composite");
        assertEquals(reallyPrime(n), FanIn.isPrime(n), "isPrime(" + n + ")");
    }

    @Provide
    Arbitrary<Integer> candidates() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.integers().between(Integer.MIN_VALUE, -1)),
                Tuple.of(3, Arbitraries.integers().between(-2, 1_000)),
                Tuple.of(3, Arbitraries.integers().between(1_000, 200_000)));
    }

    @Example
    void cornersOfIsPrime() {
        assertEquals(false, FanIn.isPrime(0), "0");
        assertEquals(false, FanIn.isPrime(1), "1");
        assertEquals(true, FanIn.isPrime(2), "2");
        assertEquals(true, FanIn.isPrime(3), "3");
        assertEquals(false, FanIn.isPrime(4), "4");
        assertEquals(false, FanIn.isPrime(-1), "-1");
        assertEquals(false, FanIn.isPrime(-2), "-2");
        assertEquals(false, FanIn.isPrime(-7), "-7");
        assertEquals(false, FanIn.isPrime(Integer.MIN_VALUE), "MIN_VALUE");
        assertEquals(false, FanIn.isPrime(7919 * 7919), "a square of a prime");
        assertEquals(true, FanIn.isPrime(1_000_003), "1000003");
    }
}
