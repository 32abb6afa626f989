"""reportqa: question answering over Chinese government reports with exact citations."""

__version__ = "0.1.0"
