"""The embedded SQLite takes concurrent writers (a reviewer approving while the Stripe emulator's
webhook writes): WAL, a busy timeout and immediate transactions, so no request answers 500
"database is locked"."""

import threading

import pytest
from django.db import close_old_connections, connection, transaction

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded SQLite default only"),
    pytest.mark.django_db(transaction=True),
]

THREADS, ROUNDS = 8, 10


def test_the_sqlite_connection_is_set_up_for_concurrent_writers():
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert connection.transaction_mode == "IMMEDIATE"


@pytest.fixture
def counter():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS kolabo_test_counter (id INTEGER PRIMARY KEY, value INTEGER)"
        )
        cursor.execute("INSERT INTO kolabo_test_counter (id, value) VALUES (1, 0)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE kolabo_test_counter")


def test_transactions_that_read_then_write_at_the_same_time_all_succeed_in_turn(counter):
    # Each transaction reads, then writes what it read plus one: the shape of a service that checks
    # a status and then saves. With deferred transactions two of them both read, and the second to
    # write is refused at once ("database is locked"); immediate ones queue at BEGIN instead.
    errors: list[Exception] = []
    start = threading.Barrier(THREADS)

    def writer():
        try:
            start.wait()
            for _ in range(ROUNDS):
                with transaction.atomic(), connection.cursor() as cursor:
                    (value,) = cursor.execute("SELECT value FROM kolabo_test_counter WHERE id = 1").fetchone()
                    cursor.execute("UPDATE kolabo_test_counter SET value = %s WHERE id = 1", [value + 1])
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with connection.cursor() as cursor:
        assert (
            cursor.execute("SELECT value FROM kolabo_test_counter WHERE id = 1").fetchone()[0]
            == THREADS * ROUNDS
        )
