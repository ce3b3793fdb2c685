"""The configuration file: YAML in and out, every problem reported with its place."""
