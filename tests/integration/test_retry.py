"""The one retry where the database asks for one (``billing.locks.retry_on_conflict``): a deadlock or a
serialization failure runs the use case again, only at the outermost call; anything else, or too
many attempts, is not hidden. Then a real deadlock on PostgreSQL, resolved by the retry."""

import threading

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from raschet.billing import locks
from raschet.billing.locks import lock_period, retry_on_conflict
from raschet.billing.models import BillingPeriod
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period


def database_error(kind: type[Exception], cause: type[Exception]) -> Exception:
    error = kind("the database refused")
    error.__cause__ = cause("the database refused")
    return error


def flaky(failures: list[Exception]):
    calls = []

    @retry_on_conflict
    def work() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "done"

    return work, calls


@pytest.mark.parametrize("cause", [psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure])
def test_a_deadlock_or_a_serialization_failure_is_run_again(cause, monkeypatch):
    monkeypatch.setattr(locks.time, "sleep", lambda _seconds: None)
    work, calls = flaky([database_error(OperationalError, cause)])
    assert work() == "done" and len(calls) == 2


def test_other_errors_are_not_retried(monkeypatch):
    monkeypatch.setattr(locks.time, "sleep", lambda _seconds: None)
    work, calls = flaky([database_error(IntegrityError, psycopg.errors.UniqueViolation)])
    with pytest.raises(IntegrityError):
        work()
    assert len(calls) == 1


def test_too_many_attempts_are_a_problem_not_a_traceback(monkeypatch):
    monkeypatch.setattr(locks.time, "sleep", lambda _seconds: None)
    work, calls = flaky([database_error(OperationalError, psycopg.errors.DeadlockDetected)
                         for _ in range(locks.ATTEMPTS)])
    with pytest.raises(ProblemsError) as refused:
        work()
    assert refused.value.problems[0].code == "concurrent_conflict" and len(calls) == locks.ATTEMPTS
    assert "взаимная блокировка" in refused.value.problems[0].message


@pytest.mark.django_db
def test_inside_a_callers_transaction_the_caller_retries(monkeypatch):
    monkeypatch.setattr(locks.time, "sleep", lambda _seconds: None)
    work, calls = flaky([database_error(OperationalError, psycopg.errors.DeadlockDetected)])
    with pytest.raises(OperationalError), transaction.atomic():
        work()
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_is_resolved_by_running_one_side_again():
    """Two transactions lock two period rows in opposite orders (what the lock order forbids, made on
    purpose): PostgreSQL aborts one with a deadlock, the retry runs it again, both complete."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: no deadlock")
    first, second = Period(2026, 1), Period(2026, 2)
    both_hold_one = threading.Barrier(2, timeout=30)
    attempts, errors = [], []

    def crossing(one: Period, other: Period) -> None:
        @retry_on_conflict
        @transaction.atomic
        def work() -> None:
            attempts.append(one)
            lock_period(one)
            if len(attempts) <= 2:
                both_hold_one.wait()
            lock_period(other)

        try:
            work()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=crossing, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(attempts) == 3  # one side ran twice
    assert BillingPeriod.objects.filter(period__in=["2026-01", "2026-02"]).count() == 2
