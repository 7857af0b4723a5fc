"""Static files compressed and named by their content (WhiteNoise's manifest storage), served with
far-future cache headers once ``collectstatic`` has run.

Before ``collectstatic`` (tests, a developer's checkout) there is no manifest: the file is then named
as it is, instead of failing the page, and Django's static handler or WhiteNoise's finders serve it.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:  # not collected: no content hashes to name the file by
            return name
        return super().stored_name(name)
