package gochan;

import static gochan.Go.go;
import static gochan.Go.make;
import static gochan.Go.onReceive;
import static gochan.Go.onSend;
import static gochan.Go.select;
import static gochan.ModelCheck.goroutinesOnPlatformThreads;
import static gochan.ModelCheck.join;
import static gochan.ModelCheck.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gochan.Go.Case;
import gochan.Go.Chan;
import gochan.Go.Selected;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pastalab.fray.junit.junit5.FrayTestExtension;
import org.pastalab.fray.junit.junit5.annotations.FrayTest;

/**
 * select, where the one compare-and-set on a select's shared state matters: two goroutines that wake the same
 * parked select from two channels at once must not both complete into it.
 */
@ExtendWith(FrayTestExtension.class)
class SelectScenarios {

    // Two selects, each receiving from a or b, and two senders, one on a and one on b: each select completes exactly
    // one case, and each value reaches exactly one select. A select that read its state and then set it could take
    // both values, lose one, and leave the other select waiting for ever.
    @FrayTest(iterations = 400)
    void twoSelectsRacingOverSharedChannels() {
        goroutinesOnPlatformThreads();
        Chan<String> a = make();
        Chan<String> b = make();
        Selected[] got = new Selected[2];
        String[] took = new String[2];
        Thread select0 = go(() -> receiveFromEither(a, b, got, took, 0));
        Thread select1 = go(() -> receiveFromEither(a, b, got, took, 1));
        Thread sendA = go(() -> a.send("a"));
        Thread sendB = go(() -> b.send("b"));
        join(select0, select1, sendA, sendB);

        for (int i = 0; i < 2; i++) {
            assertEquals(got[i].index() == 0 ? "a" : "b", took[i], "the value came from the case that fired: " + got[i]);
        }
        assertEquals(List.of("a", "b"), Stream.of(took).sorted().toList());
        outcome("two selects racing", "select 0 took " + took[0]);
    }

    // select { case v := <-a: case v := <-b: }, run by goroutine i: records which case fired and the value it got.
    private static void receiveFromEither(Chan<String> a, Chan<String> b, Selected[] got, String[] took, int i) {
        var fromA = onReceive(a);
        var fromB = onReceive(b);
        got[i] = select(fromA, fromB);
        took[i] = got[i].value(got[i].index() == 0 ? fromA : fromB);
    }

    // A select against a select, each sending on one channel and receiving on the other: they meet on exactly one
    // of the two, and agree on which.
    @FrayTest(iterations = 200)
    void selectAgainstSelect() {
        goroutinesOnPlatformThreads();
        Chan<Integer> a = make();
        Chan<Integer> b = make();
        Selected[] got = new Selected[2];
        var fromA = onReceive(a);
        var fromB = onReceive(b);
        Thread select0 = go(() -> got[0] = select(onSend(a, 1), fromB));      // select { case a <- 1: case v := <-b: }
        Thread select1 = go(() -> got[1] = select(fromA, onSend(b, 2)));      // select { case v := <-a: case b <- 2: }
        join(select0, select1);

        assertEquals(got[0].index(), got[1].index(), "both met on the same channel");
        if (got[0].index() == 0) {
            assertEquals(1, (int) got[1].value(fromA));                                   // 1 went over a
        } else {
            assertEquals(2, (int) got[0].value(fromB));                                   // 2 went over b
        }
        outcome("select against select", got[0].index() == 0 ? "met on a" : "met on b");
    }

    // Three senders racing into one select of three cases: exactly one case fires, and the two values it did not
    // take are still with their senders, for a plain receive. (A select that took two would lose one: its receive
    // here would wait for ever, which Fray reports as a deadlock.)
    @FrayTest(iterations = 400)
    void threeSendersIntoOneSelect() {
        goroutinesOnPlatformThreads();
        List<Chan<Integer>> chans = List.of(make(), make(), make());
        Selected[] bySelect = new Selected[1];
        List<Case<Integer>> cases = List.of(onReceive(chans.get(0)), onReceive(chans.get(1)), onReceive(chans.get(2)));
        Thread selector = go(() -> bySelect[0] = select(cases.get(0), cases.get(1), cases.get(2)));
        Thread[] senders = new Thread[3];
        for (int i = 0; i < 3; i++) {
            int v = i;
            senders[i] = go(() -> chans.get(v).send(v));                     // go func() { chans[v] <- v }()
        }
        join(selector);

        int fired = bySelect[0].index();
        assertEquals(fired, (int) bySelect[0].value(cases.get(fired)), "the value came from the case that fired");
        for (int c = 0; c < 3; c++) {
            if (c != fired) {
                assertEquals(c, (int) chans.get(c).receive(), "the select left this value with its sender");
            }
        }
        join(senders);
        outcome("three senders into one select", "case " + fired + " fired");
    }
}
