import static gochan.Go.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Go's nil channel, written {@code null}: sending and receiving block forever, closing panics, and a select case on
 * it is never ready (which is how a pattern switches a case off: {@code out1 = nil}).
 *
 * "Forever" is shown the only way a test can: the goroutine is still blocked after a while, and only an interrupt
 * (which Go does not have, and which leaves nothing behind) ends it.
 */
@ExtendWith(TestSupport.NoLeaks.class)
class NilChannelTest {

    @Test
    void sendOnNilChannelBlocksForever() {
        Chan<Integer> nilChannel = null;
        Blocking.assertBlocksUntilInterrupted(() -> send(nilChannel, 1));
    }

    @Test
    void receiveFromNilChannelBlocksForever() {
        Chan<Integer> nilChannel = null;
        Blocking.assertBlocksUntilInterrupted(() -> receive(nilChannel));
    }

    @Test
    void receiveOkFromNilChannelBlocksForever() {
        Chan<Integer> nilChannel = null;
        Blocking.assertBlocksUntilInterrupted(() -> receiveOk(nilChannel));
    }

    @Test
    void rangeOverNilChannelBlocksForever() {
        Chan<Integer> nilChannel = null;
        Blocking.assertBlocksUntilInterrupted(() -> {
            for (int ignored : range(nilChannel)) {
                throw new AssertionError("a nil channel delivered a value");
            }
            throw new AssertionError("the range over a nil channel ended");
        });
    }

    @Test
    void closeOfNilChannelPanics() {
        // given
        Chan<Integer> nilChannel = null;

        // when
        Panic panic = assertThrows(Panic.class, () -> close(nilChannel));

        // then
        assertEquals("close of nil channel", panic.getMessage());
    }

    @Test
    void selectWithNilCasesAndDefault_takesTheDefault() {
        // given
        Chan<Integer> nilChannel = null;

        // when
        Selected selected = select(onReceive(nilChannel), onSend(nilChannel, 1), onDefault());

        // then
        assertEquals(2, selected.index());
    }

    @Test
    void selectWithOnlyNilCases_blocksForever() {
        Chan<Integer> nilChannel = null;
        Blocking.assertBlocksUntilInterrupted(() -> select(onReceive(nilChannel), onSend(nilChannel, 1)));
    }

    @Test
    void selectSkipsANilCase_andTakesTheReadyOneEveryTime() {
        Blocking.bounded(() -> {
            // given: the tee pattern's trick, one case switched off by a nil channel
            Chan<Integer> nilChannel = null;
            Chan<Integer> out = make(1);

            for (int i = 0; i < 100; i++) {
                // when
                Selected selected = select(onSend(nilChannel, -1), onSend(out, i));

                // then
                assertEquals(1, selected.index());
                assertEquals(i, out.receive());
            }
        });
    }

    @Test
    void selectBlockedOnANilCaseAndARealOne_wakesOnlyForTheRealOne() {
        Blocking.bounded(() -> {
            // given: a goroutine blocked in a select over a nil channel and an empty one
            Chan<String> nilChannel = null;
            Chan<String> ch = make();
            AtomicReference<Selected> result = new AtomicReference<>();
            var fromNil = onReceive(nilChannel);
            var fromCh = onReceive(ch);
            Thread goroutine = go(() -> result.set(select(fromNil, fromCh)));
            Blocking.awaitParked(goroutine);
            Blocking.assertStillBlocked(goroutine);

            // when
            ch.send("real");

            // then
            Blocking.awaitEnd(goroutine);
            assertEquals(1, result.get().index());
            assertEquals("real", result.get().value(fromCh));
            Panic nilCase = assertThrows(Panic.class, () -> result.get().value(fromNil));
            assertTrue(nilCase.getMessage().contains("did not fire"), nilCase.getMessage());
        });
    }
}
