import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Interruption, which Java has and Go does not: a goroutine interrupted while blocked gets {@link Interrupted}, keeps
 * its interrupt flag, and its operation leaves no trace. The channel loses nothing and delivers nothing twice.
 */
@ExtendWith(TestSupport.NoLeaks.class)
class InterruptionTest {

    // ---- helpers ------------------------------------------------------------------------------------

    /** How a goroutine's operation ended: what it threw (null if it returned), and its interrupt flag then. */
    private record Outcome(Throwable thrown, boolean interruptFlag) {}

    /** Starts a goroutine that runs the operation and records how it ended. */
    private static Thread goRecording(Runnable operation, AtomicReference<Outcome> outcome) {
        return go(() -> {
            try {
                operation.run();
                outcome.set(new Outcome(null, Thread.currentThread().isInterrupted()));
            } catch (Throwable t) {
                outcome.set(new Outcome(t, Thread.currentThread().isInterrupted()));
            }
        });
    }

    private static void assertInterruptedWithFlagSet(Outcome outcome) {
        assertInstanceOf(Interrupted.class, outcome.thrown());
        assertTrue(outcome.interruptFlag(), "the interrupt flag should stay set");
    }

    /** Receives every value the channel has ready, without blocking (a select with a default). */
    private static List<Integer> receiveAllReady(Chan<Integer> ch) {
        List<Integer> values = new ArrayList<>();
        var fromCh = onReceive(ch);
        for (Selected s; (s = select(fromCh, onDefault())).index() == 0; ) {
            values.add(s.value(fromCh));
        }
        return values;
    }

    private static List<Integer> upTo(int count) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(i);
        }
        return values;
    }

    // ---- send, receive, select -----------------------------------------------------------------------

    @CapacitiesTest
    void anInterruptedSenderGetsInterrupted_andItsValueIsNeverReceived(int capacity) {
        Blocking.bounded(() -> {
            // given: a full buffer and a sender blocked behind it
            Chan<Integer> ch = make(capacity);
            for (int i = 0; i < capacity; i++) {
                ch.send(i);
            }
            AtomicReference<Outcome> outcome = new AtomicReference<>();
            Thread sender = goRecording(() -> ch.send(999), outcome);
            Blocking.awaitParked(sender);

            // when
            sender.interrupt();

            // then
            Blocking.awaitEnd(sender);
            assertInterruptedWithFlagSet(outcome.get());

            // then: the buffer holds what it held; the interrupted value is nowhere, not even for a receiver
            assertEquals(upTo(capacity), receiveAllReady(ch));

            // then: the channel still works for the next sender
            Thread next = go(() -> ch.send(1000));
            assertEquals(1000, ch.receive());
            Blocking.awaitEnd(next);
            assertEquals(List.of(), receiveAllReady(ch));
        });
    }

    @CapacitiesTest
    void anInterruptedReceiverGetsInterrupted_andALaterValueGoesToTheNextReceiver(int capacity) {
        Blocking.bounded(() -> {
            // given: a receiver blocked on an empty channel, then interrupted
            Chan<Integer> ch = make(capacity);
            AtomicReference<Outcome> outcome = new AtomicReference<>();
            Thread interrupted = goRecording(ch::receive, outcome);
            Blocking.awaitParked(interrupted);
            interrupted.interrupt();
            Blocking.awaitEnd(interrupted);
            assertInterruptedWithFlagSet(outcome.get());

            // when: another receiver waits, and a value is sent
            AtomicReference<Integer> received = new AtomicReference<>();
            Thread next = go(() -> received.set(ch.receive()));
            Blocking.awaitParked(next);
            ch.send(7);

            // then: the value went to the receiver still waiting, not to the interrupted one
            Blocking.awaitEnd(next);
            assertEquals(7, received.get());
            assertEquals(0, ch.len());
        });
    }

    @CapacitiesTest
    void anInterruptedSelectGetsInterrupted_andLeavesNoTraceOnItsChannels(int capacity) {
        Blocking.bounded(() -> {
            // given: a select blocked receiving from an empty channel and sending to a full one
            Chan<Integer> empty = make(capacity);
            Chan<Integer> full = make(capacity);
            for (int i = 0; i < capacity; i++) {
                full.send(i);
            }
            AtomicReference<Outcome> outcome = new AtomicReference<>();
            Thread selecting = goRecording(() -> select(onReceive(empty), onSend(full, 999)), outcome);
            Blocking.awaitParked(selecting);

            // when
            selecting.interrupt();

            // then
            Blocking.awaitEnd(selecting);
            assertInterruptedWithFlagSet(outcome.get());

            // then: its send case sent nothing
            assertEquals(upTo(capacity), receiveAllReady(full));

            // then: its receive case takes nothing; the next value goes to the next receiver
            AtomicReference<Integer> received = new AtomicReference<>();
            Thread next = go(() -> received.set(empty.receive()));
            Blocking.awaitParked(next);
            empty.send(5);
            Blocking.awaitEnd(next);
            assertEquals(5, received.get());
        });
    }

    @CapacitiesTest
    void anInterruptFlagSetBeforehand_failsAnOperationThatWouldBlock_butNotOneThatCanProceed(int capacity) {
        Blocking.bounded(() -> {
            // given: a channel with a value ready (buffered, or a sender waiting), and an empty one
            Chan<Integer> ready = make(capacity);
            Chan<Integer> empty = make(capacity);
            Thread sender = go(() -> ready.send(1));
            if (capacity == 0) {
                Blocking.awaitParked(sender);
            } else {
                Blocking.awaitEnd(sender);
            }

            // when: a goroutine that is already interrupted receives from both
            AtomicReference<Integer> fromReady = new AtomicReference<>();
            AtomicReference<Outcome> outcome = new AtomicReference<>();
            Thread goroutine = go(() -> {
                Thread.currentThread().interrupt();
                fromReady.set(ready.receive()); // can proceed: it does
                try {
                    empty.receive(); // would block: it does not
                    outcome.set(new Outcome(null, Thread.currentThread().isInterrupted()));
                } catch (Interrupted e) {
                    outcome.set(new Outcome(e, Thread.currentThread().isInterrupted()));
                }
            });

            // then
            Blocking.awaitEnd(goroutine);
            Blocking.awaitEnd(sender);
            assertEquals(1, fromReady.get());
            assertInterruptedWithFlagSet(outcome.get());
        });
    }

    @CapacitiesTest
    void anInterruptRacingWithASend_eitherTheReceiveCompletesOrTheValueStays(int capacity) {
        Blocking.bounded(() -> {
            for (int run = 0; run < 100; run++) { // a race: many runs give it many chances to go wrong
                // given: a blocked receiver
                Chan<Integer> ch = make(capacity);
                AtomicReference<Outcome> outcome = new AtomicReference<>();
                AtomicReference<Integer> received = new AtomicReference<>();
                Thread receiver = goRecording(() -> received.set(ch.receive()), outcome);
                Blocking.awaitParked(receiver);

                // given: a sender waiting for a start signal. It spins rather than parks, so that it sends the
                // instant the signal comes.
                AtomicBoolean start = new AtomicBoolean();
                AtomicBoolean spinning = new AtomicBoolean();
                int value = run;
                Thread sender = go(() -> {
                    spinning.set(true);
                    while (!start.get()) {
                        Thread.onSpinWait();
                    }
                    ch.send(value);
                });
                while (!spinning.get()) {
                    Thread.yield(); // this thread is not a goroutine: let the sender have a core
                }

                // when: the interrupt, then the send a few microseconds later (0 to 49, a different delay each run,
                // so that across the runs the send lands at every moment of the receiver's waking up)
                receiver.interrupt();
                long sendAt = System.nanoTime() + (run % 50) * 1_000L;
                while (System.nanoTime() < sendAt) {
                    Thread.onSpinWait();
                }
                start.set(true);

                // then: either the receiver got the value, or it was interrupted and the value is still there
                Blocking.awaitEnd(receiver);
                if (outcome.get().thrown() == null) {
                    assertEquals(run, received.get());
                } else {
                    assertInterruptedWithFlagSet(outcome.get());
                    Timer timeout = newTimer(Duration.ofSeconds(5));
                    var fromCh = onReceive(ch);
                    Selected rest = select(fromCh, onReceive(timeout.c()));
                    timeout.stop();
                    assertEquals(0, rest.index(), "run " + run + ": the receiver was interrupted and the value lost");
                    Integer left = rest.value(fromCh);
                    assertEquals(value, left);
                }
                Blocking.awaitEnd(sender);
                assertEquals(0, ch.len());
            }
        });
    }

    // ---- WaitGroup and sleep --------------------------------------------------------------------------

    @Test
    void anInterruptedWaitGroupAwaitGetsInterrupted() {
        Blocking.bounded(() -> {
            // given
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            AtomicReference<Outcome> outcome = new AtomicReference<>();
            Thread waiter = goRecording(wg::await, outcome);
            Blocking.awaitParked(waiter);

            // when
            waiter.interrupt();

            // then
            Blocking.awaitEnd(waiter);
            assertInterruptedWithFlagSet(outcome.get());

            // then: the WaitGroup still works
            wg.done();
            wg.await();
        });
    }

    @Test
    void anInterruptedSleepGetsInterrupted() {
        Blocking.assertBlocksUntilInterrupted(() -> sleep(Duration.ofMinutes(1)));
    }

    @CapacitiesTest
    void anInterruptRightAfterAValueWasHandedOver_doesNotLoseIt(int capacity) {
        Blocking.bounded(() -> {
            for (int run = 0; run < 50; run++) { // the interrupt often lands before the receiver has woken up
                // given: a blocked receiver
                Chan<Integer> ch = make(capacity);
                AtomicReference<Outcome> outcome = new AtomicReference<>();
                AtomicReference<Integer> received = new AtomicReference<>();
                Thread receiver = goRecording(() -> received.set(ch.receive()), outcome);
                Blocking.awaitParked(receiver);

                // when: a value is handed to it, and then it is interrupted
                ch.send(run);
                receiver.interrupt();

                // then: the receive had completed, so it returns the value; the interrupt is only a flag
                Blocking.awaitEnd(receiver);
                assertNull(outcome.get().thrown(), "run " + run);
                assertEquals(run, received.get());
                assertEquals(0, ch.len());
            }
        });
    }
}
