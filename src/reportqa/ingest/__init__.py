"""Report files in, report text out: Word/PDF/text reading, metadata, headings and chunks."""
