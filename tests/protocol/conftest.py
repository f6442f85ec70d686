"""Protocol tests: the real ``kfp.Client`` against a recording KFP API stand-in on loopback."""

import pytest
from kfp_standin import KfpStandIn


@pytest.fixture(autouse=True)
def _isolated_kfp_client(monkeypatch, tmp_path):
    """No user context file and no KFP variables of this machine reach the client."""
    import kfp

    monkeypatch.setattr(kfp.Client, "_LOCAL_KFP_CONTEXT", str(tmp_path / "kfp-context.json"))
    for name in (
        "KF_PIPELINES_ENDPOINT",
        "KF_PIPELINES_UI_ENDPOINT",
        "KF_PIPELINES_DEFAULT_EXPERIMENT_NAME",
        "KF_PIPELINES_OVERRIDE_EXPERIMENT_NAME",
        "KF_PIPELINES_IAP_OAUTH2_CLIENT_ID",
        "KF_PIPELINES_APP_OAUTH2_CLIENT_ID",
        "KF_PIPELINES_APP_OAUTH2_CLIENT_SECRET",
        "KFP_STUDIES_TARGETS",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def api():
    with KfpStandIn() as standin:
        yield standin
