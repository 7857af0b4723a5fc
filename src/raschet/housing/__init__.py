"""The address fund: buildings, premises, personal accounts, persons and their dated characteristics."""
