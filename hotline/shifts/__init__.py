"""Shift work: the shifts coming up on every line, reminders before them, and confirmations
asked near their start (escalated when nobody confirms)."""
