import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/** Properties of select: conservation, exactly one case per select, uniform choice, and interruption. */
@PropertyDefaults(tries = 50)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class SelectProperties {

    /** One sender's channel: its buffer and how many values the sender sends before closing it. */
    record ChannelSpec(int capacity, int count) {}

    @Provide
    Arbitrary<List<ChannelSpec>> channelSpecs() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 100))
                .as(ChannelSpec::new)
                .list().ofMinSize(1).ofMaxSize(6);
    }

    static int value(int owner, int i) {
        return owner * 1_000_000 + i;
    }

    // Proves a select loop over many channels (nil cases, default, closed ones set to nil) gets each value once.
    @Property
    void selectOverManyChannelsReceivesEveryValueExactlyOnce(
            @ForAll("channelSpecs") List<ChannelSpec> specs,
            @ForAll @IntRange(min = 0, max = 3) int nilCases,
            @ForAll boolean withDefault,
            @ForAll Random random) {
        int n = specs.size();
        // The case layout: channel index, or -1 for a nil receive, -2 for a nil send, -3 for the default.
        List<Integer> layout = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            layout.add(c);
        }
        for (int k = 0; k < nilCases; k++) {
            layout.add(k % 2 == 0 ? -1 : -2);
        }
        if (withDefault) {
            layout.add(-3);
        }
        Collections.shuffle(layout, random);
        List<List<Integer>> received = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            received.add(new ArrayList<>());
        }
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        long defaults = TestSupport.bounded(() -> {
            List<Chan<Integer>> channels = new ArrayList<>();
            List<Thread> senders = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                Chan<Integer> ch = make(specs.get(c).capacity());
                channels.add(ch);
                int owner = c;
                int count = specs.get(c).count();
                senders.add(go(() -> {
                    for (int i = 0; i < count; i++) {
                        ch.send(value(owner, i));
                    }
                    ch.close();
                }));
            }
            long[] defaultsRun = new long[1];
            Thread receiver = go(() -> {
                List<ReceiveOnly<Integer>> live = new ArrayList<>(channels); // null once closed, as in Go
                int open = n;
                while (open > 0) {
                    Case<?>[] cases = new Case<?>[layout.size()];
                    List<Case<Integer>> liveCases = new ArrayList<>(); // the handles of the live receives, by position
                    for (int p = 0; p < cases.length; p++) {
                        int slot = layout.get(p);
                        liveCases.add(slot >= 0 ? onReceive(live.get(slot)) : null);
                        cases[p] = switch (slot) {
                            case -1 -> onReceive(null);
                            case -2 -> onSend((SendOnly<Integer>) null, -1);
                            case -3 -> onDefault();
                            default -> liveCases.get(p);
                        };
                    }
                    Selected s = select(cases);
                    int slot = layout.get(s.index());
                    if (slot == -3) {
                        defaultsRun[0]++;
                        Thread.yield();
                        continue;
                    }
                    if (slot < 0) {
                        violations.add("a nil-channel case fired: " + s);
                        return;
                    }
                    if (live.get(slot) == null) {
                        violations.add("a case set to nil fired: " + s);
                        return;
                    }
                    if (s.ok()) {
                        received.get(slot).add(s.value(liveCases.get(s.index())));
                    } else {
                        live.set(slot, null);
                        open--;
                    }
                }
            });
            for (Thread sender : senders) {
                sender.join();
            }
            receiver.join();
            return defaultsRun[0];
        });
        Statistics.label("default").collect(!withDefault ? "absent" : defaults == 0 ? "never ran" : "ran");
        Statistics.label("nil cases").collect(nilCases);
        Statistics.label("unbuffered channels").collect(
                specs.stream().anyMatch(s -> s.capacity() == 0) ? "some" : "none");
        assertTrue(violations.isEmpty(), String.join("\n", violations));
        for (int c = 0; c < n; c++) {
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < specs.get(c).count(); i++) {
                expected.add(value(c, i));
            }
            assertEquals(expected, received.get(c), "channel " + c + " (" + specs.get(c) + ") delivered wrongly");
        }
    }

    // Proves each select completes exactly one case: per channel, values of fired send cases == values received.
    @Property(tries = 100)
    void everySelectCompletesExactlyOneCase(
            @ForAll @Size(min = 2, max = 3) List<@IntRange(min = 0, max = 2) Integer> capacities,
            @ForAll @IntRange(min = 2, max = 5) int workers,
            @ForAll @IntRange(min = 1, max = 40) int rounds,
            @ForAll Random random) {
        int n = capacities.size();
        // plans[w][r][c]: 0 no case on channel c in that select, 1 a send case, 2 a receive case; at least one send
        // case per select, so that the plain receivers guarantee progress.
        int[][][] plans = new int[workers][rounds][n];
        int receiveCases = 0;
        for (int[][] worker : plans) {
            for (int[] select : worker) {
                for (int c = 0; c < n; c++) {
                    select[c] = random.nextInt(3);
                }
                if (Arrays.stream(select).noneMatch(kind -> kind == 1)) {
                    select[random.nextInt(n)] = 1;
                }
                receiveCases += (int) Arrays.stream(select).filter(kind -> kind == 2).count();
            }
        }
        List<ConcurrentLinkedQueue<Integer>> sent = new ArrayList<>(); // per channel: reported send cases
        List<ConcurrentLinkedQueue<Integer>> received = new ArrayList<>(); // per channel: every receive
        for (int c = 0; c < n; c++) {
            sent.add(new ConcurrentLinkedQueue<>());
            received.add(new ConcurrentLinkedQueue<>());
        }
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        int[] receiveCasesFired = new int[workers];
        TestSupport.bounded(() -> {
            List<Chan<Integer>> channels = new ArrayList<>();
            for (int capacity : capacities) {
                channels.add(make(capacity));
            }
            List<Thread> drainers = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                Chan<Integer> ch = channels.get(c);
                ConcurrentLinkedQueue<Integer> mine = received.get(c);
                drainers.add(go(() -> {
                    for (int v : ch) {
                        mine.add(v);
                    }
                }));
            }
            List<Thread> workerThreads = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                workerThreads.add(go(() -> {
                    for (int r = 0; r < rounds; r++) {
                        int[] plan = plans[worker][r];
                        List<Case<?>> cases = new ArrayList<>();
                        List<Case<Integer>> receives = new ArrayList<>(); // by position; null for a send
                        List<int[]> meaning = new ArrayList<>(); // {channel, kind, value}
                        for (int c = 0; c < n; c++) {
                            int v = value(worker, r * 10 + c);
                            if (plan[c] == 1) {
                                cases.add(onSend(channels.get(c), v));
                                receives.add(null);
                                meaning.add(new int[] {c, 1, v});
                            } else if (plan[c] == 2) {
                                receives.add(onReceive(channels.get(c)));
                                cases.add(receives.getLast());
                                meaning.add(new int[] {c, 2, 0});
                            }
                        }
                        Selected s = select(cases.toArray(Case<?>[]::new));
                        if (s.index() < 0 || s.index() >= cases.size()) {
                            violations.add("select returned case " + s.index() + " of " + cases.size());
                            return;
                        }
                        int[] fired = meaning.get(s.index());
                        if (fired[1] == 1) {
                            sent.get(fired[0]).add(fired[2]);
                        } else if (!s.ok() || s.value(receives.get(s.index())) == null) {
                            violations.add("a receive case on an open channel fired without a value: " + s);
                        } else {
                            received.get(fired[0]).add(s.value(receives.get(s.index())));
                            receiveCasesFired[worker]++;
                        }
                    }
                }));
            }
            for (Thread t : workerThreads) {
                t.join();
            }
            for (Chan<Integer> ch : channels) {
                ch.close();
            }
            for (Thread t : drainers) {
                t.join();
            }
            return null;
        });
        int fired = Arrays.stream(receiveCasesFired).sum();
        Statistics.label("receive cases that fired").collect(
                receiveCases == 0 ? "none planned" : fired == 0 ? "none" : "some");
        Statistics.label("unbuffered channels").collect(capacities.contains(0) ? "some" : "none");
        assertTrue(violations.isEmpty(), String.join("\n", violations));
        for (int c = 0; c < n; c++) {
            List<Integer> sentHere = new ArrayList<>(sent.get(c));
            List<Integer> receivedHere = new ArrayList<>(received.get(c));
            Collections.sort(sentHere);
            Collections.sort(receivedHere);
            assertEquals(sentHere, receivedHere,
                    "channel " + c + ": values received differ from the values of the send cases that fired");
        }
    }

    // Proves select picks uniformly among ready cases, and never a nil case or the default while one is ready.
    //
    // The bound: each of the k always-ready cases (a closed channel to receive from, or a buffer with room for
    // every send) fires X ~ Binomial(n, 1/k) times, n/k = 2000. A count more than 6 standard deviations from n/k
    // fails. By the normal approximation a fair select exceeds that with probability about 2e-9 per case
    // (Bernstein's inequality, which holds exactly, gives < 2e-7), so 6 cases x 30 tries almost never fail a fair
    // implementation, while a preference of 10 % for one case (k = 2: 2200 of 4000 instead of 2000, 6 sd = 190)
    // fails.
    @Property(tries = 30)
    void selectChoosesUniformlyAmongReadyCases(
            @ForAll @IntRange(min = 2, max = 6) int k,
            @ForAll @IntRange(min = 0, max = 3) int nilCases,
            @ForAll boolean withDefault,
            @ForAll Random random) {
        int n = 2000 * k;
        boolean[] closedReceive = new boolean[k];
        for (int c = 0; c < k; c++) {
            closedReceive[c] = random.nextBoolean();
        }
        List<Integer> layout = new ArrayList<>(); // ready case c, or -1 nil receive, -2 nil send, -3 default
        for (int c = 0; c < k; c++) {
            layout.add(c);
        }
        for (int j = 0; j < nilCases; j++) {
            layout.add(j % 2 == 0 ? -1 : -2);
        }
        if (withDefault) {
            layout.add(-3);
        }
        Collections.shuffle(layout, random);
        long[] counts = TestSupport.bounded(() -> {
            Case[] cases = new Case[layout.size()];
            for (int p = 0; p < cases.length; p++) {
                int slot = layout.get(p);
                if (slot == -1) {
                    cases[p] = onReceive(null);
                } else if (slot == -2) {
                    cases[p] = onSend((SendOnly<Integer>) null, -1);
                } else if (slot == -3) {
                    cases[p] = onDefault();
                } else if (closedReceive[slot]) {
                    Chan<Integer> closed = make();
                    closed.close();
                    cases[p] = onReceive(closed);
                } else {
                    cases[p] = onSend(make(n), slot); // room for every send of the test: always ready
                }
            }
            long[] perCase = new long[k];
            for (int i = 0; i < n; i++) {
                int slot = layout.get(select(cases).index());
                assertTrue(slot >= 0, slot == -3 ? "default ran while cases were ready" : "a nil case fired");
                perCase[slot]++;
            }
            return perCase;
        });
        Statistics.label("ready cases").collect(k);
        double p = 1.0 / k;
        double mean = n * p;
        double bound = 6 * Math.sqrt(n * p * (1 - p));
        for (int c = 0; c < k; c++) {
            assertTrue(Math.abs(counts[c] - mean) <= bound, "case " + c + " of " + k + " fired " + counts[c]
                    + " times in " + n + " selects, expected " + mean + " +- " + Math.round(bound)
                    + ": " + Arrays.toString(counts));
        }
    }

    @Example
    void selectChoosesUniformlyBetweenTwoClosedChannels() {
        Chan<Integer> a = make();
        Chan<Integer> b = make();
        a.close();
        b.close();
        int n = 4000;
        int first = TestSupport.bounded(() -> {
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (select(onReceive(a), onReceive(b)).index() == 0) {
                    count++;
                }
            }
            return count;
        });
        double bound = 6 * Math.sqrt(n * 0.25); // see selectChoosesUniformlyAmongReadyCases
        assertTrue(Math.abs(first - n / 2.0) <= bound, "the first case fired " + first + " times of " + n);
    }

    // Proves an interrupted send/receive/select either completed (returned normally) or left no trace, flag kept.
    @Property(tries = 100)
    void interruptedOperationsEitherCompleteOrLeaveNoTrace(
            @ForAll @IntRange(min = 0, max = 3) int capacityA,
            @ForAll @IntRange(min = 0, max = 3) int capacityB,
            @ForAll @IntRange(min = 1, max = 3) int plainSenders,
            @ForAll @IntRange(min = 0, max = 3) int selectingSenders,
            @ForAll @IntRange(min = 0, max = 2) int selectingReceivers,
            @ForAll @IntRange(min = 1, max = 100) int perSender,
            @ForAll @IntRange(min = 0, max = 60) int interrupts,
            @ForAll @IntRange(min = 0, max = 30) int receiverPauseMicros,
            @ForAll boolean storm,
            @ForAll Random random) {
        ConcurrentLinkedQueue<Integer> sentOk = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> interruptedSends = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> received = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicInteger interruptedReceives = new AtomicInteger();
        int[] gaps = new int[interrupts]; // drawn here: Random is not for sharing between threads
        int[] targets = new int[interrupts];
        int goroutines = plainSenders + selectingSenders + 2 + selectingReceivers;
        for (int i = 0; i < interrupts; i++) {
            gaps[i] = random.nextInt(200);
            targets[i] = random.nextInt(goroutines);
        }
        SplittableRandom stormTargets = new SplittableRandom(random.nextLong());
        long[] stormInterrupts = new long[1];
        TestSupport.bounded(() -> {
            Chan<Integer> a = make(capacityA);
            Chan<Integer> b = make(capacityB);
            List<Thread> senders = new ArrayList<>();
            List<Thread> receivers = new ArrayList<>();
            for (int s = 0; s < plainSenders + selectingSenders; s++) {
                int sender = s;
                boolean selecting = s >= plainSenders;
                Chan<Integer> mine = s % 2 == 0 ? a : b;
                senders.add(go(() -> {
                    for (int i = 0; i < perSender; i++) {
                        int v = value(sender, i);
                        try {
                            if (selecting) {
                                select(onSend(a, v), onSend(b, v));
                            } else {
                                mine.send(v);
                            }
                            sentOk.add(v);
                        } catch (Interrupted e) {
                            interruptedSends.add(v);
                            if (!Thread.interrupted()) {
                                violations.add("a send threw Interrupted but cleared the interrupt flag");
                            }
                        }
                    }
                }));
            }
            for (Chan<Integer> ch : List.of(a, b)) { // one plain receiver per channel
                receivers.add(go(() -> {
                    while (true) {
                        try {
                            Received<Integer> r = ch.receiveOk();
                            if (!r.ok()) {
                                return;
                            }
                            received.add(r.value());
                            pause(receiverPauseMicros); // a slow receiver leaves senders blocked, to be interrupted
                        } catch (Interrupted e) {
                            interruptedReceives.incrementAndGet();
                            if (!Thread.interrupted()) {
                                violations.add("a receive threw Interrupted but cleared the interrupt flag");
                            }
                        }
                    }
                }));
            }
            for (int r = 0; r < selectingReceivers; r++) {
                receivers.add(go(() -> {
                    ReceiveOnly<Integer> ra = a;
                    ReceiveOnly<Integer> rb = b;
                    while (ra != null || rb != null) {
                        try {
                            var fromA = onReceive(ra);
                            var fromB = onReceive(rb);
                            Selected s = select(fromA, fromB);
                            if (s.ok()) {
                                received.add(s.index() == 0 ? s.value(fromA) : s.value(fromB));
                                pause(receiverPauseMicros);
                            } else if (s.index() == 0) {
                                ra = null;
                            } else {
                                rb = null;
                            }
                        } catch (Interrupted e) {
                            interruptedReceives.incrementAndGet();
                            if (!Thread.interrupted()) {
                                violations.add("a select threw Interrupted but cleared the interrupt flag");
                            }
                        }
                    }
                }));
            }
            List<Thread> everyone = new ArrayList<>(senders);
            everyone.addAll(receivers);
            // A storm: interrupts back to back until the senders are done, to hit the narrow windows where an
            // operation completes just as its goroutine is interrupted. Otherwise a few, at random moments.
            while (storm && senders.stream().anyMatch(Thread::isAlive)) {
                everyone.get(stormTargets.nextInt(goroutines)).interrupt();
                stormInterrupts[0]++;
            }
            for (int i = 0; !storm && i < interrupts; i++) {
                pause(gaps[i]);
                everyone.get(targets[i]).interrupt();
            }
            for (Thread t : senders) {
                t.join();
            }
            a.close();
            b.close();
            for (Thread t : receivers) {
                t.join();
            }
            return null;
        });
        Statistics.label("storm interrupts").collect(
                !storm ? "no storm" : stormInterrupts[0] < 1000 ? "< 1000" : ">= 1000");
        Statistics.label("sends interrupted").collect(interruptedSends.isEmpty() ? "none" : "some");
        Statistics.label("receives interrupted").collect(interruptedReceives.get() == 0 ? "none" : "some");
        assertTrue(violations.isEmpty(), String.join("\n", violations));
        assertEquals((plainSenders + selectingSenders) * perSender, sentOk.size() + interruptedSends.size(),
                "every send must either return or throw Interrupted");
        List<Integer> receivedSorted = new ArrayList<>(received);
        Collections.sort(receivedSorted);
        for (int i = 1; i < receivedSorted.size(); i++) {
            assertTrue(!receivedSorted.get(i).equals(receivedSorted.get(i - 1)),
                    "value " + receivedSorted.get(i) + " was received twice");
        }
        for (int v : interruptedSends) {
            assertTrue(!received.contains(v), "value " + v + " was received although its send threw Interrupted");
        }
        List<Integer> lost = new ArrayList<>(sentOk);
        lost.removeAll(received);
        assertTrue(lost.isEmpty(), "sends that returned normally, yet their values were never received: " + lost);
        List<Integer> unsent = new ArrayList<>(received);
        unsent.removeAll(sentOk);
        assertTrue(unsent.isEmpty(), "values received that no send delivered: " + unsent);
    }

    /** Parks for a while; an interrupt ends it early and stays set, for the next channel operation to see. */
    static void pause(int micros) {
        if (micros > 0) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
        }
    }
}
