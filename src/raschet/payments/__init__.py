"""Payments: bank registries, the cash desk and the API; allocation to debts; suspense; supplier settlements."""
