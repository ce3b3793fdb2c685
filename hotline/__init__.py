"""The hotline application: database, services, web app, CLI, scheduler jobs, telephony port."""
