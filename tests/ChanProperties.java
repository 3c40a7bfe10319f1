import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/** Properties of plain channel operations (send, receive, range, close) under real concurrency. */
@PropertyDefaults(tries = 100)
@AddLifecycleHook(TestSupport.NoLeaks.class)
class ChanProperties {

    /** A value that names its sender and its position in that sender's sequence. */
    static int value(int sender, int i) {
        return sender * 1_000_000 + i;
    }

    /** Every sender sends its values, every receiver ranges until close; returns what each receiver got, in order. */
    static List<List<Integer>> exchange(int capacity, List<Integer> sendCounts, int receivers) {
        return TestSupport.bounded(() -> {
            Chan<Integer> ch = make(capacity);
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < sendCounts.size(); s++) {
                int sender = s;
                int count = sendCounts.get(s);
                senders.add(go(() -> {
                    for (int i = 0; i < count; i++) {
                        ch.send(value(sender, i));
                    }
                }));
            }
            List<List<Integer>> received = new ArrayList<>();
            List<Thread> receiverThreads = new ArrayList<>();
            for (int r = 0; r < receivers; r++) {
                List<Integer> mine = new ArrayList<>(); // read after join: join orders it
                received.add(mine);
                receiverThreads.add(go(() -> {
                    for (int v : ch) {
                        mine.add(v);
                    }
                }));
            }
            for (Thread sender : senders) {
                sender.join();
            }
            ch.close();
            for (Thread receiver : receiverThreads) {
                receiver.join();
            }
            return received;
        });
    }

    static void collectShape(int capacity, List<Integer> sendCounts, int receivers) {
        int total = sendCounts.stream().mapToInt(Integer::intValue).sum();
        Statistics.label("buffer").collect(
                capacity == 0 ? "unbuffered" : capacity < total ? "smaller than the traffic" : "holds all the traffic");
        Statistics.label("senders x receivers").collect(
                (sendCounts.size() == 1 ? "1" : "n") + " x " + (receivers == 1 ? "1" : "n"));
    }

    // Proves conservation: with any buffer and any numbers of senders and receivers, nothing is lost or duplicated.
    @Property
    void everyValueSentIsReceivedExactlyOnce(
            @ForAll @IntRange(min = 0, max = 64) int capacity,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 300) Integer> sendCounts,
            @ForAll @IntRange(min = 1, max = 8) int receivers) {
        collectShape(capacity, sendCounts, receivers);
        List<Integer> expected = new ArrayList<>();
        for (int s = 0; s < sendCounts.size(); s++) {
            for (int i = 0; i < sendCounts.get(s); i++) {
                expected.add(value(s, i));
            }
        }
        List<Integer> received = new ArrayList<>();
        exchange(capacity, sendCounts, receivers).forEach(received::addAll);
        Collections.sort(received);
        assertEquals(expected, received, "the multiset of received values differs from the one sent");
    }

    @Example
    void everyValueSentIsReceivedExactlyOnceThroughABufferOfOne() {
        everyValueSentIsReceivedExactlyOnce(1, List.of(500), 1);
    }

    // Proves per-sender FIFO: each receiver sees the values of any one sender in the order they were sent.
    @Property
    void eachReceiverSeesEverySendersValuesInSendOrder(
            @ForAll @IntRange(min = 0, max = 64) int capacity,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 300) Integer> sendCounts,
            @ForAll @IntRange(min = 1, max = 8) int receivers) {
        collectShape(capacity, sendCounts, receivers);
        List<List<Integer>> received = exchange(capacity, sendCounts, receivers);
        for (int r = 0; r < received.size(); r++) {
            int[] last = new int[sendCounts.size()];
            Arrays.fill(last, -1);
            for (int v : received.get(r)) {
                int sender = v / 1_000_000;
                int i = v % 1_000_000;
                assertTrue(i > last[sender], "receiver " + r + " got value " + i + " of sender " + sender
                        + " after value " + last[sender] + ": " + received.get(r));
                last[sender] = i;
            }
        }
        if (receivers == 1) { // one receiver sees everything: each sender's values arrive complete and in order
            int total = sendCounts.stream().mapToInt(Integer::intValue).sum();
            assertEquals(total, received.get(0).size(), "a single receiver must get every value");
        }
    }

    // Proves close keeps the buffer in order, then every receive gets (null, false) forever; send/close panic.
    @Property(tries = 200)
    void closedChannelDeliversItsBufferInOrderThenNotOkForever(
            @ForAll @IntRange(min = 0, max = 64) int capacity,
            @ForAll @IntRange(min = 0, max = 64) int fill,
            @ForAll @IntRange(min = 1, max = 5) int readsAfterDrain) {
        int buffered = Math.min(fill, capacity);
        Statistics.label("buffer at close").collect(
                buffered == 0 ? "empty" : buffered == capacity ? "full" : "partly full");
        TestSupport.bounded(() -> {
            Chan<Integer> ch = make(capacity);
            for (int i = 0; i < buffered; i++) {
                ch.send(i); // never blocks: the buffer has room
            }
            ch.close();
            assertEquals(buffered, ch.len(), "close must keep the buffered values");
            for (int i = 0; i < buffered; i++) {
                Integer got = switch (i % 4) { // every kind of receive drains the same buffer
                    case 0 -> ch.receive();
                    case 1 -> {
                        Received<Integer> r = ch.receiveOk();
                        assertTrue(r.ok(), "ok must be true while buffered values remain");
                        yield r.value();
                    }
                    case 2 -> {
                        var fromCh = onReceive(ch);
                        Selected s = select(fromCh, onDefault());
                        assertEquals(0, s.index(), "a buffered value is ready: default must not run");
                        assertTrue(s.ok());
                        yield s.value(fromCh);
                    }
                    default -> {
                        var it = ch.iterator();
                        assertTrue(it.hasNext(), "range must not end while buffered values remain");
                        yield it.next();
                    }
                };
                assertEquals(i, got, "buffered values must come out in the order they were sent");
                assertEquals(buffered - i - 1, ch.len());
            }
            for (int k = 0; k < readsAfterDrain; k++) {
                assertEquals(new Received<Integer>(null, false), ch.receiveOk());
                assertNull(ch.receive());
                assertNull(receive(ch));
                var fromCh = onReceive(ch);
                Selected s = select(fromCh, onDefault());
                assertEquals(0, s.index(), "a closed channel is always ready: default must not run");
                assertFalse(s.ok());
                assertNull(s.value(fromCh));
                assertFalse(ch.iterator().hasNext(), "range over a closed, drained channel must end at once");
                Panic send = assertThrows(Panic.class, () -> ch.send(99));
                assertEquals("send on closed channel", send.getMessage());
                Panic selectSend = assertThrows(Panic.class, () -> select(onSend(ch, 99)));
                assertEquals("send on closed channel", selectSend.getMessage());
                Panic close = assertThrows(Panic.class, ch::close);
                assertEquals("close of closed channel", close.getMessage());
                assertEquals(0, ch.len());
                assertEquals(capacity, ch.cap());
            }
            return null;
        });
    }

    /** Waits (bounded by the try's bound) until every thread is parked, so that close finds them blocked. */
    static int awaitParked(List<Thread> threads) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            int parked = 0;
            for (Thread t : threads) {
                if (t.getState() == Thread.State.WAITING) {
                    parked++;
                }
            }
            if (parked == threads.size()) {
                return parked;
            }
            LockSupport.parkNanos(100_000);
        }
        return -1; // not all parked: close still has to be right, the statistics say how often this happens
    }

    // Proves close releases every receiver blocked on an empty channel (plain or in select) with (null, false).
    @Property
    void closeReleasesEveryBlockedReceiverWithNotOk(
            @ForAll @IntRange(min = 0, max = 4) int capacity,
            @ForAll @IntRange(min = 1, max = 5) int plainReceivers,
            @ForAll @IntRange(min = 0, max = 5) int selectingReceivers) {
        int receivers = plainReceivers + selectingReceivers;
        ConcurrentLinkedQueue<Object> results = new ConcurrentLinkedQueue<>();
        int parked = TestSupport.bounded(() -> {
            Chan<Integer> ch = make(capacity);
            Chan<Integer> never = make(); // a second case that never becomes ready
            List<Thread> threads = new ArrayList<>();
            for (int r = 0; r < plainReceivers; r++) {
                threads.add(go(() -> results.add(ch.receiveOk())));
            }
            for (int r = 0; r < selectingReceivers; r++) {
                threads.add(go(() -> {
                    var fromCh = onReceive(ch);
                    Selected s = select(onReceive(never), fromCh, onReceive(null));
                    results.add(new Received<>(s.index() == 1 ? s.value(fromCh) : "case " + s.index(), s.ok()));
                }));
            }
            int allParked = awaitParked(threads);
            ch.close();
            for (Thread t : threads) {
                t.join();
            }
            return allParked;
        });
        Statistics.label("receivers parked before close").collect(parked < 0 ? "not all" : "all");
        assertEquals(receivers, results.size());
        for (Object r : results) {
            assertEquals(new Received<>(null, false), r, "a receiver released by close must get (null, false)");
        }
    }

    // Proves close makes every sender blocked on a full channel panic and drops its value; the buffer survives.
    @Property
    void closePanicsEveryBlockedSenderAndDropsItsValue(
            @ForAll @IntRange(min = 0, max = 4) int capacity,
            @ForAll @IntRange(min = 1, max = 5) int plainSenders,
            @ForAll @IntRange(min = 0, max = 5) int selectingSenders) {
        ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
        List<Integer> drained = new ArrayList<>();
        int parked = TestSupport.bounded(() -> {
            Chan<Integer> ch = make(capacity);
            for (int i = 0; i < capacity; i++) {
                ch.send(i); // fill the buffer, so that every later send blocks
            }
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < plainSenders + selectingSenders; s++) {
                int v = 1000 + s;
                boolean selecting = s >= plainSenders;
                threads.add(go(() -> {
                    try {
                        if (selecting) {
                            select(onSend(null, -1), onSend(ch, v));
                        } else {
                            ch.send(v);
                        }
                        outcomes.add("returned normally");
                    } catch (Panic p) {
                        outcomes.add(p.getMessage());
                    }
                }));
            }
            int allParked = awaitParked(threads);
            ch.close();
            for (Thread t : threads) {
                t.join();
            }
            for (Received<Integer> r; (r = ch.receiveOk()).ok(); ) {
                drained.add(r.value());
            }
            return allParked;
        });
        Statistics.label("senders parked before close").collect(parked < 0 ? "not all" : "all");
        assertEquals(plainSenders + selectingSenders, outcomes.size());
        for (String outcome : outcomes) {
            assertEquals("send on closed channel", outcome, "a sender blocked when the channel closed must panic");
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < capacity; i++) {
            expected.add(i);
        }
        assertEquals(expected, drained, "after close, exactly the buffered values must come out, in order");
    }

    // Proves a send racing close either returns and is received once, or panics and is never received.
    @Property
    void sendsRacingCloseEitherPanicOrAreReceivedExactlyOnce(
            @ForAll @IntRange(min = 0, max = 8) int capacity,
            @ForAll @IntRange(min = 1, max = 6) int senders,
            @ForAll @IntRange(min = 1, max = 200) int perSender,
            @ForAll @IntRange(min = 0, max = 300) int receivedBeforeClose,
            @ForAll @IntRange(min = 0, max = 2000) int closeDelayMicros) {
        Set<Integer> sentOk = concurrentSet();
        Set<Integer> panicked = concurrentSet();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        List<Integer> received = new ArrayList<>();
        TestSupport.bounded(() -> {
            Chan<Integer> ch = make(capacity);
            AtomicBoolean closeReturned = new AtomicBoolean();
            Chan<Void> closed = make(); // closed right after ch is, to let the receiver drain
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int sender = s;
                threads.add(go(() -> {
                    for (int i = 0; i < perSender; i++) {
                        int v = value(sender, i);
                        boolean after = closeReturned.get();
                        try {
                            if (i % 2 == 0) {
                                ch.send(v);
                            } else {
                                select(onSend(ch, v));
                            }
                            sentOk.add(v);
                            if (after) {
                                violations.add("send of " + v + " started after close returned, yet returned normally");
                            }
                        } catch (Panic p) {
                            panicked.add(v);
                            if (!"send on closed channel".equals(p.getMessage())) {
                                violations.add("send of " + v + " panicked with " + p.getMessage());
                            }
                        }
                    }
                }));
            }
            Thread receiver = go(() -> {
                // Receive a few values before close, so that senders are still blocked or running when it comes.
                for (int k = 0; k < receivedBeforeClose; k++) {
                    Received<Integer> r = ch.receiveOk();
                    if (!r.ok()) {
                        break;
                    }
                    received.add(r.value());
                }
                closed.receiveOk(); // wait for close
                for (int v : ch) {
                    received.add(v);
                }
            });
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(closeDelayMicros));
            ch.close();
            closeReturned.set(true);
            closed.close();
            for (Thread t : threads) {
                t.join();
            }
            receiver.join();
            return null;
        });
        Statistics.label("sends that panicked").collect(
                panicked.isEmpty() ? "none" : sentOk.isEmpty() ? "all" : "some");
        assertTrue(violations.isEmpty(), String.join("\n", violations));
        assertEquals(senders * perSender, sentOk.size() + panicked.size(), "every send must return or panic once");
        Set<Integer> receivedSet = new HashSet<>(received);
        assertEquals(received.size(), receivedSet.size(), "a value was received twice: " + received);
        for (int v : received) {
            assertFalse(panicked.contains(v), "value " + v + " was received although its send panicked");
        }
        assertEquals(sentOk, receivedSet, "every send that returned normally must be received exactly once");
    }

    private static Set<Integer> concurrentSet() {
        return ConcurrentHashMap.newKeySet();
    }
}
