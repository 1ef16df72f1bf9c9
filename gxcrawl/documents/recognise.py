"""Reading text-line images with RapidOCR's recognition model, and how sure it is of each character.

RapidOCR ships PaddleOCR's models in its wheel (nothing is downloaded). Its
own pipeline pads every line to at least 320 pixels and keeps only the best
reading; this module runs the recognition model itself, one line at a time
(on one core, batches padded to their widest line cost more than they save),
and decodes the model's per-step probabilities so that a character read
without confidence yields its second-best reading too: the caller may let
the form's arithmetic choose between them.
"""

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

import cv2
import numpy

from gxcrawl.documents.model import DocumentError

#: The recognition model's input height, in pixels.
HEIGHT = 48
#: Below this probability a step of the model's output is unsure: its second-best is an alternative.
SURE = 0.9
#: A line is plausibly a figure where the model gives figure characters at least this much
#: probability at each character it reads.
PLAUSIBLE = 0.05
#: More unsure places than this in one line and it has too many readings to offer.
MAX_UNSURE = 2
_lock = threading.Lock()


@dataclass
class Reading:
    text: str
    #: Other readings, likeliest first, where some character was unsure.
    alternatives: list[str]
    #: How likely the text is one of its readings: the least, over the model's steps, of the
    #: probability of the step's choices (the best, and the second where unsure).
    covered: float = 0.0
    #: Unsure places beyond MAX_UNSURE: the line has more readings than are worth offering.
    doubtful: bool = False
    #: The steps of the model's output the characters were read at.
    steps: list[int] = field(default_factory=list, repr=False)


@lru_cache(maxsize=1)
def engine():
    """RapidOCR, loaded once (its models take a second to load)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as error:
        raise DocumentError("reading scanned reports needs the OCR engine: pip install rapidocr-onnxruntime") from error
    # ONNX Runtime would start a thread per physical core even where the process may use fewer
    # (a worker pinned to one core), and its threads would then fight over the core.
    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else -1
    return RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)


def lock() -> threading.Lock:
    """The engine's lock: its sessions are not safe to share between threads."""
    return _lock


def read_lines(
    images: list[numpy.ndarray],
    squeeze: float = 1.0,
    figure: Callable[[str], bool] = lambda text: False,
    figure_characters: str = "",
) -> list[Reading]:
    """Each image (grey or BGR, one line of text) read. `squeeze` narrows the lines first:
    CJK prose reads as well at half width, in half the time.

    A line read as a figure (`figure(text)`), or which the model finds plausible as one at
    every character, is read again among `figure_characters` only: the model's doubt between
    「0」 and 「o」, or 「2」 and 「N」, is no doubt about the figure; its doubt between 「3」 and
    「8」 is."""
    recogniser = engine().text_rec
    characters = recogniser.postprocess_op.character
    allowed = _indices(tuple(characters), figure_characters)
    readings = []
    with _lock:
        for image in images:
            batch = _normalised(image, squeeze)[numpy.newaxis]
            probabilities = recogniser.session(batch)[0][0]
            reading = _decoded(probabilities, characters)
            if figure_characters:
                restricted = numpy.zeros_like(probabilities)
                restricted[:, allowed] = probabilities[:, allowed]
                restricted /= restricted.sum(axis=1, keepdims=True)
                as_figure = _decoded(restricted, characters)
                # Every character the model sees must be plausibly one of a figure.
                steps = reading.steps
                plausible = bool(steps) and probabilities[steps][:, allowed[1:]].sum(axis=1).min() >= PLAUSIBLE
                if figure(reading.text.strip()) or plausible:
                    reading = as_figure
            readings.append(reading)
    return readings


@lru_cache(maxsize=4)
def _indices(characters: tuple[str, ...], wanted: str) -> numpy.ndarray:
    """The model's output indices of the blank and of the `wanted` characters."""
    return numpy.array([0] + [index for index, character in enumerate(characters) if character in wanted])


def _normalised(image: numpy.ndarray, squeeze: float) -> numpy.ndarray:
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    height, width = image.shape[:2]
    target = max(HEIGHT // 2, int(round(HEIGHT * width / max(height, 1) * squeeze)))
    resized = cv2.resize(image, (target, HEIGHT), interpolation=cv2.INTER_AREA if height > HEIGHT else cv2.INTER_LINEAR)
    return (resized.astype(numpy.float32).transpose(2, 0, 1) / 127.5) - 1.0


def _decoded(probabilities: numpy.ndarray, characters: list[str]) -> Reading:
    steps = numpy.arange(len(probabilities))
    best = probabilities.argmax(axis=1)
    best_p = probabilities[steps, best]
    others = probabilities.copy()
    others[steps, best] = -1.0
    second = others.argmax(axis=1)
    text, kept = _collapse(best, characters)
    spots = _unsure_spots(best_p)
    if len(spots) > MAX_UNSURE:
        return Reading(text, [], 0.0, doubtful=True, steps=kept)
    choices = best_p.copy()
    for spot in spots:
        choices[spot] += probabilities[spot, second[spot]]
    covered = float(choices.min()) if len(choices) else 0.0
    variants: dict[str, float] = {}
    for choice in product((False, True), repeat=len(spots)):
        ids = best.copy()
        score = 1.0
        for switched, spot in zip(choice, spots):
            if switched:
                ids[spot] = second[spot]
                score *= float(numpy.prod(probabilities[spot, second[spot]]))
            else:
                score *= float(numpy.prod(best_p[spot]))
        variant, _ = _collapse(ids, characters)
        if variant != text and variants.get(variant, -1.0) < score:
            variants[variant] = score
    return Reading(text, sorted(variants, key=variants.get, reverse=True), covered, steps=kept)


def _collapse(ids: numpy.ndarray, characters: list[str]) -> tuple[str, list[int]]:
    """CTC decoding: repeats merged, blanks (id 0) dropped; and the steps kept."""
    kept = [step for step, index in enumerate(ids) if index != 0 and (step == 0 or ids[step - 1] != index)]
    return "".join(characters[ids[step]] for step in kept), kept


def _unsure_spots(best_p: numpy.ndarray) -> list[numpy.ndarray]:
    """Runs of consecutive unsure steps: one unsure character (or gap) each."""
    unsure = numpy.flatnonzero(best_p < SURE)
    if not len(unsure):
        return []
    return numpy.split(unsure, numpy.flatnonzero(numpy.diff(unsure) > 1) + 1)
