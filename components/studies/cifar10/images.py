"""Decoding one PNG or JPEG image of an image-folder source with Pillow."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from components.errors import DataError
from components.studies.cifar10.batches import SIDE

EXTENSIONS = (".png", ".jpg", ".jpeg")


def decode_image(data: bytes, where: str) -> np.ndarray:
    """A 32x32 image as uint8 RGB ``(32, 32, 3)``; a truncated or corrupt file,
    or another size, raises naming ``where``. The size is checked from the
    header, before any decoding. Grey or palette images are converted to RGB,
    since the colours they stand for are unambiguous."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.size != (SIDE, SIDE):
                raise DataError(where, f"image is {image.size[0]}x{image.size[1]}; expected {SIDE}x{SIDE}")
            image.load()  # decode now: a truncated file raises here, not later
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except DataError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(where, f"not a readable PNG/JPEG image ({exc})") from None
