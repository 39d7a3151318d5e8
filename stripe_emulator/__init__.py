"""A small local Stripe for Kolabo's tests and demo: `python -m stripe_emulator --help`.

It answers the official `stripe` library over HTTP for exactly the v1 endpoints the app uses
(Connect Express accounts and account links, transfers and reversals, checkout sessions, payment
intents, refunds, balance, events), with Stripe's documented idempotency, Stripe-Account scoping,
signed webhooks, and a control API under /_emulator/ for tests. Standard library only: the app
never imports it, it runs as a separate process.
"""
