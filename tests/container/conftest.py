"""Container tests: the component image built by ``make image``, run with podman.

They skip, saying how to enable them, where podman or the image is absent.
"""

import pytest
from podman import podman_service, require_image

# moto in server mode on loopback, as the storage tests start it (the same fixture).
from tests.storage.conftest import s3_server  # noqa: F401


@pytest.fixture(scope="session")
def image() -> str:
    """The tag of this checkout's cpu image (skips when it is not built)."""
    return require_image()


@pytest.fixture(scope="session")
def docker_host(image):
    """podman's Docker-compatible API, with DOCKER_HOST pointing at it."""
    with podman_service() as url:
        yield url
