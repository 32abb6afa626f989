"""Scoring the question sets: the runner, metrics, the report and readers' feedback."""
