import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Go's sync.WaitGroup: add counts work in, done counts it out, and await (Go's Wait) blocks until the count is zero.
 */
@ExtendWith(TestSupport.NoLeaks.class)
class WaitGroupTest {

    @Test
    void awaitBlocksUntilTheLastDone() {
        Blocking.bounded(() -> {
            // given: a count of three and a goroutine waiting for it
            WaitGroup wg = new WaitGroup();
            wg.add(3);
            Thread waiter = go(wg::await);
            Blocking.awaitParked(waiter);

            // when: two of the three are done
            wg.done();
            wg.done();

            // then: it still waits
            Blocking.assertStillBlocked(waiter);

            // when: the last one is done
            wg.done();

            // then
            Blocking.awaitEnd(waiter);
        });
    }

    @Test
    void awaitReturnsAtOnce_whenTheCountIsZero() {
        Blocking.bounded(() -> {
            // given: a new WaitGroup, and one that went up and back down
            WaitGroup fresh = new WaitGroup();
            WaitGroup finished = new WaitGroup();
            finished.add(2);
            finished.done();
            finished.done();

            // when / then: neither blocks (a block would fail the bound)
            fresh.await();
            finished.await();
        });
    }

    @Test
    void awaitReturnsOnlyAfterEveryGoroutineDidItsWork() {
        Blocking.bounded(() -> {
            // given: 100 goroutines, each marking its slot before done
            WaitGroup wg = new WaitGroup();
            AtomicIntegerArray worked = new AtomicIntegerArray(100);
            for (int i = 0; i < 100; i++) {
                int slot = i;
                wg.add(1);
                go(() -> {
                    worked.set(slot, 1);
                    wg.done();
                });
            }

            // when
            wg.await();

            // then
            for (int i = 0; i < 100; i++) {
                assertEquals(1, worked.get(i), "goroutine " + i + " had not finished");
            }
        });
    }

    @Test
    void everyWaiterWakes_whenTheCountReachesZero() {
        Blocking.bounded(() -> {
            // given: three goroutines waiting on one WaitGroup
            WaitGroup wg = new WaitGroup();
            wg.add(1);
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Thread waiter = go(wg::await);
                Blocking.awaitParked(waiter);
                waiters.add(waiter);
            }

            // when
            wg.done();

            // then
            waiters.forEach(Blocking::awaitEnd);
        });
    }

    @Test
    void aNegativeCounterPanics_andLeavesTheCountAsItWas() {
        // given
        WaitGroup wg = new WaitGroup();

        // when / then: done without add, and add with too large a negative delta
        assertEquals("sync: negative WaitGroup counter", assertThrows(Panic.class, wg::done).getMessage());
        wg.add(1);
        assertEquals("sync: negative WaitGroup counter", assertThrows(Panic.class, () -> wg.add(-2)).getMessage());

        // then: the count is still 1: a waiter blocks, and one done releases it
        Blocking.bounded(() -> {
            Thread waiter = go(wg::await);
            Blocking.awaitParked(waiter);
            wg.done();
            Blocking.awaitEnd(waiter);
        });
    }
}
