"""Scheduled jobs as plain functions of (environment, now): the scheduler process and
`hotline jobs run` call the same ones. Nothing here imports APScheduler."""
