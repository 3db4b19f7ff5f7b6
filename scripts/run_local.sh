#!/usr/bin/env bash
# Start the local system: Anvil with persistent state, contracts deployed once,
# migrated database, and the API with its anchoring worker on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA_DIR="${DENTAREVIEW_DATA_DIR:-.dentareview}"
RPC_URL="${DENTAREVIEW_RPC_URL:-http://127.0.0.1:8545}"
HOST="${DENTAREVIEW_HOST:-127.0.0.1}"
PORT="${DENTAREVIEW_PORT:-8000}"
BIN=.venv/bin
ANVIL_DIR="$DATA_DIR/anvil"
mkdir -p "$ANVIL_DIR"

chain_answers() {
  "$BIN/python" -c 'import sys; from dentareview.chain.client import make_web3, chain_id_or_none
sys.exit(chain_id_or_none(make_web3(sys.argv[1], timeout_seconds=1)) is None)' "$RPC_URL"
}

ANVIL_PID=""
stop_children() {
  if [ -n "$ANVIL_PID" ]; then
    kill "$ANVIL_PID" 2>/dev/null || true   # SIGTERM: Anvil writes its state on exit
    wait "$ANVIL_PID" 2>/dev/null || true
  fi
}
trap stop_children EXIT INT TERM

if chain_answers; then
  echo "chain: using the node already answering at $RPC_URL"
else
  echo "chain: starting Anvil on $RPC_URL (state kept in $ANVIL_DIR/state.json)"
  node_modules/.bin/anvil --host 127.0.0.1 --port "${RPC_URL##*:}" \
    --state "$ANVIL_DIR/state.json" --state-interval 5 \
    >"$ANVIL_DIR/anvil.log" 2>&1 &
  ANVIL_PID=$!
  for _ in $(seq 1 100); do chain_answers && break; sleep 0.1; done
  chain_answers || { echo "Anvil did not start; see $ANVIL_DIR/anvil.log" >&2; exit 1; }
fi

"$BIN/dentareview" deploy --if-missing
"$BIN/dentareview" migrate
"$BIN/dentareview" serve --host "$HOST" --port "$PORT"
