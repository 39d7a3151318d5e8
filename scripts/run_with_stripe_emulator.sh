#!/usr/bin/env bash
# `make run`: serve Kolabo with runserver. With no STRIPE_SECRET_KEY (environment or .env), start the
# local Stripe emulator first on a free port, point the app at it with STRIPE_API_BASE and have it
# post signed events to the app's webhook; stop it when runserver stops.
# Usage: scripts/run_with_stripe_emulator.sh PYTHON HOST PORT
set -euo pipefail
python=$1 host=$2 port=$3

if [ -n "${STRIPE_SECRET_KEY:-}" ] || grep -Eqs '^[[:space:]]*STRIPE_SECRET_KEY=[^[:space:]#]' .env; then
  echo "STRIPE_SECRET_KEY is set: the app talks to ${STRIPE_API_BASE:-its configured Stripe API base}"
  exec "$python" manage.py runserver "$host:$port"
fi

workdir=$(mktemp -d)
emulator_pid=
cleanup() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# runserver on 0.0.0.0 is still reached on loopback by the emulator's webhook posts.
webhook_host=$host
[ "$host" = "0.0.0.0" ] && webhook_host=127.0.0.1
"$python" -m stripe_emulator --port 0 --port-file "$workdir/port" \
  --webhook-secret "${STRIPE_WEBHOOK_SECRET:-whsec_kolabo_emulator}" \
  --webhook-url "http://$webhook_host:$port/payments/stripe/webhook/" &
emulator_pid=$!

for _ in $(seq 1 100); do
  [ -s "$workdir/port" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { echo "The Stripe emulator did not start"; exit 1; }
  sleep 0.1
done
[ -s "$workdir/port" ] || { echo "The Stripe emulator did not start within 10 s"; exit 1; }

export STRIPE_API_BASE="http://127.0.0.1:$(cat "$workdir/port")"
echo "Stripe: the local emulator at $STRIPE_API_BASE (set STRIPE_SECRET_KEY to use Stripe)"
"$python" manage.py runserver "$host:$port"
