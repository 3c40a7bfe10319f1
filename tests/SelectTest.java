import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Go's select: it performs exactly one case that can proceed, picked at random among the ready ones; with none
 * ready it takes the default case or blocks until one is ready. The cases that lose leave no trace.
 */
@ExtendWith(TestSupport.NoLeaks.class)
class SelectTest {

    // ---- helpers ------------------------------------------------------------------------------------

    /**
     * Makes a receive on the channel ready, with the value: a buffered channel gets it in its buffer, an unbuffered
     * one gets a sender blocked on it. Returns that sender (null for a buffered channel).
     */
    private static Thread makeReceiveReady(Chan<Integer> ch, int value) {
        if (ch.cap() > 0) {
            ch.send(value);
            return null;
        }
        Thread sender = go(() -> ch.send(value));
        Blocking.awaitParked(sender);
        return sender;
    }

    /** Fills the buffer with the value, so that a send on the channel is not ready. */
    private static void fill(Chan<Integer> ch, int value) {
        for (int i = 0; i < ch.cap(); i++) {
            ch.send(value);
        }
    }

    /** Closes the channel and returns what it still held. */
    private static List<Integer> closeAndDrain(Chan<Integer> ch) {
        ch.close();
        List<Integer> values = new ArrayList<>();
        for (int v : ch) {
            values.add(v);
        }
        return values;
    }

    private static List<Integer> copies(int count, int value) {
        return new ArrayList<>(Collections.nCopies(count, value));
    }

    // ---- a ready case fires at once ---------------------------------------------------------------

    @CapacitiesTest
    void selectReceivesFromTheReadyChannel_immediate(int capacity) {
        Blocking.bounded(() -> {
            for (int run = 0; run < 10; run++) { // select polls in random order: several runs try several orders
                // given: one channel with a value for us, one without
                Chan<Integer> empty = make(capacity);
                Chan<Integer> ready = make(capacity);
                Thread sender = makeReceiveReady(ready, 42);

                // when
                var fromReady = onReceive(ready);
                Selected selected = select(onReceive(empty), fromReady);

                // then
                assertEquals(1, selected.index());
                Integer value = selected.value(fromReady);
                assertEquals(42, value);
                assertTrue(selected.ok());
                if (sender != null) {
                    Blocking.awaitEnd(sender);
                }
                assertEquals(0, ready.len());
                assertEquals(0, empty.len());
            }
        });
    }

    @CapacitiesTest
    void selectSendsToTheReadyChannel_immediate(int capacity) {
        Blocking.bounded(() -> {
            for (int run = 0; run < 10; run++) {
                // given: one channel with room (or a receiver waiting), one full
                Chan<Integer> full = make(capacity);
                fill(full, -1);
                Chan<Integer> ready = make(capacity);
                AtomicReference<Integer> received = new AtomicReference<>();
                Thread receiver = capacity == 0 ? go(() -> received.set(ready.receive())) : null;
                if (receiver != null) {
                    Blocking.awaitParked(receiver);
                }

                // when
                Selected selected = select(onSend(full, 100), onSend(ready, 200));

                // then: the value went to the ready channel, and nothing to the full one
                assertEquals(1, selected.index());
                assertTrue(selected.ok());
                if (receiver != null) {
                    Blocking.awaitEnd(receiver);
                    assertEquals(200, received.get());
                } else {
                    assertEquals(200, ready.receive());
                }
                assertEquals(copies(capacity, -1), closeAndDrain(full));
            }
        });
    }

    @CapacitiesTest
    void selectTakesTheDefault_whenNoCaseIsReady(int capacity) {
        // given: an empty channel to receive from, a full one to send to
        Chan<Integer> empty = make(capacity);
        Chan<Integer> full = make(capacity);
        fill(full, -1);

        // when
        Selected selected = select(onReceive(empty), onSend(full, 100), onDefault());

        // then: the default ran, and neither channel changed
        assertEquals(2, selected.index());
        assertEquals(0, empty.len());
        assertEquals(copies(capacity, -1), closeAndDrain(full));
    }

    // ---- no case is ready: select blocks until one is --------------------------------------------

    @CapacitiesTest
    void selectBlocksUntilAReceiveCaseBecomesReady(int capacity) {
        Blocking.bounded(() -> {
            // given: a goroutine selecting over two empty channels
            Chan<Integer> a = make(capacity);
            Chan<Integer> b = make(capacity);
            AtomicReference<Selected> result = new AtomicReference<>();
            var fromB = onReceive(b);
            Thread goroutine = go(() -> result.set(select(onReceive(a), fromB)));
            Blocking.awaitParked(goroutine);
            Blocking.assertStillBlocked(goroutine);

            // when
            b.send(7);

            // then: the select got the value, and it is in neither channel any more
            Blocking.awaitEnd(goroutine);
            assertEquals(1, result.get().index());
            Integer value = result.get().value(fromB);
            assertEquals(7, value);
            assertTrue(result.get().ok());
            assertEquals(0, a.len());
            assertEquals(0, b.len());
        });
    }

    @CapacitiesTest
    void selectBlocksUntilASendCaseBecomesReady(int capacity) {
        Blocking.bounded(() -> {
            // given: a goroutine selecting over two full channels
            Chan<Integer> a = make(capacity);
            Chan<Integer> b = make(capacity);
            fill(a, -1);
            fill(b, -2);
            AtomicReference<Selected> result = new AtomicReference<>();
            Thread goroutine = go(() -> result.set(select(onSend(a, 100), onSend(b, 200))));
            Blocking.awaitParked(goroutine);
            Blocking.assertStillBlocked(goroutine);

            // when: a receive makes room in b (or, unbuffered, takes the value directly)
            int first = b.receive();

            // then: the select sent to b, after b's older values; a got nothing
            Blocking.awaitEnd(goroutine);
            assertEquals(1, result.get().index());
            List<Integer> fromB = new ArrayList<>(List.of(first));
            fromB.addAll(closeAndDrain(b));
            List<Integer> expectedFromB = copies(capacity, -2);
            expectedFromB.add(200);
            assertEquals(expectedFromB, fromB);
            assertEquals(copies(capacity, -1), closeAndDrain(a));
        });
    }

    // ---- several ready: a random choice ---------------------------------------------------------

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {1, 2, 10, 100})
    void selectPicksAmongReadyCasesAtRandom_buffered(int capacity) {
        Blocking.bounded(() -> {
            // given: two channels to receive from and one to send to, all three ready
            Chan<Integer> a = make(capacity);
            Chan<Integer> b = make(capacity);
            Chan<Integer> c = make(capacity);
            a.send(1);
            b.send(2);
            int runs = 3_000;
            int[] picked = new int[3];

            for (int run = 0; run < runs; run++) {
                // when
                Selected selected = select(onReceive(a), onReceive(b), onSend(c, 3));
                picked[selected.index()]++;

                // then: put back what the chosen case took, so that all three are ready again
                switch (selected.index()) {
                    case 0 -> a.send(1);
                    case 1 -> b.send(2);
                    case 2 -> c.receive();
                }
            }

            // then: each case won about a third of the runs (1,000 expected; 500 is 20 standard deviations away)
            for (int i = 0; i < 3; i++) {
                assertTrue(picked[i] > runs / 6, "case " + i + " was picked " + picked[i] + " times of " + runs
                        + ": " + Arrays.toString(picked));
            }
        });
    }

    @Test
    void selectPicksAmongReadyCasesAtRandom_unbuffered() {
        Blocking.bounded(() -> {
            // given: three unbuffered channels, each with a sender that keeps one value waiting on it
            int runs = 300;
            List<Chan<Integer>> channels = List.of(make(), make(), make());
            List<Thread> senders = new ArrayList<>();
            for (Chan<Integer> ch : channels) {
                senders.add(go(() -> {
                    for (int i = 0; i <= runs; i++) { // one more than a single channel can be asked for
                        ch.send(i);
                    }
                }));
            }
            int[] picked = new int[3];

            for (int run = 0; run < runs; run++) {
                senders.forEach(Blocking::awaitParked); // every case is ready

                // when
                Selected selected = select(onReceive(channels.get(0)), onReceive(channels.get(1)),
                        onReceive(channels.get(2)));

                // then
                picked[selected.index()]++;
            }

            // then: each case won about a third of the runs (100 expected; 50 is 6 standard deviations away)
            for (int i = 0; i < 3; i++) {
                assertTrue(picked[i] > runs / 6, "case " + i + " was picked " + picked[i] + " times of " + runs
                        + ": " + Arrays.toString(picked));
            }

            // let the senders finish: each one sent as many values as its case was picked
            for (int i = 0; i < 3; i++) {
                for (int left = runs + 1 - picked[i]; left > 0; left--) {
                    channels.get(i).receive();
                }
            }
            senders.forEach(Blocking::awaitEnd);
        });
    }

    // ---- select with no case that can ever fire ---------------------------------------------------

    @Test
    void emptySelectBlocksForever() {
        Blocking.assertBlocksUntilInterrupted(() -> select());
    }

    // ---- closed channels ---------------------------------------------------------------------------

    @CapacitiesTest
    void selectSendCaseOnAClosedChannel_panicsWhenChosen(int capacity) {
        // given: a closed channel, and a case that is never ready
        Chan<Integer> closed = make(capacity);
        closed.close();
        Chan<Integer> empty = make(capacity);

        // when
        Panic panic = assertThrows(Panic.class, () -> select(onReceive(empty), onSend(closed, 1)));

        // then
        assertEquals("send on closed channel", panic.getMessage());
        assertEquals(0, empty.len());
    }

    @CapacitiesTest
    void selectBlockedOnASendCase_panicsWhenThatChannelIsClosed(int capacity) {
        Blocking.bounded(() -> {
            // given: a goroutine blocked in a select, sending to a full channel
            Chan<Integer> full = make(capacity);
            fill(full, -1);
            Chan<Integer> empty = make(capacity);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread goroutine = go(() -> {
                try {
                    select(onSend(full, 999), onReceive(empty));
                } catch (Panic p) {
                    thrown.set(p);
                }
            });
            Blocking.awaitParked(goroutine);

            // when
            full.close();

            // then: it panics, and its value never reached the channel
            Blocking.awaitEnd(goroutine);
            assertEquals("send on closed channel", thrown.get().getMessage());
            List<Integer> held = new ArrayList<>();
            for (int v : full) {
                held.add(v);
            }
            assertEquals(copies(capacity, -1), held);
        });
    }

    @CapacitiesTest
    void selectReceiveCaseOnAClosedChannel_firesWithNullAndNotOk(int capacity) {
        // given: a closed channel, and a case that is never ready
        Chan<Integer> closed = make(capacity);
        closed.close();
        Chan<Integer> empty = make(capacity);

        // when
        var fromClosed = onReceive(closed);
        Selected selected = select(onReceive(empty), fromClosed);

        // then
        assertEquals(1, selected.index());
        assertNull(selected.value(fromClosed));
        assertEquals(false, selected.ok());
    }

    @CapacitiesTest
    void selectBlockedOnAReceiveCase_firesWithNotOkWhenThatChannelIsClosed(int capacity) {
        Blocking.bounded(() -> {
            // given
            Chan<Integer> a = make(capacity);
            Chan<Integer> b = make(capacity);
            AtomicReference<Selected> result = new AtomicReference<>();
            var fromA = onReceive(a);
            Thread goroutine = go(() -> result.set(select(fromA, onReceive(b))));
            Blocking.awaitParked(goroutine);

            // when
            a.close();

            // then
            Blocking.awaitEnd(goroutine);
            assertEquals(0, result.get().index());
            assertNull(result.get().value(fromA));
            assertEquals(false, result.get().ok());
        });
    }

    // ---- the cases that lose leave no trace -----------------------------------------------------

    @CapacitiesTest
    void aLosingReceiveCaseLeavesNoTrace(int capacity) {
        Blocking.bounded(() -> {
            // given: a select that blocked on a and b, and then fired on a
            Chan<Integer> a = make(capacity);
            Chan<Integer> b = make(capacity);
            AtomicReference<Selected> result = new AtomicReference<>();
            Thread selecting = go(() -> result.set(select(onReceive(a), onReceive(b))));
            Blocking.awaitParked(selecting);
            a.send(1);
            Blocking.awaitEnd(selecting);
            assertEquals(0, result.get().index());

            // when: a value is sent on b afterwards
            Thread sender = go(() -> b.send(2));

            // then: nobody took it. A buffered b holds it; an unbuffered b keeps its sender blocked
            if (capacity == 0) {
                Blocking.awaitParked(sender);
                Blocking.assertStillBlocked(sender);
            } else {
                Blocking.awaitEnd(sender);
                assertEquals(1, b.len());
            }

            // then: it is received exactly once
            assertEquals(2, b.receive());
            Blocking.awaitEnd(sender);
            assertEquals(1, select(onReceive(b), onDefault()).index(), "b should be empty now");
        });
    }

    @CapacitiesTest
    void aLosingSendCaseLeavesNoTrace(int capacity) {
        Blocking.bounded(() -> {
            // given: a select that blocked sending on full channels a and b, and then fired on a
            Chan<Integer> a = make(capacity);
            Chan<Integer> b = make(capacity);
            fill(a, -1);
            fill(b, -2);
            AtomicReference<Selected> result = new AtomicReference<>();
            Thread selecting = go(() -> result.set(select(onSend(a, 10), onSend(b, 20))));
            Blocking.awaitParked(selecting);
            a.receive();
            Blocking.awaitEnd(selecting);
            assertEquals(0, result.get().index());

            // when: someone receives from b
            AtomicReference<Integer> received = new AtomicReference<>();
            Thread receiver = go(() -> received.set(b.receive()));

            // then: the select's 20 never shows up. A buffered b gives its own values; an unbuffered b keeps the
            // receiver blocked until a real sender comes
            if (capacity == 0) {
                Blocking.awaitParked(receiver);
                Blocking.assertStillBlocked(receiver);
                b.send(21);
                Blocking.awaitEnd(receiver);
                assertEquals(21, received.get());
            } else {
                Blocking.awaitEnd(receiver);
                assertEquals(-2, received.get());
                assertEquals(copies(capacity - 1, -2), closeAndDrain(b));
            }
        });
    }

    @CapacitiesTest
    void twoSendersRacingIntoOneBlockedSelect_onlyOneCompletesIntoIt(int capacity) {
        Blocking.bounded(() -> {
            for (int run = 0; run < 50; run++) { // a race: many runs give it many chances to go wrong
                // given: a select blocked on two empty channels
                Chan<Integer> a = make(capacity);
                Chan<Integer> b = make(capacity);
                AtomicReference<Selected> result = new AtomicReference<>();
                var fromA = onReceive(a);
                var fromB = onReceive(b);
                Thread selecting = go(() -> result.set(select(fromA, fromB)));
                Blocking.awaitParked(selecting);

                // given: two senders, one per channel, waiting for a start signal. They spin rather than park, so
                // that both are running at the same instant, and the select is still asleep when both send.
                AtomicBoolean start = new AtomicBoolean();
                AtomicInteger spinning = new AtomicInteger();
                Thread senderA = go(() -> {
                    spinning.incrementAndGet();
                    while (!start.get()) {
                        Thread.onSpinWait();
                    }
                    a.send(1);
                });
                Thread senderB = go(() -> {
                    spinning.incrementAndGet();
                    while (!start.get()) {
                        Thread.onSpinWait();
                    }
                    b.send(2);
                });
                while (spinning.get() < 2) {
                    Thread.yield(); // this thread is not a goroutine: let the senders have the cores
                }

                // when: both send at the same time
                start.set(true);

                // then: the select took one value, and the other one is still there for the next receiver
                Blocking.awaitEnd(selecting);
                boolean tookA = result.get().index() == 0;
                Integer taken = result.get().value(tookA ? fromA : fromB);
                assertEquals(tookA ? 1 : 2, taken);
                Timer timeout = newTimer(LEAK_BOUND);
                var fromOther = onReceive(tookA ? b : a);
                Selected rest = select(fromOther, onReceive(timeout.c()));
                timeout.stop();
                assertEquals(0, rest.index(), "run " + run + ": the value the select did not take was lost");
                Integer other = rest.value(fromOther);
                assertEquals(tookA ? 2 : 1, other);
                Blocking.awaitEnd(senderA);
                Blocking.awaitEnd(senderB);
            }
        });
    }

    // The tests above would pass even if the waiters of the losing cases stayed in their channels' queues (a waker
    // skips a waiter whose select has fired), but each would be garbage that its channel keeps alive, and a queue
    // that only grows: pass 3 of select must take them out. Only the queues themselves can show it.
    @CapacitiesTest
    void theLosingCasesAreDequeued(int capacity) {
        Blocking.bounded(() -> {
            // given: a select blocked on a receive from a and b and a send to a full channel
            Chan<Integer> a = make(capacity);
            Chan<Integer> b = make(capacity);
            Chan<Integer> full = make(capacity);
            fill(full, -1);
            Thread selecting = go(() -> select(onReceive(a), onReceive(b), onSend(full, 1)));
            Blocking.awaitParked(selecting);

            // when: the receive from a fires
            a.send(1);
            Blocking.awaitEnd(selecting);

            // then: no channel holds a waiter of it any more
            assertTrue(isEmpty(a, "recvq"), "a's receive queue");
            assertTrue(isEmpty(b, "recvq"), "b's receive queue");
            assertTrue(isEmpty(full, "sendq"), "full's send queue");
        });
    }

    /** Whether a channel's wait queue ("sendq" or "recvq") is empty; they are private, so by reflection. */
    private static boolean isEmpty(Chan<?> ch, String queue) throws ReflectiveOperationException {
        Field queueField = Chan.class.getDeclaredField(queue);
        queueField.setAccessible(true);
        Object waitQueue = queueField.get(ch);
        Field first = waitQueue.getClass().getDeclaredField("first");
        first.setAccessible(true);
        return first.get(waitQueue) == null;
    }

    // ---- the same channel in two cases ----------------------------------------------------------

    @Test
    void sameUnbufferedChannelInASendAndAReceiveCase_doesNotMatchItself() {
        Blocking.bounded(() -> {
            // given: a select that could both send to and receive from ch
            Chan<Integer> ch = make();
            AtomicReference<Selected> result = new AtomicReference<>();
            Thread goroutine = go(() -> result.set(select(onSend(ch, 1), onReceive(ch))));

            // then: it cannot hand its own value to itself, so it blocks
            Blocking.awaitParked(goroutine);
            Blocking.assertStillBlocked(goroutine);

            // when: someone else receives
            assertEquals(1, ch.receive());

            // then: the send case fired
            Blocking.awaitEnd(goroutine);
            assertEquals(0, result.get().index());

            // and the same with someone else sending
            var fromCh = onReceive(ch);
            Thread again = go(() -> result.set(select(onSend(ch, 1), fromCh)));
            Blocking.awaitParked(again);
            ch.send(2);
            Blocking.awaitEnd(again);
            assertEquals(1, result.get().index());
            Integer value = result.get().value(fromCh);
            assertEquals(2, value);
        });
    }

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {1, 2, 10, 100})
    void sameBufferedChannelInASendAndAReceiveCase_firesTheOneThatIsReady(int capacity) {
        // given: an empty buffer, where only the send can proceed
        Chan<Integer> ch = make(capacity);

        // when / then
        assertEquals(0, select(onSend(ch, 1), onReceive(ch)).index());
        assertEquals(1, ch.len());

        // given: a full buffer, where only the receive can proceed
        while (ch.len() < capacity) {
            ch.send(2);
        }

        // when / then: it received the oldest value
        var fromCh = onReceive(ch);
        Selected selected = select(onSend(ch, 3), fromCh);
        assertEquals(1, selected.index());
        Integer value = selected.value(fromCh);
        assertEquals(1, value);
        assertEquals(capacity - 1, ch.len());
    }

    // ---- misuse and types --------------------------------------------------------------------------

    @Test
    void twoDefaultCasesPanic() {
        Panic panic = assertThrows(Panic.class, () -> select(onDefault(), onDefault()));
        assertEquals("select: multiple defaults", panic.getMessage());
    }

    @Test
    void selectedValueIsTypedByItsCase() {
        // given
        Chan<String> strings = make(1);
        strings.send("hello");

        // when: the case is the handle that reads its value, with the channel's type, like the v in Go's
        // "case v := <-strings"
        var fromStrings = onReceive(strings);
        Selected selected = select(fromStrings);
        String text = selected.value(fromStrings);

        // then
        assertEquals("hello", text);
    }

    @Test
    void valueOfACaseThatDidNotFire_panics() {
        // given: a select where the first case fires
        Chan<Integer> ready = make(1);
        ready.send(1);
        Chan<String> empty = make(1);
        var fromReady = onReceive(ready);
        var fromEmpty = onReceive(empty);
        Selected selected = select(fromReady, fromEmpty);
        assertEquals(0, selected.index());

        // when / then: the other case's value is an error that names both cases, not a null
        Panic panic = assertThrows(Panic.class, () -> selected.value(fromEmpty));
        assertEquals("select: value of a case that did not fire: asked for " + fromEmpty + ", but case 0 fired, "
                + fromReady, panic.getMessage());

        // and so is a case from another select, even one on the same channel
        ready.send(2);
        assertThrows(Panic.class, () -> selected.value(onReceive(ready)));
        assertEquals(1, selected.value(fromReady));
    }

    @Test
    void valueOfANilChannelCase_panics() {
        // given: a case on a nil channel, never ready, beside one that is
        Chan<Integer> ready = make(1);
        ready.send(1);
        var fromNil = onReceive((ReceiveOnly<Integer>) null);
        Selected selected = select(fromNil, onReceive(ready));

        // when / then
        assertEquals(1, selected.index());
        Panic panic = assertThrows(Panic.class, () -> selected.value(fromNil));
        assertTrue(panic.getMessage().contains("onReceive(nil)"), panic.getMessage());
    }

    @Test
    void valueOfTheDefaultOrASendCase_panicsEvenWhenItFired() {
        // given: a select whose default fires, and one whose send fires
        Chan<Integer> full = make(1);
        full.send(0);
        var otherwise = onDefault();
        Selected byDefault = select(onSend(full, 1), otherwise);
        Chan<Integer> room = make(1);
        var send = onSend(room, 2);
        Selected bySend = select(send);

        // then: the case fired, and it has no value to read
        assertEquals(1, byDefault.index());
        assertEquals(0, bySend.index());
        Panic defaultPanic = assertThrows(Panic.class, () -> byDefault.value(otherwise));
        assertEquals("select: value of onDefault(): only a receive case has a value", defaultPanic.getMessage());
        Panic sendPanic = assertThrows(Panic.class, () -> bySend.value(send));
        assertTrue(sendPanic.getMessage().endsWith("only a receive case has a value"), sendPanic.getMessage());
    }

    @Test
    void oneCaseCanServeManySelects() {
        // given: one handle, made once, as a loop may do
        Chan<Integer> ch = make(3);
        for (int i = 0; i < 3; i++) {
            ch.send(i);
        }
        var fromCh = onReceive(ch);

        // when / then: each select reads its own value through it
        for (int i = 0; i < 3; i++) {
            Selected selected = select(fromCh, onDefault());
            assertEquals(0, selected.index());
            assertEquals(i, selected.value(fromCh));
        }
        assertEquals(1, select(fromCh, onDefault()).index());
    }
}
