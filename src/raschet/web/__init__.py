"""The operator web shell: settings, URLs, layout and dashboard."""
