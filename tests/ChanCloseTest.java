import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Closing a channel: what was buffered is still delivered, in order; after that every receive returns at once with
 * Go's zero value (null) and ok == false. Sending on a closed channel, or closing it again, panics.
 */
@ExtendWith(TestSupport.NoLeaks.class)
class ChanCloseTest {

    @CapacitiesTest
    void valuesBufferedBeforeCloseAreDeliveredInOrder_thenNullAndNotOkForever(int capacity) {
        Blocking.bounded(() -> {
            // given: a full buffer, then close
            Chan<Integer> ch = make(capacity);
            for (int i = 0; i < capacity; i++) {
                ch.send(i);
            }
            ch.close();

            // when / then: the buffered values come first, in order
            for (int i = 0; i < capacity; i++) {
                assertEquals(new Received<>(i, true), ch.receiveOk());
            }

            // when / then: then the zero value, every time
            for (int i = 0; i < 3; i++) {
                assertNull(ch.receive());
                assertEquals(new Received<Integer>(null, false), ch.receiveOk());
            }
            assertEquals(0, ch.len());
        });
    }

    @CapacitiesTest
    void rangeEndsWhenTheChannelIsClosedAndDrained(int capacity) {
        Blocking.bounded(() -> {
            // given: a producer that sends 20 values, then closes
            Chan<Integer> intStream = make(capacity);
            Thread producer = go(() -> {
                for (int i = 0; i < 20; i++) {
                    intStream.send(i);
                }
                intStream.close();
            });

            // when
            List<Integer> received = new ArrayList<>();
            for (int i : intStream) {
                received.add(i);
            }

            // then: the loop ended after the last value, and none was lost
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add(i);
            }
            assertEquals(expected, received);
            Blocking.awaitEnd(producer);
        });
    }

    @CapacitiesTest
    void sendAfterClosePanics(int capacity) {
        // given
        Chan<Integer> ch = make(capacity);
        ch.close();

        // when
        Panic panic = assertThrows(Panic.class, () -> ch.send(1));

        // then: the panic has Go's message, and nothing went into the channel
        assertEquals("send on closed channel", panic.getMessage());
        assertEquals(0, ch.len());
        assertEquals(new Received<Integer>(null, false), ch.receiveOk());
    }

    @CapacitiesTest
    void aSenderBlockedWhenTheChannelIsClosedPanics_andItsValueIsNeverReceived(int capacity) {
        Blocking.bounded(() -> {
            // given: a full buffer and a sender blocked behind it
            Chan<Integer> ch = make(capacity);
            for (int i = 0; i < capacity; i++) {
                ch.send(i);
            }
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread sender = go(() -> {
                try {
                    ch.send(999);
                } catch (Panic p) {
                    thrown.set(p);
                }
            });
            Blocking.awaitParked(sender);

            // when
            ch.close();

            // then: the sender panics as Go's does
            Blocking.awaitEnd(sender);
            assertEquals(Panic.class, thrown.get().getClass());
            assertEquals("send on closed channel", thrown.get().getMessage());

            // then: the channel still delivers what was buffered, never the panicked sender's value
            List<Integer> received = new ArrayList<>();
            for (int i : ch) {
                received.add(i);
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < capacity; i++) {
                expected.add(i);
            }
            assertEquals(expected, received);
        });
    }

    @CapacitiesTest
    void closingTwicePanics(int capacity) {
        // given
        Chan<Integer> ch = make(capacity);
        ch.close();

        // when / then: with the method and with Go's close(ch)
        assertEquals("close of closed channel", assertThrows(Panic.class, ch::close).getMessage());
        assertEquals("close of closed channel", assertThrows(Panic.class, () -> close(ch)).getMessage());
    }

    @CapacitiesTest
    void closeWakesEveryBlockedReceiver_withNullAndNotOk(int capacity) {
        Blocking.bounded(() -> {
            // given: three receivers blocked on an empty channel
            Chan<Integer> ch = make(capacity);
            AtomicReferenceArray<Received<Integer>> got = new AtomicReferenceArray<>(3);
            List<Thread> receivers = new ArrayList<>();
            for (int id = 0; id < 3; id++) {
                int slot = id;
                Thread receiver = go(() -> got.set(slot, ch.receiveOk()));
                Blocking.awaitParked(receiver);
                receivers.add(receiver);
            }

            // when
            close(ch);

            // then
            receivers.forEach(Blocking::awaitEnd);
            for (int id = 0; id < 3; id++) {
                assertEquals(new Received<Integer>(null, false), got.get(id), "receiver " + id);
            }
        });
    }

    @CapacitiesTest
    void closeEndsARangeThatIsWaitingForTheNextValue(int capacity) {
        Blocking.bounded(() -> {
            // given: a goroutine ranging over a channel that has no value yet
            Chan<String> ch = make(capacity);
            List<String> received = new ArrayList<>();
            Thread consumer = go(() -> {
                for (String s : range(ch)) {
                    received.add(s);
                }
            });
            ch.send("first");
            Blocking.awaitParked(consumer); // it took "first" and waits for the next one

            // when
            ch.close();

            // then
            Blocking.awaitEnd(consumer);
            assertEquals(List.of("first"), received);
        });
    }
}
