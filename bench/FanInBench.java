import static gochan.Go.*;

import bench.Measure;
import com.softwaremill.jox.Channel;
import com.softwaremill.jox.ChannelClosed;
import com.softwaremill.jox.Select;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.SynchronousQueue;
import java.util.function.IntSupplier;

// Workload 6 of the benchmarks: the fan-in prime finder of scripts/FanIn.java, searched with one finder and with
// one finder per CPU. The helper's version is FanIn's own pipeline (Pipeline.repeatFn and take, FanIn.primeFinder
// and fanIn); beside it the same pipeline written with Jox and with the JDK's SynchronousQueue, all doing the same
// slow FanIn.isPrime on the same seeded numbers.
//
// Why a plain timed loop in a child process and not JMH: FanIn and Pipeline are scripts, in the unnamed package,
// which no named package can import, and JMH only accepts benchmarks in a named package. So bench.Measure starts
// `java -cp ... FanInBench <warm-up pairs> <pairs> <primes> <bound>`, in which the three implementations take turns
// (as in Measure's turns, in the same six orders, and for the same reason: the speed of these 2-vCPU machines changes
// from one moment to the next), a pair of searches each, round after round. It prints one line per measured pair:
// "<implementation> <ns with 1 finder> <ns with numCPU finders>".
public class FanInBench {

    static final long SEED = 1;

    public static void main(String... args) throws Exception {
        int warmUpPairs = Integer.parseInt(args[0]);
        int pairs = Integer.parseInt(args[1]);
        int primes = Integer.parseInt(args[2]);
        int bound = Integer.parseInt(args[3]);
        for (int p = -warmUpPairs; p < pairs; p++) {
            for (int i : Measure.order(p)) {
                String implementation = Measure.IMPLEMENTATIONS[i];
                long single = timedSearch(implementation, 1, primes, bound);
                long fannedOut = timedSearch(implementation, numCPU(), primes, bound);
                if (p >= 0) {
                    System.out.println(implementation + " " + single + " " + fannedOut);
                }
            }
        }
    }

    /** One search, run by a main goroutine, timed from building the pipeline to the last prime; then cleans up. */
    static long timedSearch(String implementation, int finders, int primes, int bound) throws Exception {
        long[] took = new long[1];
        Thread main = Thread.ofVirtual().start(() -> {
            try {
                long start = System.nanoTime();
                int found = search(implementation, finders, primes, bound);
                took[0] = System.nanoTime() - start;
                if (found != primes) {
                    throw new AssertionError("found " + found + " primes, expected " + primes);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        main.join();
        // Wait for the cancelled stages to end, so that none of them runs into the next search.
        awaitGoroutines(0, java.time.Duration.ofSeconds(10));
        for (Thread thread : started) {
            thread.join();
        }
        started.clear();
        if (took[0] == 0) {
            throw new IllegalStateException(implementation + " search failed");
        }
        return took[0];
    }

    static int search(String implementation, int finders, int primes, int bound) throws InterruptedException {
        return switch (implementation) {
            case "helper" -> searchHelper(finders, primes, bound);
            case "jox" -> searchJox(finders, primes, bound);
            case "jdk" -> searchJdk(finders, primes, bound);
            default -> throw new IllegalArgumentException("no implementation " + implementation);
        };
    }

    // ---- The helper: FanIn.java's own stages -----------------------------------------------------------------

    static int searchHelper(int finders, int primes, int bound) {
        Chan<Void> done = make();
        try {
            Random random = new Random(SEED);
            ReceiveOnly<Integer> randIntStream = Pipeline.repeatFn(done, () -> random.nextInt(bound));
            List<ReceiveOnly<Integer>> primeFinders = new ArrayList<>();
            for (int i = 0; i < finders; i++) {
                primeFinders.add(FanIn.primeFinder(done, randIntStream));
            }
            int found = 0;
            for (int prime : Pipeline.take(done, FanIn.fanIn(done, primeFinders), primes)) {
                found++;
            }
            return found;
        } finally {
            done.close();
        }
    }

    // ---- Jox: the same stages, with `done` closed by Channel.done() -------------------------------------------

    static int searchJox(int finders, int primes, int bound) throws InterruptedException {
        Channel<Void> done = Channel.newRendezvousChannel();
        try {
            Random random = new Random(SEED);
            Channel<Integer> randIntStream = repeatFnJox(done, () -> random.nextInt(bound));
            List<Channel<Integer>> primeFinders = new ArrayList<>();
            for (int i = 0; i < finders; i++) {
                primeFinders.add(primeFinderJox(done, randIntStream));
            }
            Channel<Integer> takeStream = takeJox(done, fanInJox(done, primeFinders), primes);
            int found = 0;
            while (!(takeStream.receiveOrClosed() instanceof ChannelClosed)) {
                found++;
            }
            return found;
        } finally {
            done.done();
        }
    }

    static Channel<Integer> repeatFnJox(Channel<Void> done, IntSupplier fn) {
        Channel<Integer> valueStream = Channel.newRendezvousChannel();
        start(() -> {
            try {
                while (!(Select.selectOrClosed(done.receiveClause(), valueStream.sendClause(fn.getAsInt()))
                        instanceof ChannelClosed)) {
                    // sent; draw the next one
                }
            } finally {
                valueStream.done();
            }
        });
        return valueStream;
    }

    static Channel<Integer> primeFinderJox(Channel<Void> done, Channel<Integer> intStream) {
        Channel<Integer> primeStream = Channel.newRendezvousChannel();
        start(() -> {
            try {
                for (Object integer; !((integer = intStream.receiveOrClosed()) instanceof ChannelClosed); ) {
                    if (FanIn.isPrime((Integer) integer) && Select.selectOrClosed(done.receiveClause(),
                            primeStream.sendClause((Integer) integer)) instanceof ChannelClosed) {
                        return;
                    }
                }
            } finally {
                primeStream.done();
            }
        });
        return primeStream;
    }

    static Channel<Integer> fanInJox(Channel<Void> done, List<Channel<Integer>> channels) {
        Channel<Integer> multiplexedStream = Channel.newRendezvousChannel();
        List<Thread> multiplexers = new ArrayList<>();
        for (Channel<Integer> c : channels) {
            multiplexers.add(start(() -> {
                for (Object i; !((i = c.receiveOrClosed()) instanceof ChannelClosed); ) {
                    if (Select.selectOrClosed(done.receiveClause(), multiplexedStream.sendClause((Integer) i))
                            instanceof ChannelClosed) {
                        return;
                    }
                }
            }));
        }
        start(() -> {
            for (Thread multiplexer : multiplexers) {
                multiplexer.join();
            }
            multiplexedStream.done();
        });
        return multiplexedStream;
    }

    static Channel<Integer> takeJox(Channel<Void> done, Channel<Integer> valueStream, int num) {
        Channel<Integer> takeStream = Channel.newRendezvousChannel();
        start(() -> {
            try {
                for (int i = 0; i < num; i++) {
                    Object received = Select.selectOrClosed(done.receiveClause(), valueStream.receiveClause());
                    if (received instanceof ChannelClosed || Select.selectOrClosed(done.receiveClause(),
                            takeStream.sendClause((Integer) received)) instanceof ChannelClosed) {
                        return;
                    }
                }
            } finally {
                takeStream.done();
            }
        });
        return takeStream;
    }

    // ---- The JDK: SynchronousQueues; without select or close, the search is cancelled by interrupting ---------

    static int searchJdk(int finders, int primes, int bound) throws InterruptedException {
        List<Thread> stages = new ArrayList<>();
        Random random = new Random(SEED);
        SynchronousQueue<Integer> randIntStream = new SynchronousQueue<>();
        stages.add(start(() -> {
            while (true) {
                randIntStream.put(random.nextInt(bound));
            }
        }));
        SynchronousQueue<Integer> multiplexedStream = new SynchronousQueue<>();
        for (int i = 0; i < finders; i++) {
            SynchronousQueue<Integer> primeStream = new SynchronousQueue<>();
            stages.add(start(() -> {
                while (true) {
                    int integer = randIntStream.take();
                    if (FanIn.isPrime(integer)) {
                        primeStream.put(integer);
                    }
                }
            }));
            stages.add(start(() -> {
                while (true) {
                    multiplexedStream.put(primeStream.take());
                }
            }));
        }
        int found = 0;
        for (int i = 0; i < primes; i++) {
            multiplexedStream.take();
            found++;
        }
        stages.forEach(Thread::interrupt);
        return found;
    }

    // ---- Plumbing --------------------------------------------------------------------------------------------

    interface Body {
        void run() throws Exception;
    }

    /** Every virtual thread the Jox and JDK searches started, joined after each search. */
    static final List<Thread> started = new CopyOnWriteArrayList<>();

    /** Starts a virtual thread; an interrupt (the JDK search's cancellation) ends it quietly. */
    static Thread start(Body body) {
        Thread thread = Thread.ofVirtual().unstarted(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                // cancelled
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        started.add(thread);
        thread.start();
        return thread;
    }
}
