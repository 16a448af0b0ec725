#!/usr/bin/env bash
# Accepts a reviewed change of the draft report: runs the report approval tests, prints how the
# received report.md, report.tex and results.json differ from the approved baselines, and copies
# the received files over tests/reports/approved/. Review the result with
#   git diff tests/reports/approved
# before committing it.
#   scripts/approve-reports.sh [BUILD_DIR]     (default build-test; configured if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build-test}
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" --target report_approval_test keycomp

received=$(mktemp -d)
trap 'rm -rf "$received"' EXIT
test_binary=$(find "$build/tests" -type f -name report_approval_test | head -n 1)
if KEYCOMP_RECEIVED_DIR="$received" "$test_binary" >/dev/null 2>&1; then
  echo "approve-reports: the reports match the approved baselines; nothing to do"
  exit 0
fi

shopt -s nullglob
files=("$received"/*.received.*)
if ((${#files[@]} == 0)); then
  echo "approve-reports: the approval test failed without writing a received file:" >&2
  KEYCOMP_RECEIVED_DIR="$received" "$test_binary" >&2 || true
  exit 1
fi
for file in "${files[@]}"; do
  name=$(basename "$file")
  approved="tests/reports/approved/${name/.received./.approved.}"
  echo "== $approved"
  if [[ -f "$approved" ]]; then diff -u "$approved" "$file" || true; else echo "(new baseline)"; fi
  cp "$file" "$approved"
done
echo "approve-reports: ${#files[@]} baseline(s) updated; review with: git diff tests/reports/approved"
