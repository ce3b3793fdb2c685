"""The read-only JSON API for other systems (`/api/v1/`): bearer tokens, scopes, rate limits."""
