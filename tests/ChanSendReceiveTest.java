import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Send and receive on an open channel: a send blocks until a receiver takes the value or the buffer has room, a
 * receive blocks until there is a value, and waiting goroutines are served first come, first served.
 */
@ExtendWith(TestSupport.NoLeaks.class)
class ChanSendReceiveTest {

    @CapacitiesTest
    void sendBlocksWhenTheBufferIsFull_untilAReceiverTakesAValue(int capacity) {
        Blocking.bounded(() -> {
            // given: a channel whose buffer is full (an unbuffered channel is always "full")
            Chan<Integer> ch = make(capacity);
            for (int i = 0; i < capacity; i++) {
                ch.send(i);
            }

            // when: one more send
            Thread sender = go(() -> ch.send(capacity));

            // then: it blocks, and a receive lets it through
            Blocking.awaitParked(sender);
            Blocking.assertStillBlocked(sender);
            assertEquals(0, ch.receive());
            Blocking.awaitEnd(sender);
            for (int i = 1; i <= capacity; i++) {
                assertEquals(i, ch.receive());
            }
            assertEquals(0, ch.len());
        });
    }

    @CapacitiesTest
    void bufferHoldsExactlyCapValues_beforeASenderBlocks(int capacity) {
        Blocking.bounded(() -> {
            // given
            Chan<Integer> ch = make(capacity);
            AtomicInteger sent = new AtomicInteger();

            // when: a goroutine tries to send one value more than the buffer holds
            Thread sender = go(() -> {
                for (int i = 0; i <= capacity; i++) {
                    ch.send(i);
                    sent.incrementAndGet();
                }
            });

            // then: it got exactly cap values in before blocking on the last one
            Blocking.awaitParked(sender);
            assertEquals(capacity, sent.get());
            assertEquals(capacity, ch.len());
            for (int i = 0; i <= capacity; i++) {
                assertEquals(i, ch.receive());
            }
            Blocking.awaitEnd(sender);
            assertEquals(capacity + 1, sent.get());
        });
    }

    @CapacitiesTest
    void receiveBlocksUntilAValueArrives(int capacity) {
        Blocking.bounded(() -> {
            // given: an empty channel and a goroutine receiving from it
            Chan<String> ch = make(capacity);
            List<String> received = new ArrayList<>();
            Thread receiver = go(() -> received.add(ch.receive()));

            // when
            Blocking.awaitParked(receiver);
            Blocking.assertStillBlocked(receiver);
            ch.send("hello");

            // then
            Blocking.awaitEnd(receiver);
            assertEquals(List.of("hello"), received);
            assertEquals(0, ch.len());
        });
    }

    @CapacitiesTest
    void lenCountsBufferedValues_andCapIsTheBufferSize(int capacity) {
        Blocking.bounded(() -> {
            // given
            Chan<Integer> ch = make(capacity);
            assertEquals(capacity, ch.cap());
            assertEquals(0, ch.len());

            // when / then: len follows the values in the buffer
            for (int i = 1; i <= capacity; i++) {
                ch.send(i);
                assertEquals(i, ch.len());
            }

            // when / then: a blocked sender does not count; len never exceeds cap
            Thread sender = go(() -> ch.send(-1));
            Blocking.awaitParked(sender);
            assertEquals(capacity, ch.len());
            assertEquals(capacity, ch.cap());

            // when / then: the first receive frees a slot, which the blocked sender's value fills at once
            assertEquals(capacity == 0 ? -1 : 1, ch.receive());
            Blocking.awaitEnd(sender);
            assertEquals(capacity, ch.len());

            // when / then: every further receive shrinks the buffer by one
            for (int left = capacity - 1; left >= 0; left--) {
                ch.receive();
                assertEquals(left, ch.len());
            }
        });
    }

    @CapacitiesTest
    void valuesFromOneSenderArriveInTheOrderSent(int capacity) {
        Blocking.bounded(() -> {
            // given
            Chan<Integer> ch = make(capacity);
            int count = 1_000;

            // when
            Thread sender = go(() -> {
                for (int i = 0; i < count; i++) {
                    ch.send(i);
                }
            });

            // then
            for (int i = 0; i < count; i++) {
                assertEquals(i, ch.receive());
            }
            Blocking.awaitEnd(sender);
        });
    }

    @CapacitiesTest
    void blockedSendersAreServedInArrivalOrder(int capacity) {
        Blocking.bounded(() -> {
            // given: a full buffer, then five senders that block one after the other
            Chan<Integer> ch = make(capacity);
            for (int i = 0; i < capacity; i++) {
                ch.send(-1);
            }
            List<Thread> senders = new ArrayList<>();
            for (int id = 0; id < 5; id++) {
                int value = id;
                Thread sender = go(() -> ch.send(value));
                Blocking.awaitParked(sender); // it is queued before the next one starts
                senders.add(sender);
            }

            // when
            List<Integer> received = new ArrayList<>();
            for (int i = 0; i < capacity + 5; i++) {
                received.add(ch.receive());
            }

            // then: first what was buffered, then the senders' values in the order they blocked
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < capacity; i++) {
                expected.add(-1);
            }
            expected.addAll(List.of(0, 1, 2, 3, 4));
            assertEquals(expected, received);
            senders.forEach(Blocking::awaitEnd);
        });
    }

    @CapacitiesTest
    void blockedReceiversAreServedInArrivalOrder(int capacity) {
        Blocking.bounded(() -> {
            // given: five receivers that block one after the other on an empty channel
            Chan<Integer> ch = make(capacity);
            AtomicReferenceArray<Integer> got = new AtomicReferenceArray<>(5);
            List<Thread> receivers = new ArrayList<>();
            for (int id = 0; id < 5; id++) {
                int slot = id;
                Thread receiver = go(() -> got.set(slot, ch.receive()));
                Blocking.awaitParked(receiver);
                receivers.add(receiver);
            }

            // when
            for (int value = 100; value < 105; value++) {
                ch.send(value);
            }

            // then: the first receiver to block got the first value, and so on
            receivers.forEach(Blocking::awaitEnd);
            for (int id = 0; id < 5; id++) {
                assertEquals(100 + id, got.get(id), "receiver " + id);
            }
            assertEquals(0, ch.len());
        });
    }

    @Test
    void makeWithNegativeSizePanics_namingTheSize() {
        // when
        Panic panic = assertThrows(Panic.class, () -> make(-1));

        // then
        assertTrue(panic.getMessage().startsWith("makechan: size out of range"), panic.getMessage());
        assertTrue(panic.getMessage().contains("-1"), panic.getMessage());
    }

    @Test
    void makeWithoutSizeIsUnbuffered() {
        // given
        Chan<Integer> ch = make();

        // then
        assertEquals(0, ch.cap());
        assertEquals(0, ch.len());
        assertEquals(1, select(onSend(ch, 1), onDefault()).index(), "an unbuffered send needs a receiver");
    }
}
