"""The search index of the workplace: one normalised text per account.

SQLite's ``lower()`` folds only ASCII, so "Огородная" and "огородная" would differ there; the text
is normalised in Python instead (:func:`raschet.workplace.search.normalise`) and kept here, on
PostgreSQL with a trigram index (migration 0001) so ``LIKE '%…%'`` is an index scan on 1.5 M rows.
Kept up to date by signals on ORM saves and by :func:`raschet.workplace.search.reindex` after bulk
loads (the generator, the demo) and on demand (``raschet search reindex``).
"""

from django.db import models

from raschet.housing.models import Account


class SearchEntry(models.Model):
    account = models.OneToOneField(Account, models.CASCADE, primary_key=True, related_name="+",
                                   verbose_name="лицевой счёт")
    text = models.TextField("нормализованный текст для поиска")

    class Meta:
        verbose_name = "запись поискового индекса"
        verbose_name_plural = "поисковый индекс"

    def __str__(self) -> str:
        return self.text
