"""Billing models arrive with the calculation engine."""
