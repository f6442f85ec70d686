"""Decoding one PNG or JPEG image of an image-folder source with Pillow.

Pixels are stored as 8-bit RGB. Other modes are converted only where the
colours they stand for are unambiguous, and refused by name otherwise:

- 8-bit grey, 1-bit and palette images become RGB (grey g -> (g, g, g));
- 16-bit grey (Pillow's ``I;16*`` and ``I`` modes) is scaled, not clipped:
  0x8080 becomes 128, where Pillow's own conversion would give 255;
- an alpha channel is accepted only when every pixel is opaque (a transparent
  pixel has no colour to keep);
- CMYK, float, Lab and other modes are refused: converting them needs a
  colour profile the file may not carry.
"""

from __future__ import annotations

import io
from typing import cast

import numpy as np
from PIL import Image

from components.errors import DataError, reason
from components.studies.cifar10.batches import SIDE

EXTENSIONS = (".png", ".jpg", ".jpeg")
FORMATS = ("PNG", "JPEG")
_AS_RGB = ("RGB", "L", "1", "P")
_WITH_ALPHA = ("RGBA", "LA", "PA")
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def decode_image(data: bytes, where: str) -> np.ndarray:
    """A 32x32 image as uint8 RGB ``(32, 32, 3)``; a truncated or corrupt file,
    another size or format, or a mode without an unambiguous RGB meaning raises
    naming ``where``. The size is checked from the header, before any decoding."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if image.size != (SIDE, SIDE):
                raise DataError(where, f"image is {image.size[0]}x{image.size[1]}; expected {SIDE}x{SIDE}")
            image.load()  # decode now: a truncated file raises here, not later
            return _to_rgb(image, where)
    except DataError:
        raise
    except Image.UnidentifiedImageError:
        raise DataError(where, "not a readable PNG/JPEG image (neither PNG nor JPEG data)") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(where, f"not a readable PNG/JPEG image ({reason(exc)})") from None


def _to_rgb(image: Image.Image, where: str) -> np.ndarray:
    mode = image.mode
    if mode == "P" and "transparency" in image.info:
        image, mode = image.convert("RGBA"), "RGBA"
    if mode in _AS_RGB:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)
    if mode in _SIXTEEN_BIT:
        grey = np.asarray(image, dtype=np.int64)
        if grey.min() < 0 or grey.max() > 0xFFFF:
            raise DataError(where, f"{mode} image with values outside 0..65535; expected 8- or 16-bit pixels")
        scaled = ((grey * 255 + 0x7FFF) // 0xFFFF).astype(np.uint8)
        return np.repeat(scaled[:, :, np.newaxis], 3, axis=2)
    if mode in _WITH_ALPHA:
        lowest_alpha = cast(tuple[int, int], image.getchannel("A").getextrema())[0]
        if lowest_alpha < 255:
            raise DataError(where, f"{mode} image with transparent pixels; expected opaque RGB")
        return np.asarray(image.convert("RGB"), dtype=np.uint8)
    raise DataError(where, f"{mode} image; expected 8-bit RGB, grey or palette (16-bit grey is scaled)")
