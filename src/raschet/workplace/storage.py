"""Static files compressed and named by their content (WhiteNoise's manifest storage), served with
far-future cache headers once ``collectstatic`` has run.

A file the manifest does not know (before ``collectstatic``, or added since) is named as it is,
instead of failing the page, and Django's static handler or WhiteNoise's finders serve it. The test
suite uses plain names throughout (tests/conftest.py), whatever the checkout's ``var/static`` holds.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        if self.hash_key(self.clean_name(name)) not in self.hashed_files:  # not collected: no hash to name it by
            return name
        return super().stored_name(name)
