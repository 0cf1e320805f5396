#!/usr/bin/env bash
# Runs the official SDK scripts against a running emulator.
#   EMULATOR_URL=http://127.0.0.1:8089 ./run.sh            # all three
#   EMULATOR_URL=http://127.0.0.1:8089 ./run.sh openai     # one
# Start the emulator with --manual-clock so the scripts can move time through /_emulator
# (with the system clock they poll every 200 ms instead; use --fast then).
set -euo pipefail
cd "$(dirname "$0")"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
export EMULATOR_URL="${EMULATOR_URL:-http://127.0.0.1:8089}"
scripts=("$@")
[ ${#scripts[@]} -eq 0 ] && scripts=(openai anthropic gemini)
for s in "${scripts[@]}"; do
  echo "== $s against $EMULATOR_URL"
  node "$s.mjs"
done
