///usr/bin/env jbang "$0" "$@" ; exit $?
//DESCRIPTION Error propagation: low-level errors wrapped with each module's context at its boundary; the user sees a well-formed message, or a short one for a bug, with a log id; the log gets the whole chain of causes.
//JAVA 21+
//DEPS info.picocli:picocli:4.7.7
// To run it elsewhere, copy it with: gochan/Go.java gochan/Script.java
//SOURCES gochan/Go.java
//SOURCES gochan/Script.java

import static gochan.Go.*;

import gochan.Script;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

// Error propagation (the book's concurrency-at-scale/error-propagation). In a large concurrent system an error
// travels far from where it happened, through goroutines and modules, before someone can act on it. To be useful
// when it gets there it must say what happened, where and when, and with which context; and the user must get a
// short message they can act on, plus an id that leads us to the full story in the log.
//
// The book's rule: at each module boundary, wrap the errors from below in this module's own error type, adding
// this module's context. An error that reaches the top in our own type is well-formed: its message is shown to
// the user. Any other error slipped through unwrapped: that is a bug, so the user gets a short "unexpected issue"
// message and the log gets everything.
@Command(name = "errorprop", mixinStandardHelpOptions = true, version = "errorprop 1.0",
        description = "Error propagation: low-level errors wrapped with each module's context at its boundary; the "
                + "user sees a well-formed message, or a short one for a bug, with a log id; the log gets the whole "
                + "chain of causes.")
public class ErrorProp implements Callable<Integer> {

    @Option(names = "--job-binary", paramLabel = "PATH",
            description = "The job's binary; the book's does not exist (default: ${DEFAULT-VALUE}).")
    Path jobBinPath = Path.of("/bad/job/binary");

    @Option(names = "--log-time", description = "Start each log line with the UTC time, as the book's log does.")
    boolean logTime;

    // ---- The error type --------------------------------------------------------------------------------

    // MyError: the book's error that wraps another. Its fields are a Java exception's own: Inner is the cause
    // (getCause()), Message the message, and StackTrace is recorded when the error is made, as the book's
    // debug.Stack() in wrapError. Misc holds anything else worth logging: the book leaves it empty; here each
    // module puts its own context in it.
    static class MyError extends Exception {
        final Map<String, Object> misc = new LinkedHashMap<>();     // Misc: make(map[string]interface{})

        MyError(Throwable inner, String messagef, Object... msgArgs) { // wrapError(err, messagef, msgArgs...)
            super(String.format(messagef, msgArgs), inner);
        }
    }

    // ---- The "lowlevel" module -------------------------------------------------------------------------

    // Go marks a module's errors by embedding MyError in a type of its own (type LowLevelErr struct{ error });
    // Java says the same with a subclass.
    static final class LowLevelErr extends MyError {
        LowLevelErr(Throwable inner, String messagef, Object... msgArgs) {
            super(inner, messagef, msgArgs);
        }
    }

    // The text Go's os.Stat error would have ("no such file or directory"): Java's exceptions for it only name
    // the file.
    static String reason(IOException err) {
        return switch (err) {
            case NoSuchFileException e -> "no such file or directory";
            case AccessDeniedException e -> "permission denied";
            case FileSystemException e when e.getReason() != null -> e.getReason();
            default -> err.toString();
        };
    }

    // isGloballyExec: whether the file at path has its execute bit set. The book's test, &0100, is the owner's
    // execute bit, whatever the name says; kept. The book passes err.Error() to wrapError as the format itself, so
    // a path with a % in it would come out garbled; here it is an argument.
    static boolean isGloballyExec(Path path) throws LowLevelErr {
        Set<PosixFilePermission> perm;
        try {
            perm = Files.getPosixFilePermissions(path);             // info, err := os.Stat(path)
        } catch (IOException err) {
            LowLevelErr wrapped = new LowLevelErr(err, "stat %s: %s", path, reason(err));
            wrapped.misc.put("path", path.toString());
            throw wrapped;                                          // return false, LowLevelErr{wrapError(err, ...)}
        }
        return perm.contains(PosixFilePermission.OWNER_EXECUTE);    // info.Mode().Perm()&0100 == 0100
    }

    // ---- The "intermediate" module ---------------------------------------------------------------------

    static final class IntermediateErr extends MyError {
        IntermediateErr(Throwable inner, String messagef, Object... msgArgs) {
            super(inner, messagef, msgArgs);
        }
    }

    // Go's exec.ExitError: the job ran and exited with a status other than 0.
    static final class ExitError extends IOException {
        ExitError(int status) {
            super("exit status " + status);
        }
    }

    // exec.Command(path, args...).Run(): runs the program with nothing on its input and its output discarded, and
    // fails if it cannot start or exits with a status other than 0.
    static void run(Path path, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(path.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        process.getOutputStream().close();
        int status = process.waitFor();
        if (status != 0) {
            throw new ExitError(status);
        }
    }

    // runJob as fig-error-propagation.go first writes it: the low-level error goes up as it is. Throws any
    // exception, as Go's runJob returns any error.
    static void runJobUnwrapped(String id, Path jobBinPath) throws Exception {
        boolean isExecutable = isGloballyExec(jobBinPath);          // if err != nil { return err }
        if (!isExecutable) {
            throw new MyError(null, "job binary is not executable");
        }
        run(jobBinPath, "--id=" + id);
    }

    // runJob as fig-error-propagation-corrected.go writes it: the low-level error is wrapped in this module's
    // type, with this module's context: which job could not run. That published file still returns the
    // not-executable error as a bare MyError, so its main reports it as a bug; it is an IntermediateErr here. An
    // error from run, which this module does not expect, still goes up as it is: a bug, reported as one.
    static void runJob(String id, Path jobBinPath) throws Exception {
        boolean isExecutable;
        try {
            isExecutable = isGloballyExec(jobBinPath);
        } catch (LowLevelErr err) {
            IntermediateErr wrapped = new IntermediateErr(err,
                    "cannot run job \"%s\": requisite binaries not available", id);
            wrapped.misc.put("job", id);
            throw wrapped;                                          // return IntermediateErr{wrapError(err, ...)}
        }
        if (!isExecutable) {
            IntermediateErr wrapped = new IntermediateErr(null,
                    "cannot run job \"%s\": requisite binaries are not executable", id);
            wrapped.misc.put("job", id);
            throw wrapped;
        }
        run(jobBinPath, "--id=" + id);                              // return exec.Command(...).Run()
    }

    // ---- The top: what the user sees, what the log gets -----------------------------------------------

    static final String UNEXPECTED = "There was an unexpected issue; please report this as a bug.";

    // main's choice: a well-formed error (our module's type) is shown as it is; anything else is a bug.
    static String userMessage(Throwable err) {
        String msg = UNEXPECTED;
        if (err instanceof IntermediateErr) {                       // if _, ok := err.(IntermediateErr); ok
            msg = err.getMessage();
        }
        return msg;
    }

    // This script's frames of the error's stack trace, up to call(): the JDK's and picocli's, and what runs
    // call(), differ between versions and between a real run and one on virtual time, so the log leaves them out.
    static List<String> ownFrames(Throwable err) {
        List<String> frames = new ArrayList<>();
        for (StackTraceElement frame : err.getStackTrace()) {
            String c = frame.getClassName();
            if (c.equals("ErrorProp") || c.startsWith("ErrorProp$")) {
                frames.add(c + "." + frame.getMethodName()
                        + "(" + frame.getFileName() + ":" + frame.getLineNumber() + ")");
                if (c.equals("ErrorProp") && frame.getMethodName().equals("call")) {
                    break;
                }
            }
        }
        return frames;
    }

    // The log's entry for an error: the whole chain of causes, each with its type, message, Misc and where it was
    // made, in the layout of Java's printStackTrace (a cause's frames shared with the error it caused are counted,
    // not repeated). Every line starts with the prefix, so that one search for the id finds the whole entry.
    static List<String> logEntry(String prefix, Throwable err) {
        List<String> lines = new ArrayList<>();
        List<String> enclosing = List.of();
        String caused = "";
        for (Throwable e = err; e != null; e = e.getCause()) {
            String misc = e instanceof MyError my && !my.misc.isEmpty() ? " " + my.misc : "";
            lines.add(prefix + caused + e.getClass().getName() + ": " + e.getMessage() + misc);
            List<String> frames = ownFrames(e);
            int shared = 0;
            while (shared < Math.min(frames.size(), enclosing.size())
                    && frames.get(frames.size() - 1 - shared).equals(enclosing.get(enclosing.size() - 1 - shared))) {
                shared++;
            }
            for (String frame : frames.subList(0, frames.size() - shared)) {
                lines.add(prefix + "    at " + frame);
            }
            if (shared > 0) {
                lines.add(prefix + "    ... " + shared + " more");
            }
            enclosing = frames;
            caused = "Caused by: ";
        }
        return lines;
    }

    // handleError: the log gets the error in full, the user the message; both under the same id. The book sets
    // the log's output to stdout, so both go to out. time is the UTC time and a space, or "" (the log's flags).
    static void handleError(PrintStream out, String time, int key, Throwable err, String message) {
        for (String line : logEntry("[logID: " + key + "]: " + time, err)) { // log.SetPrefix(...)
            out.println(line);                                      // log.Printf("%#v", err)
        }
        out.println("[" + key + "] " + message);                    // fmt.Printf("[%v] %v", key, message)
    }

    // A job, as main runs it: either version of runJob.
    interface Job {
        void run(String id, Path jobBinPath) throws Exception;
    }

    private int lastLogId;                                          // the book's ids are all 1; a counter here

    // Runs the job; if it fails, its error is handled under the next log id.
    void runAndReport(Job job, String id) {
        try {
            job.run(id, jobBinPath);
            System.out.println("job \"" + id + "\" ran");
        } catch (Exception err) {
            String time = logTime                                   // log.SetFlags(log.Ltime | log.LUTC)
                    ? DateTimeFormatter.ofPattern("HH:mm:ss ").withZone(ZoneOffset.UTC).format(now())
                    : "";
            handleError(System.out, time, ++lastLogId, err, userMessage(err));
        }
    }

    @Override
    public Integer call() {
        System.out.println("-- fig-error-propagation.go: runJob passes the low-level error up as it is");
        runAndReport(ErrorProp::runJobUnwrapped, "1");
        System.out.println("-- fig-error-propagation-corrected.go: runJob wraps it with its own context");
        runAndReport(ErrorProp::runJob, "1");
        return 0;
    }

    public static void main(String... args) {
        Script.run(new ErrorProp(), args);
    }
}

// Output:
// -- fig-error-propagation.go: runJob passes the low-level error up as it is
// [logID: 1]: ErrorProp$LowLevelErr: stat /bad/job/binary: no such file or directory {path=/bad/job/binary}
// [logID: 1]:     at ErrorProp.isGloballyExec(ErrorProp.java:96)
// [logID: 1]:     at ErrorProp.runJobUnwrapped(ErrorProp.java:137)
// [logID: 1]:     at ErrorProp.runAndReport(ErrorProp.java:244)
// [logID: 1]:     at ErrorProp.call(ErrorProp.java:257)
// [logID: 1]: Caused by: java.nio.file.NoSuchFileException: /bad/job/binary
// [logID: 1]:     at ErrorProp.isGloballyExec(ErrorProp.java:94)
// [logID: 1]:     ... 3 more
// [1] There was an unexpected issue; please report this as a bug.
// -- fig-error-propagation-corrected.go: runJob wraps it with its own context
// [logID: 2]: ErrorProp$IntermediateErr: cannot run job "1": requisite binaries not available {job=1}
// [logID: 2]:     at ErrorProp.runJob(ErrorProp.java:153)
// [logID: 2]:     at ErrorProp.runAndReport(ErrorProp.java:244)
// [logID: 2]:     at ErrorProp.call(ErrorProp.java:259)
// [logID: 2]: Caused by: ErrorProp$LowLevelErr: stat /bad/job/binary: no such file or directory {path=/bad/job/binary}
// [logID: 2]:     at ErrorProp.isGloballyExec(ErrorProp.java:96)
// [logID: 2]:     at ErrorProp.runJob(ErrorProp.java:151)
// [logID: 2]:     ... 2 more
// [logID: 2]: Caused by: java.nio.file.NoSuchFileException: /bad/job/binary
// [logID: 2]:     at ErrorProp.isGloballyExec(ErrorProp.java:94)
// [logID: 2]:     ... 3 more
// [2] cannot run job "1": requisite binaries not available
