#!/usr/bin/env bash
# `cmake --install` into a temporary prefix gives a working keycomp, its manual page (readable
# with `man -l`) and the documentation.
#   tests/install/install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
fail() { echo "install_test: $*" >&2; exit 1; }

[[ -x "$prefix/bin/keycomp" ]] || fail "no bin/keycomp"
version=$("$prefix/bin/keycomp" --version) || fail "keycomp --version"
grep -q "[0-9]\.[0-9]" <<<"$version" || fail "keycomp --version: $version"
# The installed binary works on a bundled comparison from any folder.
# (Output captured first: grep -q closing the pipe early would make pipefail fail the test.)
json=$(cd "$prefix" && "$prefix/bin/keycomp" analyse "$source/datasets/ccqm_k25_pcb28/results.csv" \
         -e dersimonian_laird --format json) || fail "installed keycomp analyse"
grep -q '"estimator": *"dersimonian_laird"' <<<"$json" || fail "installed keycomp analyse output"

page="$prefix/share/man/man1/keycomp.1"
[[ -f "$page" ]] || fail "no share/man/man1/keycomp.1"
text=$(MANWIDTH=100 man -l "$page" 2>&1) || fail "man -l keycomp.1: $text"
for section in NAME SYNOPSIS DESCRIPTION SUBCOMMANDS "EXIT STATUS"; do
  grep -q "^$section" <<<"$text" || fail "man page has no $section section"
done
# One entry per subcommand the binary lists, with its usage line.
help=$("$prefix/bin/keycomp" --help)
for sub in $(awk '/^Subcommands:/{on=1; next} on && /^$/{exit}
                                               on {sub(/^ +/, ""); split($0, w, /[ ,]/); print w[1]}' <<<"$help"); do
  grep -q "Usage: keycomp $sub" <<<"$text" || fail "man page lacks subcommand $sub"
done

for doc in formats.md cli-extensions.md report.md README.md; do
  [[ -f "$prefix/share/doc/keycomp/$doc" ]] || fail "no share/doc/keycomp/$doc"
done
echo "install_test: bin/keycomp, keycomp.1 and the docs installed and working"
