"""Organisations, services, tariffs, norms, calculation rules and who bills which service to an account."""
