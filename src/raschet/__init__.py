"""Raschet: billing for housing, utilities and power sales."""

__version__ = "0.1.0"
