"""The targets file: the shipped examples load, overrides apply, and every bad field is named."""

import dataclasses
import subprocess
import sys

import pytest

from pipelines.cli import main
from pipelines.targets import LOCAL, Target, TargetError, from_table, get_target, target_names, validate

KIND = {
    "backend": "kfp",
    "image": "localhost/kfp-studies:1.0",
    "registry_uri": "s3://b/registry",
    "work_uri": "s3://b/work",
    "pipeline_root": "minio://mlpipeline/v2/artifacts",
    "host": "http://localhost:8080",
}


@pytest.fixture(autouse=True)
def _packaged_targets(monkeypatch):
    monkeypatch.delenv("KFP_STUDIES_TARGETS", raising=False)


def test_the_shipped_file_has_local_kind_kfp_and_vertex_examples():
    names = target_names()
    assert {"local", "kind", "kfp", "vertex"} <= set(names)
    backends = {name: get_target(name).backend for name in names}
    assert backends["local"] == "local" and backends["kind"] == backends["kfp"] == "kfp"
    assert backends["vertex"] == "vertex"


def test_the_local_target_of_the_file_is_the_built_in_one():
    assert get_target("local") == LOCAL


def test_overrides_are_typed_and_reach_table_entries():
    target = get_target(
        "kind",
        overrides={
            "gpu_count": "2",
            "gpu_type": "nvidia.com/gpu",
            "caching": "false",
            "env.EXTRA": "1",
            "tolerations": '[{key = "a", operator = "Exists"}]',
            "node_selector": '{pool = "gpu"}',
            "image": "localhost/x:2",
        },
    )
    assert target.gpu_count == 2 and target.caching is False and target.image == "localhost/x:2"
    assert target.env["EXTRA"] == "1" and target.env["AWS_ENDPOINT_URL"].startswith("http://seaweedfs")
    assert target.tolerations == ({"key": "a", "operator": "Exists"},) and target.node_selector == {"pool": "gpu"}


def test_a_targets_file_is_read_when_asked_for_not_at_import(tmp_path, monkeypatch):
    monkeypatch.setenv("KFP_STUDIES_TARGETS", str(tmp_path / "absent.toml"))
    code = "import pipelines.targets, pipelines.cli, pipelines.steps, pipelines.submit, pipelines.schedule"
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(TargetError, match="absent.toml"):
        get_target("local")
    own = tmp_path / "mine.toml"
    own.write_text(
        '[targets.lab]\nbackend = "kfp"\n' + "".join(f'{k} = "{v}"\n' for k, v in KIND.items() if k != "backend")
    )
    monkeypatch.setenv("KFP_STUDIES_TARGETS", str(own))
    assert get_target("lab").host == "http://localhost:8080"
    assert get_target("lab", path=str(own)).backend == "kfp"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"backend": "k8s"}, "backend"),
        ({"gpu_count": "one"}, "gpu_count"),
        ({"gpu_count": 1}, "gpu_type"),
        ({"gpu_type": "nvidia.com/gpu"}, "gpu_count"),
        ({"gpu_type": "NVIDIA_TESLA_T4", "gpu_count": 1}, "gpu_type"),
        ({"caching": "yes"}, "caching"),
        ({"image": "localhost/kfp-studies"}, "image"),
        ({"image": "localhost/kfp-studies:latest"}, "image"),
        ({"registry_uri": ""}, "registry_uri"),
        ({"work_uri": "/tmp/work"}, "work_uri"),
        ({"pipeline_root": "/tmp/root"}, "pipeline_root"),
        ({"pipeline_root": "s3://user:pass@bucket/root"}, "pipeline_root"),
        ({"host": "localhost:8080"}, "host"),
        ({"node_selector": {"pool": 1}}, "node_selector"),
        ({"tolerations": [{"key": "a", "operator": "Maybe"}]}, "tolerations[0].operator"),
        ({"tolerations": [{"key": "a", "effect": "Never"}]}, "tolerations[0].effect"),
        ({"tolerations": [{"key": "a", "colour": "red"}]}, "tolerations[0]"),
        ({"env": {"AWS_SECRET_ACCESS_KEY": "hunter2"}}, "env.AWS_SECRET_ACCESS_KEY"),
        ({"env": {"KFP_TOKEN": "abc"}}, "env.KFP_TOKEN"),
        ({"secret_env": {"Bad_Name": {"k": "V"}}}, "secret_env.Bad_Name"),
        ({"cpu_limit": "lots"}, "cpu_limit"),
        ({"memory_limit": "16 GB"}, "memory_limit"),
        ({"project": "p"}, "project"),
        ({"schedule_timezone": "Mars/Olympus"}, "schedule_timezone"),
        ({"service_account": "Not A Name"}, "service_account"),
        ({"gpu_typ": "x"}, "gpu_typ"),
    ],
)
def test_a_bad_field_is_an_error_that_names_it(change, field):
    with pytest.raises(TargetError) as error:
        from_table("lab", {**KIND, **change}, "lab.toml")
    message = str(error.value)
    assert f"target 'lab' (lab.toml): {field}" in message or f"unknown field {field!r}" in message, message


def test_an_unknown_field_suggests_the_right_one():
    with pytest.raises(TargetError, match="did you mean 'gpu_type'"):
        from_table("lab", {**KIND, "gpu_typ": "nvidia.com/gpu"})


@pytest.mark.parametrize(
    "change, field",
    [
        ({"node_selector": {"pool": "gpu"}}, "node_selector"),
        ({"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}]}, "tolerations"),
        ({"secret_env": {"s": {"k": "V"}}}, "secret_env"),
        ({"host": "http://kfp"}, "host"),
        ({"pipeline_root": "s3://bucket/root"}, "pipeline_root"),
        ({"registry_uri": "s3://bucket/registry"}, "registry_uri"),
    ],
)
def test_vertex_refuses_what_it_does_not_have(change, field):
    vertex = {
        "backend": "vertex",
        "image": "eu-docker.pkg.dev/p/r/i:1",
        "pipeline_root": "gs://b/root",
        "registry_uri": "gs://b/registry",
        "work_uri": "gs://b/work",
        "project": "p",
        "region": "europe-west4",
    }
    from_table("v", vertex)
    with pytest.raises(TargetError, match=f"{field}: "):
        from_table("v", {**vertex, **change})


def test_missing_target_and_bad_file_are_clear(tmp_path):
    with pytest.raises(TargetError, match="no target 'kindd'.*did you mean 'kind'"):
        get_target("kindd")
    bad = tmp_path / "bad.toml"
    bad.write_text("[targets.x\n")
    with pytest.raises(TargetError, match="not valid TOML"):
        get_target("x", path=str(bad))
    bad.write_text("[lab]\nbackend = 'kfp'\n")
    with pytest.raises(TargetError, match=r"\[targets.NAME\]"):
        get_target("lab", path=str(bad))


def test_a_target_built_in_code_is_validated_the_same_way():
    validate(Target(name="t", image="r/i:1", registry_uri="r", work_uri="w"))
    with pytest.raises(TargetError, match="gpu_type"):
        validate(dataclasses.replace(LOCAL, gpu_count=1))


def test_the_targets_command_lists_and_shows(capsys):
    assert main(["targets"]) == 0
    out = capsys.readouterr().out
    assert "kind" in out and "vertex" in out and "NVIDIA_TESLA_T4" in out
    assert main(["targets", "kind", "--set", "target.gpu_count=1", "--set", "target.gpu_type=nvidia.com/gpu"]) == 0
    assert '"gpu_count": 1' in capsys.readouterr().out
    assert main(["targets", "kind", "--set", "target.gpu_count=x"]) == 2
    assert "gpu_count: must be an integer" in capsys.readouterr().err


def test_every_command_that_uses_a_target_takes_target_and_set(capsys):
    for command in (
        ["list"],
        ["compile", "imdb"],
        ["run", "imdb", "--local", "--source", "x"],
        ["submit", "imdb"],
        ["schedule", "imdb", "--cron", "0 0 * * *"],
        ["schedule", "list"],
        ["schedule", "pause", "id"],
        ["registry", "list", "imdb"],
    ):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        out = capsys.readouterr().out
        assert "--target" in out and "--set" in out, command


def test_targets_init_writes_an_editable_file_that_loads_and_validates(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("KFP_STUDIES_TARGETS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["targets", "init"]) == 0
    written = tmp_path / "targets.toml"
    assert f"wrote {written.name}" in capsys.readouterr().out
    text = written.read_text()
    assert text.startswith("# Your kfp-studies targets") and "KFP_STUDIES_TARGETS" in text and "make image-tag" in text
    assert target_names(str(written)) == target_names()
    for name in target_names(str(written)):
        assert get_target(name, str(written)) == get_target(name), name  # every target loads and validates

    # An edit is what the commands then use.
    written.write_text(text.replace('namespace = "ml-team"', 'namespace = "vision"'))
    monkeypatch.setenv("KFP_STUDIES_TARGETS", str(written))
    assert get_target("kfp").namespace == "vision"


def test_targets_init_never_overwrites(tmp_path, capsys):
    mine = tmp_path / "mine.toml"
    mine.write_text("# my targets\n")
    assert main(["targets", "init", str(mine)]) == 2
    err = capsys.readouterr().err
    assert str(mine) in err and "never overwrites" in err
    assert mine.read_text() == "# my targets\n"
    assert main(["targets", "kind", str(mine)]) == 2
    assert "targets init PATH" in capsys.readouterr().err
