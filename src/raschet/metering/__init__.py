"""Meters (individual and building), their registers and readings."""
