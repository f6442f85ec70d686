"""Progress events: silent unless a local run asks for them; a reader's progress told from the bytes it read."""

import json
import time

from components import progress


def _events(text):
    return [json.loads(line[len(progress.PREFIX) :]) for line in text.splitlines()]


def test_nothing_is_printed_unless_the_run_asks(monkeypatch, capsys):
    monkeypatch.delenv(progress.ENV, raising=False)
    progress.result("3 records", records=3)
    assert capsys.readouterr().out == ""
    monkeypatch.setenv(progress.ENV, "1")
    progress.result("3 records", records=3)
    assert _events(capsys.readouterr().out) == [{"kind": "result", "text": "3 records", "data": {"records": 3}}]


def test_reading_a_source_reports_its_share_rate_and_time_left(monkeypatch, capsys, tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(b"x" * 4_000_000)
    monkeypatch.setenv(progress.ENV, "1")
    with progress.ByteProgress("read", 4_000_000, interval=0.05), open(source, "rb", buffering=0) as f:
        while f.read(400_000):
            time.sleep(0.03)
    texts = [e["text"] for e in _events(capsys.readouterr().out)]
    assert texts and all(t.startswith("read ") and " of 4.0 MB, " in t for t in texts)
    shares = [int(t.split()[1].rstrip("%")) for t in texts]
    assert shares == sorted(shares) and 0 < shares[0] < 100 and "ETA" in texts[0]


def test_durations_and_rates_read_as_a_person_would_say_them():
    assert [progress.duration(s) for s in (2.04, 42, 185, 3725)] == ["2.0 s", "42 s", "3 min 05 s", "1 h 02 min"]
    assert progress.rate(25_000, 7.1, "records") == "25,000 records in 7.1 s (3,521 records/s)"
