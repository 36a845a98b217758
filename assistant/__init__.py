"""assistant: cited answers from news articles."""

__version__ = "0.1.0"
