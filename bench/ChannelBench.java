///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Benchmarks: the gochan helper against Jox and the JDK's queues, on virtual threads, in one run; prints one table and one ratio line per workload.
//JAVA 21+
//DEPS org.openjdk.jmh:jmh-core:1.37
//DEPS org.openjdk.jmh:jmh-generator-annprocess:1.37
//DEPS com.softwaremill.jox:channels:1.0.1
//DEPS info.picocli:picocli:4.7.7
//JAVAC_OPTIONS -proc:full
//SOURCES ../scripts/gochan/Go.java
//SOURCES ../scripts/gochan/Script.java
//SOURCES ../scripts/Pipeline.java
//SOURCES ../scripts/FanIn.java
//SOURCES FanInBench.java
//SOURCES Measure.java

package bench;

import static gochan.Go.*;

import com.softwaremill.jox.Channel;
import com.softwaremill.jox.Select;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

// The warm half of the suite: workloads 1 to 5, each written three times, with the helper (gochan.Go), with Jox
// (com.softwaremill.jox) and with the JDK's queues (SynchronousQueue for unbuffered, ArrayBlockingQueue for
// buffered; the JDK has no select). Every goroutine is a virtual thread: Go.go for the helper, Thread.ofVirtual
// for the others. One benchmark invocation starts the goroutines, runs many operations and joins them, so the
// thread start-up is spread over thousands of operations and the score is the time of one operation.
//
// Run it with `just bench [quick|full|smoke] [workload...]` (or `./jbang bench/ChannelBench.java ...` from the
// repository root): main, in Measure.java, runs workloads 1-5 with the three implementations taking turns inside
// each JVM (Measure.Run.turns says why not JMH fork by fork), then the whole-program measurements (fresh processes,
// fan-in, start-up), and prints the table. The methods stay JMH benchmarks, so JMH can also run any of them on its
// own.
//
// JAVAC_OPTIONS -proc:full: since JDK 23, javac runs an annotation processor found on the class path only when asked
// to, and without JMH's generator (jmh-generator-annprocess) there is no benchmark to run.
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChannelBench {

    static final Integer BALL = 1; // a cached Integer: sending it allocates nothing, in every implementation

    static final int ROUND_TRIPS = 10_000;
    static final int ITEMS = 100_000;
    static final int CAPACITY = 128;
    static final int DAISY_GOROUTINES = 100_000;

    // ---- 1. Ping-pong on unbuffered channels: one round trip is two hand-offs -------------------------------

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPongHelper() {
        Chan<Integer> ping = make();
        Chan<Integer> pong = make();
        join(go(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                ping.send(BALL);
                pong.receive();
            }
        }), go(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                pong.send(ping.receive());
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPongJox() {
        Channel<Integer> ping = Channel.newRendezvousChannel();
        Channel<Integer> pong = Channel.newRendezvousChannel();
        join(virtual(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                ping.send(BALL);
                pong.receive();
            }
        }), virtual(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                pong.send(ping.receive());
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void pingPongJdk() {
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        join(virtual(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                ping.put(BALL);
                pong.take();
            }
        }), virtual(() -> {
            for (int i = 0; i < ROUND_TRIPS; i++) {
                pong.put(ping.take());
            }
        }));
    }

    // ---- 2. A buffered channel (capacity 128), one producer and one consumer: time per item -----------------

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void bufferedHelper() {
        Chan<Integer> ch = make(CAPACITY);
        join(go(() -> {
            for (int i = 0; i < ITEMS; i++) {
                ch.send(BALL);
            }
        }), go(() -> {
            for (int i = 0; i < ITEMS; i++) {
                ch.receive();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void bufferedJox() {
        Channel<Integer> ch = Channel.newBufferedChannel(CAPACITY);
        join(virtual(() -> {
            for (int i = 0; i < ITEMS; i++) {
                ch.send(BALL);
            }
        }), virtual(() -> {
            for (int i = 0; i < ITEMS; i++) {
                ch.receive();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void bufferedJdk() {
        BlockingQueue<Integer> ch = new ArrayBlockingQueue<>(CAPACITY);
        join(virtual(() -> {
            for (int i = 0; i < ITEMS; i++) {
                ch.put(BALL);
            }
        }), virtual(() -> {
            for (int i = 0; i < ITEMS; i++) {
                ch.take();
            }
        }));
    }

    // ---- 3. A select loop receiving from 2 (and 4) unbuffered channels, each fed by its own producer ---------

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void select2Helper() {
        Chan<Integer> a = make();
        Chan<Integer> b = make();
        join(produceHelper(a, ITEMS / 2), produceHelper(b, ITEMS / 2), go(() -> {
            for (int i = 0; i < ITEMS; i++) {
                select(onReceive(a), onReceive(b));
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void select2Jox() {
        Channel<Integer> a = Channel.newRendezvousChannel();
        Channel<Integer> b = Channel.newRendezvousChannel();
        join(produceJox(a, ITEMS / 2), produceJox(b, ITEMS / 2), virtual(() -> {
            for (int i = 0; i < ITEMS; i++) {
                Select.select(a.receiveClause(), b.receiveClause());
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void select4Helper() {
        Chan<Integer> a = make();
        Chan<Integer> b = make();
        Chan<Integer> c = make();
        Chan<Integer> d = make();
        join(produceHelper(a, ITEMS / 4), produceHelper(b, ITEMS / 4),
                produceHelper(c, ITEMS / 4), produceHelper(d, ITEMS / 4), go(() -> {
                    for (int i = 0; i < ITEMS; i++) {
                        select(onReceive(a), onReceive(b), onReceive(c), onReceive(d));
                    }
                }));
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void select4Jox() {
        Channel<Integer> a = Channel.newRendezvousChannel();
        Channel<Integer> b = Channel.newRendezvousChannel();
        Channel<Integer> c = Channel.newRendezvousChannel();
        Channel<Integer> d = Channel.newRendezvousChannel();
        join(produceJox(a, ITEMS / 4), produceJox(b, ITEMS / 4),
                produceJox(c, ITEMS / 4), produceJox(d, ITEMS / 4), virtual(() -> {
                    for (int i = 0; i < ITEMS; i++) {
                        Select.select(a.receiveClause(), b.receiveClause(), c.receiveClause(), d.receiveClause());
                    }
                }));
    }

    static Thread produceHelper(Chan<Integer> ch, int items) {
        return go(() -> {
            for (int i = 0; i < items; i++) {
                ch.send(BALL);
            }
        });
    }

    static Thread produceJox(Channel<Integer> ch, int items) {
        return virtual(() -> {
            for (int i = 0; i < items; i++) {
                ch.send(BALL);
            }
        });
    }

    // ---- 4. Four producers and four consumers on one buffered channel (capacity 128): time per item ---------

    static final int MPMC_GOROUTINES = 4;

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void mpmcHelper() {
        Chan<Integer> ch = make(CAPACITY);
        Thread[] goroutines = new Thread[2 * MPMC_GOROUTINES];
        for (int g = 0; g < MPMC_GOROUTINES; g++) {
            goroutines[2 * g] = produceHelper(ch, ITEMS / MPMC_GOROUTINES);
            goroutines[2 * g + 1] = go(() -> {
                for (int i = 0; i < ITEMS / MPMC_GOROUTINES; i++) {
                    ch.receive();
                }
            });
        }
        join(goroutines);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void mpmcJox() {
        Channel<Integer> ch = Channel.newBufferedChannel(CAPACITY);
        Thread[] goroutines = new Thread[2 * MPMC_GOROUTINES];
        for (int g = 0; g < MPMC_GOROUTINES; g++) {
            goroutines[2 * g] = produceJox(ch, ITEMS / MPMC_GOROUTINES);
            goroutines[2 * g + 1] = virtual(() -> {
                for (int i = 0; i < ITEMS / MPMC_GOROUTINES; i++) {
                    ch.receive();
                }
            });
        }
        join(goroutines);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void mpmcJdk() {
        BlockingQueue<Integer> ch = new ArrayBlockingQueue<>(CAPACITY);
        Thread[] goroutines = new Thread[2 * MPMC_GOROUTINES];
        for (int g = 0; g < MPMC_GOROUTINES; g++) {
            goroutines[2 * g] = virtual(() -> {
                for (int i = 0; i < ITEMS / MPMC_GOROUTINES; i++) {
                    ch.put(BALL);
                }
            });
            goroutines[2 * g + 1] = virtual(() -> {
                for (int i = 0; i < ITEMS / MPMC_GOROUTINES; i++) {
                    ch.take();
                }
            });
        }
        join(goroutines);
    }

    // ---- 5. Rob Pike's daisy chain: 100,000 goroutines linked by unbuffered channels, one value passed --------
    // through. Each goroutine adds 1 to what it receives on its right and sends it to its left (Go:
    // `go func(left, right chan int) { left <- 1 + <-right }(left, right)`); the main goroutine feeds the rightmost
    // channel and receives DAISY_GOROUTINES + 1 from the leftmost.

    static int daisyHelper() {
        Chan<Integer> leftmost = make();
        Chan<Integer> right = leftmost;
        for (int i = 0; i < DAISY_GOROUTINES; i++) {
            Chan<Integer> left = right;
            Chan<Integer> next = make();
            go(() -> left.send(1 + next.receive()));
            right = next;
        }
        Chan<Integer> rightmost = right;
        go(() -> rightmost.send(1));
        return leftmost.receive();
    }

    static int daisyJox() throws InterruptedException {
        Channel<Integer> leftmost = Channel.newRendezvousChannel();
        Channel<Integer> right = leftmost;
        for (int i = 0; i < DAISY_GOROUTINES; i++) {
            Channel<Integer> left = right;
            Channel<Integer> next = Channel.newRendezvousChannel();
            virtual(() -> left.send(1 + next.receive()));
            right = next;
        }
        Channel<Integer> rightmost = right;
        virtual(() -> rightmost.send(1));
        return leftmost.receive();
    }

    static int daisyJdk() throws InterruptedException {
        SynchronousQueue<Integer> leftmost = new SynchronousQueue<>();
        SynchronousQueue<Integer> right = leftmost;
        for (int i = 0; i < DAISY_GOROUTINES; i++) {
            SynchronousQueue<Integer> left = right;
            SynchronousQueue<Integer> next = new SynchronousQueue<>();
            virtual(() -> left.put(1 + next.take()));
            right = next;
        }
        SynchronousQueue<Integer> rightmost = right;
        virtual(() -> rightmost.put(1));
        return leftmost.take();
    }

    /** Runs one chain in a virtual thread (the main goroutine) and checks what came out of it. */
    static int daisy(String implementation) {
        Callable<Integer> chain = switch (implementation) {
            case "helper" -> ChannelBench::daisyHelper;
            case "jox" -> ChannelBench::daisyJox;
            case "jdk" -> ChannelBench::daisyJdk;
            default -> throw new IllegalArgumentException("no implementation " + implementation);
        };
        int[] result = new int[1];
        join(virtual(() -> result[0] = chain.call()));
        if (result[0] != DAISY_GOROUTINES + 1) {
            throw new AssertionError("daisy chain passed " + result[0] + ", expected " + (DAISY_GOROUTINES + 1));
        }
        return result[0];
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int daisyChainHelper() {
        return daisy("helper");
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int daisyChainJox() {
        return daisy("jox");
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int daisyChainJdk() {
        return daisy("jdk");
    }

    // ---- Plumbing ----------------------------------------------------------------------------------------

    /** A goroutine body that may throw InterruptedException (Jox and the JDK queues declare it). */
    interface Body {
        void run() throws Exception;
    }

    /** Starts a virtual thread, the Jox and JDK counterpart of Go.go. */
    static Thread virtual(Body body) {
        return Thread.ofVirtual().start(() -> {
            try {
                body.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static void join(Thread... threads) {
        try {
            for (Thread thread : threads) {
                thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A row of the table measured warm: the benchmark method of each implementation (null: it has none). */
    record Workload(String key, String label, String unit, String helper, String jox, String jdk) {
        List<String> methods() {
            return Arrays.asList(helper, jox, jdk);
        }
    }

    static final List<Workload> BENCHMARKS = List.of(
            new Workload("pingpong", "1 ping-pong, unbuffered", "ns/round trip",
                    "pingPongHelper", "pingPongJox", "pingPongJdk"),
            new Workload("buffered", "2 buffered 128, 1 producer 1 consumer", "ns/item",
                    "bufferedHelper", "bufferedJox", "bufferedJdk"),
            new Workload("select2", "3 select over 2 channels, 2 producers", "ns/item",
                    "select2Helper", "select2Jox", null),
            new Workload("select4", "3 select over 4 channels, 4 producers", "ns/item",
                    "select4Helper", "select4Jox", null),
            new Workload("mpmc", "4 buffered 128, 4 producers 4 consumers", "ns/item",
                    "mpmcHelper", "mpmcJox", "mpmcJdk"),
            new Workload("daisy-warm", "5 daisy chain 100k, warm", "ms/chain",
                    "daisyChainHelper", "daisyChainJox", "daisyChainJdk"));

    /** The workload of BENCHMARKS with this key. */
    static Workload workload(String key) {
        return BENCHMARKS.stream().filter(w -> w.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no workload " + key));
    }

    public static void main(String... args) throws Exception {
        Measure.main(args);
    }
}
