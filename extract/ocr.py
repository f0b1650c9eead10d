"""Offline OCR: rapidocr with onnxruntime. Its Chinese models ship inside the wheel, so nothing
is downloaded at run time. The engine loads on first use, once per process.

The direction classifier stays off (`use_cls=False`): it turns "≥90%" into "%06". Page
orientation is found from the text boxes and recognition scores instead (scan.py)."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from .geometry import Char

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OcrLine:
    """One detected text line: its text, recognition score and axis-aligned box in pixels."""

    text: str
    score: float
    box: tuple[float, float, float, float]  # x0, top, x1, bottom

    @property
    def tall(self) -> bool:
        x0, top, x1, bottom = self.box
        return len(self.text) >= 3 and (bottom - top) > 1.5 * (x1 - x0)


# Memory per worker stays well under 1 GB (about 710 MiB): recognition in batches of 2, not 6
# (the long lines of a 主要职能 cell are wide inputs), and detection on the page scaled to at
# most 1500 px (a 200 dpi A4 page is 2339 px tall; 9 pt text stays about 20 px high), which is
# also faster and read the three scanned samples at least as well as 1600 or full size.
ENGINE_PARAMS = {
    "Global.use_cls": False,
    "Global.log_level": "warning",
    "Rec.rec_batch_num": 2,
    "Det.limit_type": "max",
    "Det.limit_side_len": 1500,
}


@cache
def engine() -> Any:
    import onnxruntime
    from rapidocr import RapidOCR

    onnxruntime.set_default_logger_severity(3)  # its C++ warnings go straight to stderr
    made = RapidOCR(params=ENGINE_PARAMS)
    _quiet(logging.getLogger("RapidOCR"))
    return made


def _quiet(logger: logging.Logger) -> None:
    """RapidOCR gives its logger a console handler of its own and stops propagation, so its
    warnings ("the text detection result is empty" on every blank page) reach the console
    whatever the caller configured. Hand them to the caller's logging instead, errors only: a
    page that reads empty is reported by its finding."""
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.propagate = True
    logger.setLevel(logging.ERROR)


def image_to_lines(image: np.ndarray) -> list[OcrLine]:
    """Text lines of an image (H x W, or H x W x 3)."""
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    result = engine()(image, use_cls=False)
    if result is None or result.boxes is None:
        return []
    lines = []
    for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        if text.strip():
            lines.append(OcrLine(text.strip(), float(score), (min(xs), min(ys), max(xs), max(ys))))
    return lines


# Recognition by cell: crops of similar width go through the model together, and a batch is as
# wide as its widest crop. RapidOCR pads every batch to at least 320 px (6.7 heights), which
# makes a short cell ("≥", "100%", "个") cost as much as a long line; narrower batches read the
# same text (the model is convolutional along the line) in about half the time.
REC_BATCH = 4
REC_MIN_RATIO = 2.0
# A batch's width is rounded up to a multiple of this many pixels (the model's input is 48 high):
# OpenVINO compiles each input shape once, and a few dozen widths are compiled once per process
# instead of one per batch. The padding is paper to the model: the text read is the same.
REC_WIDTH_STEP = 64


class _OpenVinoSession:
    """The recognition model run by OpenVINO: on x86 CPUs it reads the same ONNX file as
    onnxruntime, gives the same text, and in about half the time (bench/RESULTS.md)."""

    def __init__(self, model_path: str) -> None:
        import openvino

        core = openvino.Core()
        compiled = core.compile_model(
            core.read_model(model_path), "CPU", {"PERFORMANCE_HINT": "LATENCY"}
        )
        self._request = compiled.create_infer_request()

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        self._request.infer([batch])
        # A view of the request's output: it is decoded before the next batch overwrites it.
        return np.asarray(self._request.get_output_tensor().data)


@cache
def _rec_session() -> Any:
    """The fastest runtime that loads here for the recognizer: OpenVINO where it is installed
    and the CPU supports it, else rapidocr's own onnxruntime session."""
    recognizer = engine()._load_rec_model()
    model_path = getattr(getattr(recognizer.session, "session", None), "_model_path", None)
    if model_path:
        try:
            return _OpenVinoSession(str(model_path))
        except Exception as exc:  # no wheel for this platform, an old CPU: onnxruntime reads it
            log.info("OpenVINO not used for recognition (%s); onnxruntime instead", exc)
    return recognizer.session


def recognize(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Text and score of each crop (one line of text each, gray or RGB), by the recognition
    model alone."""
    if not crops:
        return []
    # rapidocr 3 loads each model on first use; this is its loader for the recognizer alone
    # (calling the engine with use_det=False would change its defaults for later calls).
    recognizer = engine()._load_rec_model()
    session = _rec_session()
    images = [np.stack([c] * 3, axis=-1) if c.ndim == 2 else c for c in crops]
    ratios = [img.shape[1] / max(img.shape[0], 1) for img in images]
    order = sorted(range(len(images)), key=ratios.__getitem__)
    out: list[tuple[str, float]] = [("", 0.0)] * len(images)
    for start in range(0, len(order), REC_BATCH):
        chunk = order[start : start + REC_BATCH]
        widest = max(REC_MIN_RATIO, *(ratios[k] for k in chunk))
        widest = math.ceil(widest * 48 / REC_WIDTH_STEP) * REC_WIDTH_STEP / 48
        batch = np.stack([recognizer.resize_norm_img(images[k], widest) for k in chunk])
        lines, _ = recognizer.postprocess_op(
            session(batch.astype(np.float32)),
            False,
            wh_ratio_list=[ratios[k] for k in chunk],
            max_wh_ratio=widest,
        )
        for k, (text, score) in zip(chunk, lines, strict=True):
            out[k] = (str(text), float(score))
    return out


def _char_weight(ch: str) -> float:
    """Relative printed width: Chinese and full-width forms are square, the rest half."""
    return 1.0 if ord(ch) > 0x2E7F else 0.55


def lines_to_chars(lines: list[OcrLine], scale: float) -> list[Char]:
    """OCR lines to Chars in points (`scale` = points per pixel), each char placed along its
    line in proportion to its printed width, so that a line that runs over a cell border is
    split where the border is. Every char carries its line's score."""
    chars: list[Char] = []
    for line in lines:
        x0, top, x1, bottom = (v * scale for v in line.box)
        weights = [_char_weight(ch) for ch in line.text]
        unit = (x1 - x0) / max(sum(weights), 1e-6)
        size = bottom - top
        x = x0
        for ch, weight in zip(line.text, weights, strict=True):
            width = weight * unit
            if not ch.isspace():
                chars.append(Char(ch, x, x + width, top, bottom, size, confidence=line.score))
            x += width
    return chars
