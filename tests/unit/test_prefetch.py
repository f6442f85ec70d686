import threading

import pytest

from components.prefetch import prefetched


def test_items_arrive_in_order_from_another_thread():
    producers = set()

    def items():
        for i in range(20):
            producers.add(threading.current_thread().name)
            yield i

    with prefetched(items(), depth=2) as got:
        assert list(got) == list(range(20))
    assert producers == {"prefetch"}


def test_a_producer_error_is_raised_in_the_consumer_after_the_items_before_it():
    def items():
        yield 1
        raise EOFError("truncated")

    seen = []
    with pytest.raises(EOFError, match="truncated"), prefetched(items()) as got:
        seen.extend(got)
    assert seen == [1]


def test_leaving_early_stops_the_producer():
    produced = []

    def endless():
        while True:
            produced.append(1)
            yield len(produced)

    with prefetched(endless(), depth=2) as got:
        assert next(got) == 1
    assert len(produced) <= 4 and not any(t.name == "prefetch" for t in threading.enumerate())
