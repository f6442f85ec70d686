"""Which code produced a model: the package version and, in images, the git commit."""

import os
from importlib import metadata


def code_version() -> str:
    try:
        version = metadata.version("kfp-studies")
    except metadata.PackageNotFoundError:
        version = "unknown"
    commit = os.environ.get("KFP_STUDIES_COMMIT", "")  # set by the image build, read at run time
    return f"{version}+{commit}" if commit else version
