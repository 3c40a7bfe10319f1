///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Error handling: a goroutine that can only print its errors, then a Result type that carries them to the consumer, which decides (and stops after too many); against a real in-process HTTP server, offline.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import com.sun.net.httpserver.HttpServer;
import gochan.Script;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

// Error handling in concurrent code. A goroutine that hits an error cannot return it to anyone: the best it can
// do alone is print it. The better way is to send errors on the same channel as the results, so that the part
// of the program that has the whole picture (the consumer) decides what to do: skip, retry, or stop.
//
// Everything here is real but offline: the good URLs are served by an HTTP server started in this process on
// the loopback interface, the requests are made by java.net.http.HttpClient, and the bad URLs either have no
// scheme (the book's "a", "b", ...) or name a host under .invalid, a domain that is reserved never to resolve
// (RFC 6761). Measured here, offline, such a lookup fails within about 10 ms. Where a resolver is slow to say no,
// a closed loopback port fails as fast (the connection is refused): try --bad-url http://127.0.0.1:1/.
//
// From Concurrency in Go, chapter 4, "Error Handling"; the book's code: kat-co/concurrency-in-go-src,
// concurrency-patterns-in-go/error-handling/: fig-patterns-imporoper-err-handling.go,
// fig-patterns-proper-err-handling.go, fig-stop-after-three-errors.go.
@Command(name = "errors", mixinStandardHelpOptions = true, version = "errors 1.0",
        description = "Error handling: a goroutine that can only print its errors, then a Result type that carries "
                + "them to the consumer, which decides (and stops after too many); against a real in-process HTTP "
                + "server, offline.")
public class Errors implements Callable<Integer> {

    @Option(names = "--bad-url", paramLabel = "URL",
            description = "A URL that fails (default: ${DEFAULT-VALUE}).")
    String badUrl = "http://badhost.invalid/";

    @Option(names = "--max-errors", paramLabel = "N",
            description = "How many errors the last consumer accepts (default: ${DEFAULT-VALUE}).")
    int maxErrors = 3;

    @Spec
    CommandSpec spec;

    // Go's `type Result struct { Error error; Response *http.Response }`: exactly one of the two is set.
    record Result(HttpResponse<String> response, Exception error) {}

    // Go's http.Get fails with a *url.Error that names the request: `Get "a": unsupported protocol scheme ""`.
    // Java's exceptions do not name the URL, and their messages are often null or vary between JDK versions, so
    // this error says what went wrong in a stable form: the exception's class, and the root cause if there is one.
    static final class GetError extends IOException {
        GetError(String url, Exception cause) {
            super("Get \"" + url + "\": " + cause.getClass().getSimpleName() + rootCause(cause), cause);
        }

        private static String rootCause(Throwable error) {
            Throwable root = error;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof UnresolvedAddressException) {
                return ": no such host";
            }
            return root == error ? "" : " (" + root.getClass().getSimpleName() + ")";
        }
    }

    // http.Get(url): the response, or a GetError.
    static HttpResponse<String> get(HttpClient client, String url) throws GetError {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GetError(url, e);
        } catch (IOException | IllegalArgumentException e) {        // IllegalArgumentException: no scheme, say
            throw new GetError(url, e);
        }
    }

    // checkStatus, the first try: its goroutine meets errors it cannot hand to anyone, so it prints them and goes
    // on. How many errors are too many? Should it keep going? It cannot know.
    static ReceiveOnly<HttpResponse<String>> checkStatusPrintingErrors(ReceiveOnly<?> done, HttpClient client,
            String... urls) {
        Chan<HttpResponse<String>> responses = make();
        go(() -> {
            try {                                                   // defer close(responses)
                for (String url : urls) {
                    HttpResponse<String> resp;
                    try {
                        resp = get(client, url);
                    } catch (GetError err) {
                        System.out.println(err.getMessage());       // the best it can do
                        continue;
                    }
                    switch (select(onReceive(done), onSend(responses, resp)).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case responses <- resp:
                    }
                }
            } finally {
                responses.close();
            }
        });
        return responses;
    }

    // checkStatus, fixed: every outcome, response or error, goes to the consumer as a Result.
    static ReceiveOnly<Result> checkStatus(ReceiveOnly<?> done, HttpClient client, String... urls) {
        Chan<Result> results = make();
        go(() -> {
            try {                                                   // defer close(results)
                for (String url : urls) {
                    Result result;
                    try {
                        result = new Result(get(client, url), null);
                    } catch (GetError err) {
                        result = new Result(null, err);
                    }
                    switch (select(onReceive(done), onSend(results, result)).index()) {
                        case 0 -> { return; }                       // case <-done: return
                        case 1 -> { }                               // case results <- result:
                    }
                }
            } finally {
                results.close();
            }
        });
        return results;
    }

    // The in-process stand-in for https://www.google.com: answers every request with 200 and "ok".
    static HttpServer startServer() throws IOException {
        var loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0); // port 0: any free port
        HttpServer server = HttpServer.create(loopback, 0);
        server.createContext("/", exchange -> {
            byte[] body = "ok".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    // The book's first program (fig-patterns-imporoper-err-handling.go): the consumer sees only responses, and the
    // errors are printed by a goroutine that cannot do anything better with them.
    static void printedErrors(HttpClient client, String... urls) {
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            for (HttpResponse<String> response : checkStatusPrintingErrors(done, client, urls)) {
                System.out.println("Response: " + response.statusCode());
            }
        } finally {
            done.close();
        }
    }

    // The book's second program (fig-patterns-proper-err-handling.go): errors reach the consumer as values.
    static void errorsAsValues(HttpClient client, String... urls) {
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            for (Result result : checkStatus(done, client, urls)) {
                if (result.error() != null) {
                    System.out.println("error: " + result.error().getMessage());
                    continue;
                }
                System.out.println("Response: " + result.response().statusCode());
            }
        } finally {
            done.close();
        }
    }

    // The book's third program (fig-stop-after-three-errors.go): the consumer decides. After maxErrors errors it
    // stops reading, and closing done stops checkStatus before it makes the remaining requests.
    static void stopAfterErrors(int maxErrors, HttpClient client, String... urls) {
        Chan<Void> done = make();
        try {                                                       // defer close(done)
            int errCount = 0;
            for (Result result : checkStatus(done, client, urls)) {
                if (result.error() != null) {
                    System.out.println("error: " + result.error().getMessage());
                    errCount++;
                    if (errCount >= maxErrors) {
                        System.out.println("Too many errors, breaking!");
                        break;
                    }
                    continue;
                }
                System.out.println("Response: " + result.response().statusCode());
            }
        } finally {
            done.close();
        }
    }

    @Override
    public Integer call() throws IOException {
        Script.require(spec, maxErrors >= 1, "--max-errors must be at least 1, got " + maxErrors);
        HttpServer server = startServer();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            InetSocketAddress address = server.getAddress();
            String goodUrl = "http://" + address.getHostString() + ":" + address.getPort() + "/";

            // The book lists the good URL first; the bad one goes first here, because the goroutine prints the
            // error while the consumer prints the response, and only this order makes the output deterministic:
            // the consumer cannot print before it receives, and the goroutine sends only after printing the error.
            System.out.println("-- checkStatus can only print its errors:");
            printedErrors(client, badUrl, goodUrl);
            System.out.println("-- errors travel to the consumer as values:");
            errorsAsValues(client, goodUrl, badUrl);
            System.out.println("-- the consumer stops after " + maxErrors + " errors:");
            stopAfterErrors(maxErrors, client, "a", goodUrl, "b", "c", "d");
        } finally {
            server.stop(0);
        }
        return 0;
    }

    public static void main(String... args) {
        // Not on virtual time: its requests are real HTTP on the loopback, which no bubble can see.
        Script.runInRealTime(new Errors(), args);
    }
}

// Output:
// -- checkStatus can only print its errors:
// Get "http://badhost.invalid/": ConnectException: no such host
// Response: 200
// -- errors travel to the consumer as values:
// Response: 200
// error: Get "http://badhost.invalid/": ConnectException: no such host
// -- the consumer stops after 3 errors:
// error: Get "a": IllegalArgumentException
// Response: 200
// error: Get "b": IllegalArgumentException
// error: Get "c": IllegalArgumentException
// Too many errors, breaking!
