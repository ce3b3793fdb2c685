"""Routing a call: the attempt plan from the rota, busy leases, the next step after each ring."""
