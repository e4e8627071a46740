"""Translate, align and publish comparable news articles across languages."""

__version__ = "0.1.0"
