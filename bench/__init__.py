"""Benchmarks that print figures (not timed tests); run each as a script."""
