"""Optional language-model answers, verified against the passages and replaced when they fail."""
