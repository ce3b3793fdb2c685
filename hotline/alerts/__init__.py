"""High-risk alerts: raised by an outcome, told to more people level by level, until someone
acknowledges them."""
