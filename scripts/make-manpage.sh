#!/usr/bin/env bash
# Writes the manual page keycomp.1 from the binary's own help, so that it never drifts from it.
#   scripts/make-manpage.sh KEYCOMP_BINARY OUTPUT_FILE
# Called by the build (target keycomp-man); the page is installed by `cmake --install`.
set -euo pipefail
binary=$1
output=$2
version=$("$binary" --version | head -n 1)

# roff: a backslash is written \e; a line starting with . or ' would be a request.
escape() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

help=$("$binary" --help)
subcommands=$(awk '/^Subcommands:/{on=1; next} on && /^$/{exit}
                                       on {sub(/^ +/, ""); split($0, w, /[ ,]/); print w[1]}' <<<"$help")

tmp=$(mktemp "${output}.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  echo ".TH KEYCOMP 1 \"\" \"$version\" \"User Commands\""
  echo ".SH NAME"
  echo "keycomp \\- analysis of key comparisons between national metrology institutes (CIPM MRA)"
  echo ".SH SYNOPSIS"
  echo ".B keycomp"
  echo ".I SUBCOMMAND"
  echo "[\\fIOPTIONS\\fR]"
  echo ".SH DESCRIPTION"
  echo "keycomp computes key comparison reference values (KCRV) with many estimators, each"
  echo "laboratory's degree of equivalence with its uncertainty, consistency checks, Monte Carlo"
  echo "uncertainties (GUM Supplement 1) and the draft report of a comparison."
  echo ".PP"
  echo ".nf"
  "$binary" --help | escape
  echo ".fi"
  echo ".SH SUBCOMMANDS"
  for sub in $subcommands; do
    echo ".SS $sub"
    echo ".nf"
    "$binary" "$sub" --help | escape
    echo ".fi"
  done
  echo ".SH EXIT STATUS"
  echo ".TP"
  echo ".B 0"
  echo "success"
  echo ".TP"
  echo ".B 1"
  echo "a computation that could not be done, with its reason on standard error"
  echo ".TP"
  echo ".B 2"
  echo "bad input or options: one message naming the file, line and field; no output file is"
  echo "left behind"
  echo ".SH FILES"
  echo "The input formats, the JSON output and every extension are documented in the"
  echo "installed documentation (share/doc/keycomp: formats.md, cli-extensions.md, report.md)."
} >"$tmp"
mv "$tmp" "$output"
trap - EXIT
