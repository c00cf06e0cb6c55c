#!/usr/bin/env bash
# Installs dependencies, builds and runs the whole test suite twice: a release build (build/)
# and an AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/).
# PHUSONG_SKIP_ASAN=1 runs the release build only (a quicker local loop).
set -euo pipefail
cd "$(dirname "$0")/.."
stage() { echo "== $1 (${SECONDS} s since the start) =="; }
bash scripts/setup.sh
stage "release build"
cmake --preset release >/dev/null
cmake --build --preset release
stage "release tests"
ctest --preset release
if [ "${PHUSONG_SKIP_ASAN:-0}" != "1" ]; then
  stage "AddressSanitizer + UBSan build"
  cmake --preset asan >/dev/null
  cmake --build --preset asan
  stage "AddressSanitizer + UBSan tests"
  ctest --preset asan
fi
stage "done"
