#!/usr/bin/env bash
# `make run`: serve Kolabo with runserver. Start the local platform emulator (Instagram, TikTok)
# unless real app credentials are set. With no STRIPE_SECRET_KEY (environment or .env), start the
# local Stripe emulator first on a free port, point the app at it with STRIPE_API_BASE and have it
# post signed events to the app's webhook. Either way, run the periodic chores beside it
# (manage.py run_scheduler). Stop them when runserver stops.
# Usage: scripts/run_with_emulators.sh PYTHON HOST PORT
set -euo pipefail
python=$1 host=$2 port=$3

# Emails link to SITE_URL: point it at this server unless the environment or .env chose one already.
if [ -z "${SITE_URL:-}" ] && ! grep -Eqs '^[[:space:]]*SITE_URL=[^[:space:]#]' .env; then
  site_host=$host
  [ "$host" = "0.0.0.0" ] && site_host=127.0.0.1
  export SITE_URL="http://$site_host:$port"
fi
echo "Links in emails point to ${SITE_URL:-the SITE_URL set in .env}"

workdir=$(mktemp -d)
emulator_pid= scheduler_pid= platforms_pid=
cleanup() {
  for pid in $scheduler_pid $emulator_pid $platforms_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The periodic chores (webhook retries, auto-confirm, invitation expiry and reminders, the sweeps
# that re-queue work a broker outage lost) run in-process beside runserver, with no Redis. With
# REDIS_URL set, run `celery -A marketplace beat` and a worker instead.
start_scheduler() {
  if [ -n "${REDIS_URL:-}" ] || grep -Eqs '^[[:space:]]*REDIS_URL=[^[:space:]#]' .env; then
    echo "REDIS_URL is set: run celery beat and a worker for the periodic chores"
    return
  fi
  "$python" manage.py run_scheduler &
  scheduler_pid=$!
  echo "Periodic chores: manage.py run_scheduler (pid $scheduler_pid)"
}

# wait_for_port NAME PID FILE: wait until the emulator started as PID writes its port to FILE.
wait_for_port() {
  for _ in $(seq 1 100); do
    [ -s "$3" ] && return
    kill -0 "$2" 2>/dev/null || { echo "The $1 emulator did not start"; exit 1; }
    sleep 0.1
  done
  [ -s "$3" ] || { echo "The $1 emulator did not start within 10 s"; exit 1; }
}

# Instagram and TikTok: with no app credentials, start the local platform emulator and point the app
# at it, then (re)connect the demo creators' accounts there, since it starts from its seed each time.
if [ -n "${INSTAGRAM_CLIENT_SECRET:-}" ] || grep -Eqs '^[[:space:]]*INSTAGRAM_CLIENT_SECRET=[^[:space:]#]' .env; then
  echo "INSTAGRAM_CLIENT_SECRET is set: creators connect their real Instagram and TikTok accounts"
else
  "$python" -m platform_emulator --port 0 --port-file "$workdir/platforms_port" &
  platforms_pid=$!
  wait_for_port platform "$platforms_pid" "$workdir/platforms_port"
  export PLATFORM_EMULATOR_URL="http://127.0.0.1:$(cat "$workdir/platforms_port")"
  echo "Instagram and TikTok: the local emulator at $PLATFORM_EMULATOR_URL"
  "$python" manage.py demo_platforms_sync \
    || echo "Warning: demo_platforms_sync failed; the demo creators' accounts show as disconnected."
fi

if [ -n "${STRIPE_SECRET_KEY:-}" ] || grep -Eqs '^[[:space:]]*STRIPE_SECRET_KEY=[^[:space:]#]' .env; then
  echo "STRIPE_SECRET_KEY is set: the app talks to ${STRIPE_API_BASE:-its configured Stripe API base}"
  start_scheduler
  "$python" manage.py runserver "$host:$port"
  exit
fi

# runserver on 0.0.0.0 is still reached on loopback by the emulator's webhook posts.
webhook_host=$host
[ "$host" = "0.0.0.0" ] && webhook_host=127.0.0.1
"$python" -m stripe_emulator --port 0 --port-file "$workdir/port" \
  --webhook-secret "${STRIPE_WEBHOOK_SECRET:-whsec_kolabo_emulator}" \
  --webhook-url "http://$webhook_host:$port/payments/stripe/webhook/" &
emulator_pid=$!
wait_for_port Stripe "$emulator_pid" "$workdir/port"

export STRIPE_API_BASE="http://127.0.0.1:$(cat "$workdir/port")"
echo "Stripe: the local emulator at $STRIPE_API_BASE (set STRIPE_SECRET_KEY to use Stripe)"
# The emulator starts empty, and the seed booked its money without Stripe: make the emulator hold
# what the database says (platform balance, demo creators' accounts). Idempotent.
"$python" manage.py demo_stripe_sync \
  || echo "Warning: demo_stripe_sync failed; approving a demo payout may fail until it runs."
start_scheduler
"$python" manage.py runserver "$host:$port"
