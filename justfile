# Go's concurrency patterns on the JVM: the everyday commands. Every recipe goes through ./jbang,
# which sets up jbang and a JDK 21+ by itself on first use.

# List the recipes
default:
    @just --list --unsorted

# Run one pattern by its catalog alias, with options: just run fanin --finders 4
[group('patterns')]
run NAME *ARGS:
    ./jbang {{NAME}}@catalog {{ARGS}}

# Run one pattern on virtual time (in a bubble: waits take no time, durations are exact): just virtual or
[group('patterns')]
virtual NAME *ARGS:
    GOCHAN_TIME=virtual ./jbang {{NAME}}@catalog {{ARGS}}

# List the patterns in the catalog, with a usage example for each
[group('patterns')]
list:
    ./jbang alias list catalog

# Run every pattern in the catalog once, with default options; stops at the first that fails
[group('patterns')]
demos:
    #!/usr/bin/env bash
    set -euo pipefail
    # `jbang alias list catalog` prints each alias as NAME@catalog on an unindented line, its description
    # and script indented below.
    for alias in $(./jbang alias list catalog | grep -v '^[[:space:]]'); do
        printf '\n=== ./jbang %s ===\n' "$alias"
        ./jbang "$alias"
    done

# Run every test (JUnit 5 + jqwik); arguments filter by test class name: just test Select Chan
[group('dev')]
test *FILTER:
    ./jbang tests/RunTests.java {{FILTER}}

# Check the helper and the context port schedule by schedule with Fray (needs a JDK 25; builds Fray's JDK once, ~1 min): just modelcheck -Dtest=Select*
[group('dev')]
modelcheck *ARGS:
    tests/modelcheck/run {{ARGS}}

# Run the tests while pausing them for 2 s every 8 s (SIGSTOP, SIGCONT), as a stalled machine would; filters as for test: just chaos Tee
[group('dev')]
chaos *FILTER:
    tests/chaos {{FILTER}}

# Trace every pattern (or those named) into docs/patterns.md and check that Mermaid renders each diagram: just diagrams fanin
[group('dev')]
diagrams *ALIASES:
    #!/usr/bin/env bash
    set -euo pipefail
    out=$(mktemp -d)
    GALLERY_TRACES=$out/traces ./jbang tests/Gallery.java {{ALIASES}}
    # Render with Mermaid's own tool (npm's @mermaid-js/mermaid-cli, installed once in the cache) in a browser: the
    # system's chromium, installed from Debian if missing, since puppeteer's own download is skipped.
    browser=$(command -v chromium || command -v chromium-browser || true)
    if [[ -z $browser ]]; then
        if [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null; then
            apt-get install -y chromium > /dev/null || { apt-get update > /dev/null && apt-get install -y chromium > /dev/null; }
            browser=$(command -v chromium)
        else
            echo "diagrams: no chromium to render with: install it (Debian/Ubuntu: sudo apt-get install chromium) and run again" >&2
            exit 1
        fi
    fi
    tools=${XDG_CACHE_HOME:-$HOME/.cache}/gopatterns-mermaid
    if [[ ! -x $tools/node_modules/.bin/mmdc ]]; then
        mkdir -p "$tools"
        PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$tools" --no-audit --no-fund --silent @mermaid-js/mermaid-cli@12.2.0
    fi
    sandbox=$([[ $(id -u) -eq 0 ]] && echo '"--no-sandbox"' || true) # chromium refuses to run as root with its sandbox
    printf '{"executablePath": "%s", "args": [%s]}\n' "$browser" "$sandbox" > "$out/puppeteer.json"
    # mmdc renders every mermaid block of a Markdown file to an image, and fails on the first it cannot parse.
    # The runs' own files too (their timelines are not in the gallery), in one file: one browser start.
    cat docs/patterns.md "$out"/traces/*.md > "$out/all.md" 2> /dev/null || cp docs/patterns.md "$out/all.md"
    "$tools/node_modules/.bin/mmdc" -q -p "$out/puppeteer.json" -i "$out/all.md" -o "$out/rendered.md" -e png
    echo "diagrams: every diagram renders, the gallery's and each run's timeline (images in $out)"

# Print a running script's goroutine dump on its standard error, by sending it SIGUSR1: just dump 12345
[group('dev')]
[no-exit-message]
dump PID:
    #!/usr/bin/env bash
    set -euo pipefail
    pid={{quote(PID)}}
    if [[ ! $pid =~ ^[0-9]+$ ]] || ! { [[ -d /proc/$pid ]] || ps -p "$pid" > /dev/null 2>&1; }; then
        echo "dump: $pid is not a running process (jps -l lists the running JVMs)" >&2
        exit 1
    fi
    # SIGUSR1 ends a process that does not handle it, and only a program that uses gochan/Go.java handles it.
    # Linux shows the signals a process catches in /proc; elsewhere, check at least that it is a JVM.
    if [[ -r /proc/$pid/status ]]; then
        caught=$(awk '/^SigCgt:/ { print $2 }' "/proc/$pid/status")
        if (( (16#$caught & (1 << 9)) == 0 )); then # bit 9 is signal 10, SIGUSR1
            echo "dump: process $pid does not handle SIGUSR1 (it does not use gochan/Go.java, or not yet): it would end it" >&2
            exit 1
        fi
    elif [[ $(basename "$(ps -o comm= -p "$pid")") != java ]]; then
        echo "dump: process $pid is not a JVM: SIGUSR1 would end it" >&2
        exit 1
    fi
    kill -USR1 "$pid"
    echo "Sent SIGUSR1 to $pid: the goroutine dump appears on that program's standard error."

# Benchmark the helper against Jox and the JDK's queues, taking turns: quick (~3.5 min on 2 cores) or full (~10 min); just bench quick pingpong select2
[group('bench')]
bench MODE="quick" *WORKLOADS:
    ./jbang bench/ChannelBench.java {{MODE}} {{WORKLOADS}}

# Time a warm start-up, the median of RUNS runs of ./jbang ALIAS@catalog --help (with hyperfine if installed): just startup 7 fanin
[group('bench')]
startup RUNS="7" ALIAS="fanin":
    #!/usr/bin/env bash
    set -euo pipefail
    command=(./jbang {{ALIAS}}@catalog --help)
    # Two runs first: one fills jbang's cache and the launch cache, the next the script's class-data archive.
    "${command[@]}" > /dev/null && "${command[@]}" > /dev/null
    if command -v hyperfine > /dev/null; then
        json=$(mktemp)
        hyperfine -N --runs {{RUNS}} --export-json "$json" "${command[*]}"
        # hyperfine prints the mean; the goal is on the median, which its JSON holds
        grep -o '"median": *[0-9.]*' "$json" | awk '{ printf "median of {{RUNS}}: %.3f s\n", $2 }'
        rm -f "$json"
        exit
    fi
    [[ -n ${EPOCHREALTIME:-} ]] || { echo "startup: needs hyperfine or bash 5 (for EPOCHREALTIME)" >&2; exit 1; }
    times=()
    for ((run = 0; run < {{RUNS}}; run++)); do
        start=$EPOCHREALTIME
        "${command[@]}" > /dev/null
        times+=("$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "runs: %s ... %s s; median of %d: %s s\n", t[1], t[NR], NR, t[int((NR + 1) / 2)] }'

# The same workloads in Go, to read the JVM's numbers against; needs Go (Debian/Ubuntu: apt install golang-go)
[group('bench')]
bench-go MODE="quick":
    #!/usr/bin/env bash
    set -euo pipefail
    if ! command -v go > /dev/null; then
        echo "bench-go: skipped, Go is not installed. Install it (Debian/Ubuntu: apt install golang-go; macOS: brew install go; or https://go.dev/dl/) and run it again." >&2
        exit 0
    fi
    go run bench/go/main.go {{MODE}}
