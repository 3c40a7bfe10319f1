package gochan;

import static gochan.Go.go;
import static gochan.Go.make;
import static gochan.Go.onReceive;
import static gochan.Go.select;
import static gochan.ModelCheck.goroutinesOnPlatformThreads;
import static gochan.ModelCheck.join;
import static gochan.ModelCheck.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gochan.Go.Chan;
import gochan.Go.Interrupted;
import gochan.Go.Selected;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pastalab.fray.junit.junit5.FrayTestExtension;
import org.pastalab.fray.junit.junit5.annotations.FrayTest;

/**
 * Hand-offs that spin before they park (Parked.SPINS). They spin only on virtual threads, which Fray cannot
 * schedule, and only while few goroutines run; here every hand-off spins twice on the platform threads Fray controls
 * (Go.spinEveryHandOff), so that each race of the spinning paths is tried: a waker completing a goroutine that is
 * still spinning (no count, no unpark), a waker racing the compare-and-set with which it gives up and parks, an
 * interrupt meeting it while it spins. After each schedule the count of running goroutines must be back where it
 * started: a waker that counted a spinning goroutine running again, or missed one that had parked, would leave it
 * one too high (a deadlock never reported) or too low (one reported while goroutines still run).
 */
@ExtendWith(FrayTestExtension.class)
class SpinScenarios {

    // Ping-pong over unbuffered channels: each side spins, then parks, or is completed while it spins.
    @FrayTest(iterations = 300)
    void pingPong() {
        int runningBefore = spinEveryHandOffTwice();
        Chan<Integer> ping = make();
        Chan<Integer> pong = make();
        List<Integer> back = new ArrayList<>();
        Thread player = go(() -> {
            for (int i = 0; i < 2; i++) {
                ping.send(i);                                      // ping <- i
                back.add(pong.receive());                          // <-pong
            }
        });
        Thread echo = go(() -> {
            for (int i = 0; i < 2; i++) {
                pong.send(ping.receive() * 10);                    // pong <- 10 * <-ping
            }
        });
        join(player, echo);

        assertEquals(List.of(0, 10), back, "every ball came back, in order");
        assertEquals(runningBefore, running(), "the running count is back where it started");
        outcome("spinning ping-pong", "done");
    }

    // Two senders racing into one select that spins: exactly one value is taken, the other stays with its sender.
    @FrayTest(iterations = 300)
    void twoSendersIntoASpinningSelect() {
        int runningBefore = spinEveryHandOffTwice();
        Chan<Integer> a = make();
        Chan<Integer> b = make();
        var fromA = onReceive(a);
        var fromB = onReceive(b);
        Selected[] got = new Selected[1];
        Thread selector = go(() -> got[0] = select(fromA, fromB));
        Thread sendA = go(() -> a.send(1));
        Thread sendB = go(() -> b.send(2));
        join(selector);

        int fired = got[0].index();
        assertEquals(fired == 0 ? 1 : 2, (int) got[0].value(fired == 0 ? fromA : fromB));
        assertEquals(fired == 0 ? 2 : 1, (int) (fired == 0 ? b : a).receive(), "the other value is still there");
        join(sendA, sendB);
        assertEquals(runningBefore, running(), "the running count is back where it started");
        outcome("two senders into a spinning select", "case " + fired + " fired");
    }

    // An interrupt meets a receive that spins or has just parked, while a sender hands it a value.
    @FrayTest(iterations = 300)
    void interruptWhileSpinning() {
        int runningBefore = spinEveryHandOffTwice();
        Chan<Integer> ch = make();
        Integer[] got = new Integer[1];
        boolean[] interrupted = new boolean[1];
        Thread receiver = go(() -> {
            try {
                got[0] = ch.receive();
            } catch (Interrupted e) {
                interrupted[0] = true;
            }
        });
        var taken = new boolean[1];
        Thread sender = go(() -> taken[0] = select(Go.onSend(ch, 7), Go.onDefault()).index() == 0);
        receiver.interrupt();
        join(receiver, sender);

        assertTrue(interrupted[0] != (got[0] != null), "either interrupted or received");
        assertEquals(got[0] != null, taken[0], "the value was sent exactly when it was received");
        assertEquals(runningBefore, running(), "the running count is back where it started");
        outcome("interrupt while spinning", interrupted[0] ? "interrupted" : "received");
    }

    /**
     * Goroutines on Fray's threads, every hand-off spinning twice (goroutinesOnPlatformThreads turns that off again
     * for the next scenario); returns the running count before any goroutine starts.
     */
    private static int spinEveryHandOffTwice() {
        goroutinesOnPlatformThreads();
        Go.spinEveryHandOff(2);
        Go.G.current(); // the helper counts main running once it first looks at goroutines: let it do so now
        return running();
    }

    private static int running() {
        return Go.Bubble.running(Go.Bubble.PROGRAM.quiet.get());
    }
}
