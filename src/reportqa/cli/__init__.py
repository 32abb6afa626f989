"""The `reportqa` command line."""
