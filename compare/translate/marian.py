"""The translation loop shared by both engines.

Everything that decides *what* gets translated lives here, so the CTranslate2
and transformers engines differ only in the one call that decodes a batch:
whitespace normalisation, empty lines skipped, identical sentences translated
once, overlong sentences split (never truncated), length-sorted batches under
a token budget, the runaway guard with one retry, results in input order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from .base import Backend, Hypothesis, Job
from .batching import batches
from .guard import RETRY_NO_REPEAT_NGRAM, decode_limit, runaway
from .splitting import joiner, split_overlong, token_windows

log = logging.getLogger(__name__)
EOS = "</s>"
# Padded source tokens per batch, divided by the beam size: bounds memory (each
# hypothesis keeps its own decoder state) and, on CPU, smaller beam batches are
# also faster (measured with opus-mt-ru-en shapes on 2 cores).
BATCH_TOKENS = 2048
MAX_BATCH = 32
# On a GPU, small batches leave it idle: CTranslate2 int8_float16 decoded 155 sentences/s
# at beam 4 with the CPU's limits on an H200, against transformers' 625 with large batches.
GPU_BATCH_TOKENS = 16384
GPU_MAX_BATCH = 256
PROGRESS_MIN = 50  # show a progress bar only for runs at least this long


def batch_limits(device: str) -> tuple[int, int]:
    """(padded source tokens per batch, to be divided by the beam size; sentences per batch)."""
    return (GPU_BATCH_TOKENS, GPU_MAX_BATCH) if device == "cuda" else (BATCH_TOKENS, MAX_BATCH)


class MarianTranslator:
    """A Translator over any Backend (see base.py), for one Marian model.

    Args:
        backend: the loaded engine.
        model_id: shown in reports (hub id or local directory name).
        engine: "ctranslate2" or "transformers".
        source_spm: the model's source SentencePiece file (splitting, lengths).
        target_language: for joining split chunks.
        target_token: sentence-initial token for multi-target models (">>fra<<").
        beam: beam size (1 = greedy).
        progress: show a progress bar on stderr for long runs.
        batch_tokens: padded input tokens per batch (divided by the beam size); None: by the
            backend's device (batch_limits).
        max_input_tokens: split longer inputs (default: the model's position table).
    """

    def __init__(
        self, backend: Backend, *, model_id: str, engine: str, source_spm: Path, target_language: str,
        target_token: str | None = None, beam: int = 4, progress: bool = False,
        batch_tokens: int | None = None, max_input_tokens: int | None = None,
    ) -> None:
        import sentencepiece as spm

        self.backend = backend
        self._model_id, self._engine = model_id, engine
        self._sp = spm.SentencePieceProcessor(model_file=str(source_spm))
        self.target_language, self.target_token = target_language, target_token
        tokens, self.max_batch = batch_limits(str(getattr(backend, "device", "cpu")))
        self.beam, self.progress, self.batch_tokens = beam, progress, batch_tokens or tokens
        # Inputs longer than this are split: the position table, or less for models
        # that only saw short sentences in training (the registry can say so).
        self.max_input_tokens = min(max_input_tokens or backend.max_positions, backend.max_positions)
        self.flags: dict[str, str] = {}  # source sentence -> why its output looks wrong

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def engine(self) -> str:
        return self._engine

    # -- input side ----------------------------------------------------------
    def pieces(self, text: str) -> list[str]:
        """Model input pieces for a text, without the final </s>."""
        pieces = self._sp.encode(text, out_type=str)
        return [self.target_token, *pieces] if self.target_token else pieces

    def count(self, text: str) -> int:
        return len(self.pieces(text)) + 1  # + </s>

    def _windows(self, text: str, limit: int) -> list[str]:
        room = limit - 1 - (1 if self.target_token else 0)
        return [self._sp.decode_pieces(w) for w in token_windows(self._sp.encode(text, out_type=str), room)]

    def chunks(self, text: str) -> list[str]:
        return split_overlong(text, limit=self.max_input_tokens, count=self.count, windows=self._windows)

    # -- the loop ------------------------------------------------------------
    def translate(self, sentences: Sequence[str]) -> list[str]:
        """One translation per sentence, in order; "" for blank sentences."""
        where: dict[str, list[int]] = {}
        for i, sentence in enumerate(sentences):
            if text := " ".join(sentence.split()):
                where.setdefault(text, []).append(i)
        # Sorted: batches then depend on the set of sentences, not on their order or repeats.
        texts = sorted(where)
        chunk_texts: list[str] = []
        owner: list[int] = []
        for u, text in enumerate(texts):
            for chunk in self.chunks(text):
                chunk_texts.append(chunk)
                owner.append(u)
        hyps, flagged = self._decode_all(chunk_texts)
        for i, reason in flagged.items():
            self.flags[texts[owner[i]]] = reason
            log.warning("translation may be wrong (%s): %.60s", reason, texts[owner[i]])
        parts: list[list[str]] = [[] for _ in texts]
        for u, hyp in zip(owner, hyps, strict=True):
            parts[u].append(hyp.text)
        out = [""] * len(sentences)
        glue = joiner(self.target_language)
        for u, text in enumerate(texts):
            joined = glue.join(p.strip() for p in parts[u])
            for i in where[text]:
                out[i] = joined
        return out

    def _decode_all(self, texts: list[str]) -> tuple[list[Hypothesis], dict[int, str]]:
        """Hypotheses for `texts`, and {index: reason} for those still runaway after the retry."""
        pieces = [self.pieces(t) for t in texts]
        results: list[Hypothesis | None] = [None] * len(texts)
        bad = self._run(texts, pieces, range(len(texts)), results, no_repeat=0)
        if bad:  # retry the runaways once, forbidding repeated n-grams
            log.info("retrying %d runaway translation(s) with no_repeat_ngram_size=%d", len(bad), RETRY_NO_REPEAT_NGRAM)
            bad = self._run(texts, pieces, list(bad), results, no_repeat=RETRY_NO_REPEAT_NGRAM)
        return [r for r in results if r is not None], bad

    def _run(self, texts: list[str], pieces: list[list[str]], todo: Sequence[int],
             results: list[Hypothesis | None], *, no_repeat: int) -> dict[int, str]:
        """Decode `todo` (indices) in length-sorted batches; return {index: runaway reason}."""
        todo = list(todo)
        lengths = [len(pieces[i]) + 1 for i in todo]
        plan = batches(lengths, budget=max(1, self.batch_tokens // self.beam), max_size=self.max_batch)
        groups = [[todo[b] for b in batch] for batch in plan]
        jobs = [
            Job([texts[i] for i in idx], [pieces[i] for i in idx],
                decode_limit(max(len(pieces[i]) + 1 for i in idx), self.backend.max_positions))
            for idx in groups
        ]
        bad: dict[int, str] = {}
        with _progress(self.progress and len(todo) >= PROGRESS_MIN, len(todo)) as advance:
            outputs = self.backend.translate_batches(jobs, beam=self.beam, no_repeat_ngram_size=no_repeat)
            for idx, job, hyps in zip(groups, jobs, outputs, strict=True):
                for i, hyp in zip(idx, hyps, strict=True):
                    results[i] = hyp
                    own_cap = decode_limit(len(pieces[i]) + 1, self.backend.max_positions)
                    if reason := runaway(pieces[i], hyp.tokens, min(job.max_decoding_length, own_cap)):
                        bad[i] = reason
                advance(len(idx))
        return bad


class _progress:
    """A rich progress bar on stderr (only on a terminal), or nothing."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total, self._bar = enabled, total, None

    def __enter__(self):  # type: ignore[no-untyped-def]
        if not self.enabled:
            return lambda n: None
        from rich.console import Console
        from rich.progress import Progress

        console = Console(stderr=True)
        if not console.is_terminal:
            return lambda n: None
        self._bar = Progress(console=console, transient=True)
        self._bar.start()
        task = self._bar.add_task("translating", total=self.total)
        return lambda n: self._bar.advance(task, n)  # type: ignore[union-attr]

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
