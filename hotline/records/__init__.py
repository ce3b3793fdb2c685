"""Call records: the log supervisors review, outcomes counselors enter, exports, retention."""
