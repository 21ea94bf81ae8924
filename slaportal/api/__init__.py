"""What every endpoint of the REST API v1 shares: the tenant-scoping base views, the one error
shape, pagination, throttles and Idempotency-Key handling. The endpoints themselves live in each
app's `api/` package."""
