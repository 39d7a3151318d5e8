"""Payment pages and endpoints, one module per flow: funding, earnings, payouts, the Stripe webhook."""
