"""History across releases: diffs, a code's timeline, answers as of a date, replacement chains."""
