"""The subscriber's personal account (``/lk/``): sign-up by account number and the code printed on
the payment document, balance and charges, documents, readings within the submission window, payment
through a gateway, delivery settings. Every view scopes its account by :class:`AccountLink`."""
