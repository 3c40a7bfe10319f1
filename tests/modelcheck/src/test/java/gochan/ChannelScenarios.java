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
import gochan.Go.Panic;
import gochan.Go.Received;
import gochan.Go.Selected;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pastalab.fray.junit.junit5.FrayTestExtension;
import org.pastalab.fray.junit.junit5.annotations.FrayTest;

/** Plain send, receive and close, under every schedule Fray tries. */
@ExtendWith(FrayTestExtension.class)
class ChannelScenarios {

    // Two senders and two receivers on one channel: every value arrives exactly once, and each receiver sees each
    // sender's values in the order they were sent.
    @FrayTest(iterations = 200)
    void unbufferedSendersAndReceivers() {
        sendersAndReceivers(0);
    }

    // The same through a buffer of one: a receiver that frees the slot moves a blocked sender's value into it.
    @FrayTest(iterations = 200)
    void bufferedSendersAndReceivers() {
        sendersAndReceivers(1);
    }

    private static void sendersAndReceivers(int capacity) {
        goroutinesOnPlatformThreads();
        Chan<Integer> ch = make(capacity);
        List<Integer> got0 = new ArrayList<>(); // each list is written by one receiver, read after join
        List<Integer> got1 = new ArrayList<>();
        Thread s0 = go(() -> { ch.send(10); ch.send(11); });
        Thread s1 = go(() -> { ch.send(20); ch.send(21); });
        Thread r0 = go(() -> { got0.add(ch.receive()); got0.add(ch.receive()); });
        Thread r1 = go(() -> { got1.add(ch.receive()); got1.add(ch.receive()); });
        join(s0, s1, r0, r1);

        assertEquals(List.of(10, 11, 20, 21), Stream.concat(got0.stream(), got1.stream()).sorted().toList(),
                "nothing lost, nothing twice");
        for (List<Integer> got : List.of(got0, got1)) {
            for (int sender : List.of(1, 2)) {
                List<Integer> fromSender = got.stream().filter(v -> v / 10 == sender).toList();
                assertEquals(fromSender.stream().sorted().toList(), fromSender, "one sender's values in order: " + got);
            }
        }
        outcome("senders and receivers, capacity " + capacity,
                got0.get(0) / 10 == got0.get(1) / 10 ? "each receiver took one sender's values" : "receivers took from both senders");
    }

    // A buffer is a FIFO queue: one sender, one receiver, a buffer smaller than what is sent.
    @FrayTest(iterations = 200)
    void bufferIsFifo() {
        goroutinesOnPlatformThreads();
        Chan<Integer> ch = make(2);
        List<Integer> got = new ArrayList<>();
        Thread sender = go(() -> {
            for (int i = 0; i < 5; i++) {
                ch.send(i);
            }
            close(ch);                                    // close(ch)
        });
        Thread receiver = go(() -> {
            for (int v : ch) {                            // for v := range ch
                got.add(v);
            }
        });
        join(sender, receiver);
        assertEquals(List.of(0, 1, 2, 3, 4), got);
    }

    // close racing a blocked sender, a blocked receiver, and a select that sends and one that receives: every one of
    // them ends. A value is received exactly when its send completed; a send that loses to close panics, as in Go.
    @FrayTest(iterations = 200)
    void closeRacingSendersReceiversAndSelects() {
        goroutinesOnPlatformThreads();
        Chan<Integer> ch = make();
        Chan<Integer> never = make(); // keeps each select blocked on ch alone
        AtomicInteger sent = new AtomicInteger();     // sends that completed: their values must be received
        AtomicInteger panicked = new AtomicInteger(); // sends that lost to close
        Received<?>[] byReceive = new Received<?>[1];
        Selected[] bySelect = new Selected[1];
        Thread sender = go(() -> {
            try {
                ch.send(1);
                sent.incrementAndGet();
            } catch (Panic p) {
                assertEquals("send on closed channel", p.getMessage());
                panicked.incrementAndGet();
            }
        });
        Thread selectSender = go(() -> {
            try {
                assertEquals(0, select(onSend(ch, 2), onReceive(never)).index());
                sent.incrementAndGet();
            } catch (Panic p) {
                assertEquals("send on closed channel", p.getMessage());
                panicked.incrementAndGet();
            }
        });
        Thread receiver = go(() -> byReceive[0] = ch.receiveOk());
        var fromCh = onReceive(ch);
        Thread selectReceiver = go(() -> bySelect[0] = select(fromCh, onReceive(never)));
        close(ch);
        join(sender, selectSender, receiver, selectReceiver);

        assertEquals(2, sent.get() + panicked.get(), "each send either completed or panicked");
        assertEquals(0, bySelect[0].index());
        List<Object> received = new ArrayList<>();
        if (byReceive[0].ok()) {
            received.add(byReceive[0].value());
        }
        if (bySelect[0].ok()) {
            received.add(bySelect[0].value(fromCh));
        }
        assertEquals(sent.get(), received.size(), "a value is received exactly when its send completed: " + received);
        assertTrue(received.stream().allMatch(v -> v.equals(1) || v.equals(2)));
        assertEquals(received.size(), received.stream().distinct().count());
        outcome("close racing senders and receivers", sent.get() + " sends completed before close");
    }
}
