"""The meter controller's route: route sheets by building and entrance, and readings, meter checks and
seals entered offline on a phone and synchronised idempotently (issue 16, item 2)."""
