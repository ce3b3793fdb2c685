"""The scheduler process (`hotline scheduler`): the one place APScheduler is imported. It only
calls the plain job functions of `hotline.jobs`, while it holds the deployment's leadership."""
