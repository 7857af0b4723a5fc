"""A small PDF writer for payment documents: embedded fonts, content streams, forms, image masks."""
