"""The operator's workplace: one layout for every operator page, the search box, the account card,
"why did the bill change" and readings entry (issue 15)."""
