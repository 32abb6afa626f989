"""Language knowledge the rules share (one module per language)."""
