"""Default engine: CTranslate2 fed by SentencePiece directly (no torch, no transformers).

int8 on CPU, float16 on CUDA; the converted model stores float32 weights, so
any compute type can be chosen at load time (tests compare float32 and int8).
CTranslate2's decoding defaults differ from Marian's (beam 2, 256 tokens), so
beam size and both length limits are always passed explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from .base import Hypothesis, Job
from .marian import EOS


def usable_cpus() -> int:
    try:
        return max(1, min(8, len(os.sched_getaffinity(0))))
    except AttributeError:  # not Linux
        return max(1, min(8, os.cpu_count() or 1))


def thread_split(device: str, threads: int = 0) -> tuple[int, int]:
    """(batches decoded in parallel, threads per batch).

    On CPU two batches in parallel with half the threads each beat one batch with
    all of them (measured ~1.4x on 2 cores: small GEMMs scale poorly); CT2's own
    default of 4 threads oversubscribes small machines.
    """
    threads = threads or usable_cpus()
    inter = 2 if device == "cpu" and threads >= 2 else 1
    return inter, max(1, threads // inter)


def default_compute_type(device: str) -> str:
    return "float16" if device == "cuda" else "int8"


class CT2Backend:
    """Decodes piece batches with ctranslate2.Translator."""

    def __init__(self, model_dir: Path, *, max_positions: int, device: str = "auto",
                 compute_type: str | None = None, threads: int = 0) -> None:
        import ctranslate2
        import sentencepiece as spm

        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        self.device = device
        self.compute_type = compute_type or default_compute_type(device)
        self.max_positions = max_positions
        inter, intra = thread_split(device, threads)
        self._translator = ctranslate2.Translator(
            str(model_dir), device=device, compute_type=self.compute_type, inter_threads=inter, intra_threads=intra
        )
        self._target = spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))

    def translate_batches(self, jobs: Sequence[Job], *, beam: int, no_repeat_ngram_size: int = 0
                          ) -> Iterator[list[Hypothesis]]:
        # Submit everything first so the inter_threads workers stay busy, then collect in order.
        pending = [self._submit(job, beam, no_repeat_ngram_size) for job in jobs]
        for results in pending:
            out = []
            for result in results:
                tokens = tuple(result.result().hypotheses[0])
                out.append(Hypothesis(self._target.decode_pieces(list(tokens)), tokens))
            yield out

    def translate_batch(self, texts: list[str], pieces: list[list[str]], *, beam: int,
                        max_decoding_length: int, no_repeat_ngram_size: int = 0) -> list[Hypothesis]:
        job = Job(texts, pieces, max_decoding_length)
        return next(self.translate_batches([job], beam=beam, no_repeat_ngram_size=no_repeat_ngram_size))

    def _submit(self, job: Job, beam: int, no_repeat_ngram_size: int) -> list:  # type: ignore[type-arg]
        return self._translator.translate_batch(
            [[*p, EOS] for p in job.pieces],
            beam_size=beam,
            num_hypotheses=1,
            max_input_length=self.max_positions,  # inputs are pre-split to fit: never truncates
            max_decoding_length=job.max_decoding_length,
            no_repeat_ngram_size=no_repeat_ngram_size,
            length_penalty=1.0,  # transformers' default for beam search, so both engines agree
            max_batch_size=0,  # we batch ourselves (length-sorted, token budget)
            asynchronous=True,
        )
