"""``kfp-studies registry`` against a real file registry."""

import json

from components.registry import Registry
from pipelines.cli import main


def _register(registry, tmp_path, name, accuracy):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "model.keras").write_bytes(b"weights")
    card = {"metrics": {"accuracy": accuracy}, "blessing": {"blessed": True, "forced": False, "reason": "test"}}
    return registry.register("imdb", str(folder), card, promote=True)


def test_list_show_promote_rollback(tmp_path, capsys):
    uri = str(tmp_path / "reg")
    registry = Registry(uri)
    first = _register(registry, tmp_path, "a", 0.8)
    second = _register(registry, tmp_path, "b", 0.9)

    assert main(["registry", "list", "imdb", "--registry", uri]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("* " + second) and "0.9000" in line for line in lines)
    assert any(line.startswith("  " + first) for line in lines)

    assert main(["registry", "show", "imdb", "--registry", uri]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == second

    assert main(["registry", "rollback", "imdb", "--registry", uri]) == 0
    assert registry.champion("imdb")["version"] == first
    assert main(["registry", "promote", "imdb", second, "--registry", uri, "--reason", "again"]) == 0
    assert registry.champion_pointer("imdb")["version"] == second


def test_unknown_version_is_a_clear_error(tmp_path, capsys):
    uri = str(tmp_path / "reg")
    _register(Registry(uri), tmp_path, "a", 0.8)
    assert main(["registry", "promote", "imdb", "v-nope", "--registry", uri]) == 2
    assert "v-nope" in capsys.readouterr().err
