package gochan;

import static gochan.Go.close;
import static gochan.Go.go;
import static gochan.Go.make;
import static gochan.Go.onReceive;
import static gochan.Go.onSend;
import static gochan.Go.select;
import static gochan.ModelCheck.goroutinesOnPlatformThreads;
import static gochan.ModelCheck.join;
import static gochan.ModelCheck.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Go.Chan;
import gochan.Go.Interrupted;
import gochan.Go.Selected;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pastalab.fray.junit.junit5.FrayTestExtension;
import org.pastalab.fray.junit.junit5.annotations.FrayTest;

/**
 * Java has interruption and Go does not. The helper's promise: an operation interrupted while blocked either
 * completed before the interrupt (and returns normally, the flag still set) or left no trace. So a value racing
 * an interrupt is delivered once or not at all.
 */
@ExtendWith(FrayTestExtension.class)
class InterruptScenarios {

    // A receiver is interrupted while a select hands it a value; the select gives up on a quit channel closed
    // once the receiver is done. The receiver has the value exactly when the select's send case fired.
    @FrayTest(iterations = 300)
    void interruptRacingAHandOffToAReceiver() {
        receiverInterrupted("receive", ch -> ch.receive());
    }

    // The same with the receiver blocked in a select of its own.
    @FrayTest(iterations = 300)
    void interruptRacingAHandOffToASelect() {
        Chan<Integer> never = make();
        receiverInterrupted("select", ch -> {
            var fromCh = onReceive(ch);
            return select(fromCh, onReceive(never)).value(fromCh);
        });
    }

    private static void receiverInterrupted(String how, Function<Chan<Integer>, Integer> receive) {
        goroutinesOnPlatformThreads();
        Chan<Integer> ch = make();
        Chan<Void> quit = make();
        Integer[] got = new Integer[1];
        boolean[] interrupted = new boolean[1];
        Selected[] bySender = new Selected[1];
        Thread receiver = go(() -> {
            try {
                got[0] = receive.apply(ch);
                assertEquals(7, got[0]);
            } catch (Interrupted e) {
                interrupted[0] = true;
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag stays set");
            }
        });
        Thread sender = go(() -> bySender[0] = select(onSend(ch, 7), onReceive(quit)));
        receiver.interrupt();
        join(receiver);
        close(quit);                                        // close(quit): the sender stops waiting
        join(sender);

        assertTrue(interrupted[0] != (got[0] != null), "either interrupted or received");
        assertEquals(got[0] != null ? 0 : 1, bySender[0].index(), "the value was sent exactly when it was received");
        outcome("interrupt racing a hand-off to a " + how, interrupted[0] ? "interrupted" : "received");
    }

    // A sender is interrupted while a select takes its value; the select gives up on quit once the sender is done.
    // The select has the value exactly when the send returned normally.
    @FrayTest(iterations = 400)
    void interruptRacingAHandOffFromASender() {
        goroutinesOnPlatformThreads();
        Chan<Integer> ch = make();
        Chan<Void> quit = make();
        boolean[] sent = new boolean[1];
        Selected[] byReceiver = new Selected[1];
        Thread sender = go(() -> {
            try {
                ch.send(7);
                sent[0] = true;
            } catch (Interrupted e) {
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag stays set");
            }
        });
        var fromCh = onReceive(ch);
        Thread receiver = go(() -> byReceiver[0] = select(fromCh, onReceive(quit)));
        sender.interrupt();
        join(sender);
        close(quit);
        join(receiver);

        assertEquals(sent[0] ? 0 : 1, byReceiver[0].index(), "received exactly when the send completed");
        if (sent[0]) {
            assertEquals(7, (int) byReceiver[0].value(fromCh));
        }
        outcome("interrupt racing a hand-off from a sender", sent[0] ? "sent" : "interrupted");
    }
}
