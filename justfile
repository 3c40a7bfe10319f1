# Go's concurrency patterns on the JVM: the everyday commands. Every recipe goes through ./jbang,
# which sets up jbang and a JDK 21+ by itself on first use.

# List the recipes
default:
    @just --list --unsorted

# Run one pattern by its catalog alias, with options: just run fanin --finders 4
[group('patterns')]
run NAME *ARGS:
    ./jbang {{NAME}}@catalog {{ARGS}}

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
