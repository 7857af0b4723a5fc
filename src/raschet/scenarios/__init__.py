"""The public scenario format (``raschet-scenario/1``): validation, loading and running."""
