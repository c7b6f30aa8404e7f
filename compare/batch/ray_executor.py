"""`compare batch --executor ray`: the batch's stories on a Ray cluster (docs/scale.md).

The work is split where it pays, in three stages, with the caches in the driver:

1. The driver reads every story (files, fetched pages) and splits its sentences (cheap).
2. Translation: the documents whose translations are not cached go, grouped by model, to a pool
   of translator actors (one model load per actor, CTranslate2 on the node's GPU when the actor
   gets one). A document is translated whole, as the local executor does, so its text never
   depends on what else is translated (compare/translate/cache.py). The driver writes the
   results to its translation cache.
3. Embeddings: the sentences whose vectors are not cached go to an encoder actor; the driver
   writes the vectors to its embedding cache.
4. Comparison (alignment, diff, findings, reports) runs as one task per story. The task gets the
   story's translations and vectors shipped with it, puts them in a cache of its own in a
   temporary folder on its node, and runs the same code as a local run, which finds everything
   cached: the outputs are the local executor's, byte for byte. Vectors the task computes
   itself (merge candidates) come back and the driver caches them. Workers never open the
   driver's SQLite files.

Faults: actors restart and tasks are retried by Ray (MAX_RETRIES); a story whose work keeps
failing is reported with the reason (broken: exit 2; a bug or a dead worker: exit 3), never
dropped. Ctrl-C and SIGTERM end the run with the cluster shut down (ray.init replaces the
driver's signal handlers; they are restored).
"""

from __future__ import annotations

import logging
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import CompareError, ModelMissingError
from ..gate import Thresholds
from ..options import CompareOptions
from .run import (
    BatchOptions,
    StoryOutcome,
    broken,
    compare_story,
    failed,
    finish_story,
    read_story,
    story_settings,
    write_files,
)
from .stories import Story

RAY_SPEC = "ray>=2.40"
MAX_RETRIES = 2  # a dead worker's call or task is run again this many times
ENCODE_CHUNK = 512  # texts per encoder actor call
CHUNK = 200  # stories read, translated and embedded at a time (bounds the driver's memory)
CPU_THREADS = 4  # threads of a CPU translator actor: a share of its node, so that several actors fit on one
# Fault injection for tests of recovery: a path; the first actor call that finds no file there
# creates it and kills its worker process (Ray must restart the actor and retry the call).
ENV_CRASH_ONCE = "COMPARE_RAY_CRASH_ONCE"


@dataclass
class _Plan:
    """One story on its way through the stages."""

    story: Story
    options: CompareOptions
    thresholds: Thresholds
    sources: list[Any]
    segmented: list[Any]
    translations: dict[int, list[str]] = field(default_factory=dict)  # doc index -> compare texts
    shipped: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # translation cache rows
    outcome: StoryOutcome | None = None  # set when the story failed before its comparison


def run_all(stories: Sequence[Story], options: BatchOptions, staging: Path, kept: Sequence[Path],
            on_story: Callable[[StoryOutcome, int, int], None] | None) -> Iterable[StoryOutcome]:
    """The executor run_batch calls with --executor ray: outcomes as stories finish."""
    ray = _import_ray()
    total, done = len(stories), 0

    def report(outcome: StoryOutcome) -> StoryOutcome:
        nonlocal done
        done += 1
        if on_story:
            on_story(outcome, done, total)
        return outcome

    with _private_cache(options) as options, _cluster(ray, options):
        translators = _translators(ray, options)
        comparing = _Comparisons(ray, options)
        try:
            # A chunk of stories at a time is read, translated and embedded, so the driver's memory
            # stays bounded; comparisons of one chunk run while the next is prepared.
            for start in range(0, len(stories), CHUNK):
                plans: list[_Plan] = []
                for story in stories[start : start + CHUNK]:
                    plan = _plan(story, options, staging, kept)
                    if plan.outcome is not None:
                        yield report(plan.outcome)
                    else:
                        plans.append(plan)
                _translate(plans, translators)
                # The translators hold CPUs (or GPUs) that comparison tasks need: let them go. A
                # chunk's translations outweigh loading its models again for the next chunk.
                translators.close()
                for plan in [p for p in plans if p.outcome is not None]:
                    yield report(plan.outcome)  # type: ignore[arg-type]
                for outcome, files in comparing.submit([p for p in plans if p.outcome is None]):
                    yield report(_written(staging, outcome, files))
                for outcome, files in comparing.collect(keep=CHUNK):
                    yield report(_written(staging, outcome, files))
            for outcome, files in comparing.collect(keep=0):
                yield report(_written(staging, outcome, files))
        finally:
            translators.close()
            comparing.close()


def _written(staging: Path, outcome: StoryOutcome, files: dict[str, str]) -> StoryOutcome:
    if files:
        write_files(staging / outcome.name, files)
    return outcome


# -- the cluster -----------------------------------------------------------------------------------


def _import_ray() -> Any:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage reporting from a news tool
    try:
        import ray
    except ImportError:
        raise ModelMissingError(
            f"--executor ray needs Ray, which is not installed; run `pip install 'compare-news[ray]'` "
            f"(or `pip install '{RAY_SPEC}'`), or use the local executor (--jobs N)"
        ) from None
    return ray


@contextmanager
def _cluster(ray: Any, options: BatchOptions) -> Iterator[None]:
    """Connect to options.ray_address, or start a local cluster; shut it down at the end."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    kwargs: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": False}
    if options.ray_address:
        kwargs["address"] = options.ray_address
    else:
        kwargs.update(num_cpus=max(options.jobs, os.cpu_count() or 1), include_dashboard=False,
                      object_store_memory=256 * 1024 * 1024)
    try:
        ray.init(**kwargs)
    except Exception as exc:  # noqa: BLE001 - Ray's own errors: no cluster at the address, ports, ...
        raise CompareError(f"cannot start or reach the Ray cluster ({type(exc).__name__}: {_first_line(exc)})") from None
    finally:
        # ray.init installs its own SIGTERM (and SIGINT) handlers: the CLI's must hold, so that
        # SIGTERM ends the run as it does locally (exit 143, outputs left intact).
        for sig, handler in handlers.items():
            if handler is not None:
                signal.signal(sig, handler)
    try:
        yield
    finally:
        ray.shutdown()


@contextmanager
def _private_cache(options: BatchOptions) -> Iterator[BatchOptions]:
    """--no-cache: the stages still hand work over through a cache, a temporary one."""
    if options.compare.use_cache:
        yield options
        return
    with tempfile.TemporaryDirectory(prefix="compare-ray-") as tmp:
        yield replace(options, compare=replace(options.compare, use_cache=True, cache_dir=Path(tmp)))


# -- stage 1: read -----------------------------------------------------------------------------------


def _plan(story: Story, options: BatchOptions, staging: Path, kept: Sequence[Path]) -> _Plan:
    from ..pipeline import segment_sources

    plan = _Plan(story, options.compare, options.thresholds, [], [])
    if story.problem:
        plan.outcome = broken(story, story.problem)
        return plan
    try:
        plan.options, plan.thresholds = story_settings(story, options)
        plan.sources = read_story(story, plan.options, staging / story.name, kept)
        plan.segmented = segment_sources(plan.sources, plan.options)
    except CompareError as exc:
        plan.outcome = broken(story, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug: reported on the story
        plan.outcome = failed(story, exc)
    return plan


# -- stage 2: translate --------------------------------------------------------------------------------


def _normal(texts: Sequence[str]) -> tuple[list[str], list[str]]:
    """As CachedTranslator.translate: whitespace folded; the sorted distinct non-blank texts."""
    folded = [" ".join(t.split()) for t in texts]
    return folded, sorted({t for t in folded if t})


def _translators(ray: Any, options: BatchOptions) -> "_Pool":
    """The translator actor pool (actors start on first use). A translator actor takes a GPU where
    the cluster has them (CTranslate2 runs there with --device auto or cuda); otherwise
    CPU_THREADS CPUs, its engine running as many threads."""
    cluster = ray.cluster_resources()
    gpus = int(cluster.get("GPU", 0)) if options.compare.device != "cpu" else 0
    cpus = int(cluster.get("CPU", 1))
    threads = min(CPU_THREADS, max(1, cpus))
    resources = {"num_gpus": 1, "num_cpus": 1} if gpus else {"num_cpus": threads}
    pool = _Pool(ray, _translator_actor(ray), resources=resources, size=max(1, gpus or cpus // threads))
    pool.threads = threads
    return pool


def _translate(plans: list[_Plan], pool: "_Pool") -> None:
    """Every document that needs translating, leg by leg (pivots have two), through the cache."""
    from ..translate import get_translator

    threads = pool.threads

    # (plan, doc) -> [legs, leg index, texts into that leg]
    state: dict[tuple[int, int], list[Any]] = {}
    for p, plan in enumerate(plans):
        for d, seg in enumerate(plan.segmented):
            if seg.language == plan.options.target_language:
                continue
            try:
                translator = get_translator(seg.language, plan.options)
            except CompareError as exc:
                if exc.path is None:
                    exc.path = seg.source.path or seg.source.label
                plan.outcome = broken(plan.story, str(exc))
                break
            except Exception as exc:  # noqa: BLE001 - a bug: reported on the story
                plan.outcome = failed(plan.story, exc)
                break
            state[(p, d)] = [getattr(translator, "legs", [translator]), 0, list(seg.texts)]
    while True:
        work: list[tuple[tuple[int, int], Any, str, list[str]]] = []
        for (p, d), (legs, i, texts) in state.items():
            if plans[p].outcome is not None or i == len(legs):
                continue
            leg = legs[i]
            folded, wanted = _normal(texts)
            key = leg.document_key(wanted)
            known = leg.cache.get_many(key, wanted)
            if len(known) == len(wanted):
                plans[p].shipped.append((key, known))
                state[(p, d)] = [legs, i + 1, [known[t] if t else "" for t in folded]]
            else:
                work.append(((p, d), leg, key, wanted))
        if not work:
            break
        calls = [
            (leg.model_key,
             (plans[p].segmented[d].language, _engine_options(plans[p].options), state[(p, d)][1], wanted, threads))
            for (p, d), leg, key, wanted in work
        ]
        for ((p, d), leg, key, wanted), (value, error) in zip(work, pool.run("translate", calls), strict=True):
            if error is not None:
                plans[p].outcome = _failure(plans[p].story, error, "translating")
                continue
            rows = dict(zip(wanted, value, strict=True))
            leg.cache.put_many(key, rows)  # for later runs; this one goes on from the rows themselves
            plans[p].shipped.append((key, rows))
            legs, i, texts = state[(p, d)]
            folded, _ = _normal(texts)
            state[(p, d)] = [legs, i + 1, [rows[t] if t else "" for t in folded]]
    for (p, d), (legs, i, texts) in state.items():
        if plans[p].outcome is None:
            plans[p].translations[d] = texts


def _engine_options(options: CompareOptions) -> CompareOptions:
    """What a translator actor builds its engine from: no cache, no progress bars."""
    return replace(options, use_cache=False)


def _translator_actor(ray: Any) -> Any:
    return ray.remote(max_restarts=MAX_RETRIES, max_task_retries=MAX_RETRIES)(TranslatorWorker)


class TranslatorWorker:
    """A translator actor: engines by (language, leg), loaded once and kept for the actor's life."""

    def __init__(self) -> None:
        self.engines: dict[tuple[str, int], Any] = {}

    def translate(self, language: str, options: CompareOptions, leg: int, texts: list[str], threads: int) -> list[str]:
        _crash_once()
        if (language, leg) not in self.engines:
            from ..translate import get_translator

            translator = get_translator(language, options, threads=threads)
            for k, engine in enumerate(getattr(translator, "legs", [translator])):
                self.engines[(language, k)] = engine
        return list(self.engines[(language, leg)].translate(texts))


# -- stage 3: embed, and stage 4: compare -----------------------------------------------------------------


class _Comparisons:
    """Stage 3 and 4: each story's sentences embedded (encoder actor), then its comparison task."""

    def __init__(self, ray: Any, options: BatchOptions) -> None:
        from ..embed_cache import FILENAME, EmbeddingCache
        from ..translate.paths import cache_dir

        self.ray, self.options = ray, options
        self.task = ray.remote(max_retries=MAX_RETRIES)(_compare_task)
        self.encoders = _Pool(ray, _encoder_actor(ray))
        self.store = EmbeddingCache(cache_dir(options.compare) / FILENAME)
        self.pending: dict[Any, _Plan] = {}
        self._key: str | None = None

    @property
    def encoder_key(self) -> str:
        if self._key is None:
            from ..embed import get_encoder

            self._key = get_encoder(None).model_key
        return self._key

    def submit(self, plans: list[_Plan]) -> Iterator[tuple[StoryOutcome, dict[str, str]]]:
        """Embed and submit each story; yields only the stories whose embedding failed."""
        from ..align import embedding_texts

        for plan in plans:
            texts = [plan.translations.get(d, list(seg.texts)) for d, seg in enumerate(plan.segmented)]
            pieces, sentences, merges = embedding_texts(texts, plan.options.align_mode)
            key = self.encoder_key if pieces or sentences else ""
            rows = self.store.get_many(key, pieces, tokens=True) if pieces else {}
            rows.update(self.store.get_many(key, [t for t in sentences if t not in rows], tokens=False))
            # Merge candidates: the task encodes those it needs; what earlier runs cached goes along.
            rows.update(self.store.get_many(key, [t for t in merges if t not in rows], tokens=False))
            for tokens, wanted in ((True, pieces), (False, sentences)):
                missing = list(dict.fromkeys(t for t in wanted if t not in rows))
                calls = [(key, (missing[k : k + ENCODE_CHUNK], tokens)) for k in range(0, len(missing), ENCODE_CHUNK)]
                for (actor_key, fresh), error in self.encoders.run("vectors", calls):
                    if error is not None:
                        plan.outcome = _failure(plan.story, error, "embedding")
                        break
                    self.store.put_many(actor_key, fresh)
                    rows.update(fresh if actor_key == key else {})
            if plan.outcome is not None:
                yield plan.outcome, {}
                continue
            ref = self.task.remote(plan.story, plan.sources, plan.options, plan.thresholds, self.options.stamp,
                                   plan.shipped, (key, rows))
            self.pending[ref] = plan

    def collect(self, keep: int) -> Iterator[tuple[StoryOutcome, dict[str, str]]]:
        """Finished comparisons: all that are done, and waiting until at most `keep` are in flight."""
        while self.pending:
            ready, _ = self.ray.wait(list(self.pending), num_returns=1, timeout=None if len(self.pending) > keep else 0)
            if not ready:
                return
            plan = self.pending.pop(ready[0])
            try:
                outcome, files, (key, fresh) = self.ray.get(ready[0])
            except Exception as exc:  # noqa: BLE001 - the task's worker died past its retries
                yield _failure(plan.story, exc, "comparing"), {}
                continue
            if fresh:
                self.store.put_many(key, fresh)
            yield outcome, files

    def close(self) -> None:
        self.encoders.close()


def _compare_task(story: Story, sources: list[Any], options: CompareOptions, thresholds: Thresholds,
                  stamp: str | None, translations: list[tuple[str, dict[str, str]]],
                  embeddings: tuple[str, dict[str, Any]]) -> tuple[StoryOutcome, dict[str, str], tuple[str, dict[str, Any]]]:
    """One story's comparison on a worker, from its shipped translations and vectors."""
    from ..embed_cache import FILENAME as EMBEDDINGS
    from ..embed_cache import EmbeddingCache
    from ..translate.cache import FILENAME as TRANSLATIONS
    from ..translate.cache import TranslationCache

    _crash_once()
    key, rows = embeddings
    with tempfile.TemporaryDirectory(prefix="compare-story-") as tmp:
        folder = Path(tmp)
        cache = TranslationCache(folder / TRANSLATIONS)
        for document_key, pairs in translations:
            cache.put_many(document_key, pairs)
        EmbeddingCache(folder / EMBEDDINGS).put_many(key, rows)
        try:
            result = compare_story(story, sources, replace(options, use_cache=True, cache_dir=folder))
            outcome, files = finish_story(story, result, thresholds, stamp)
        except CompareError as exc:
            return broken(story, str(exc)), {}, (key, {})
        except Exception as exc:  # noqa: BLE001 - a bug: reported on the story
            return failed(story, exc), {}, (key, {})
        fresh = {t: r for t, r in EmbeddingCache(folder / EMBEDDINGS).rows(key).items() if t not in rows}
    return outcome, files, (key, fresh)


def _encoder_actor(ray: Any) -> Any:
    return ray.remote(max_restarts=MAX_RETRIES, max_task_retries=MAX_RETRIES)(EncoderWorker)


class EncoderWorker:
    """An encoder actor: the sentence encoder, loaded once, with no cache of its own (the driver
    keeps the vectors)."""

    def vectors(self, texts: list[str], tokens: bool) -> tuple[str, dict[str, Any]]:
        _crash_once()
        from ..embed import get_encoder

        encoder = get_encoder(None)
        rows = encoder.vectors(texts, tokens=tokens)
        return encoder.model_key, rows  # the key after loading: a fallback backend changes it


# -- helpers -------------------------------------------------------------------------------------------


class _Pool:
    """Actors made on first use, one group per model key; calls answered in order, each with its
    value or the error that ended it (after Ray's retries)."""

    def __init__(self, ray: Any, actor_class: Any, *, resources: dict[str, float] | None = None, size: int = 1) -> None:
        self.ray, self.actor_class, self.resources, self.size = ray, actor_class, resources or {}, size
        self.actors: dict[str, list[Any]] = {}
        self.turn = 0
        self.threads = 0  # the translator pool's engine threads (_translators)

    def run(self, method: str, calls: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[Any, BaseException | None]]:
        refs = []
        for group, args in calls:  # a group's calls go round its actors (up to `size` of them)
            actors = self.actors.setdefault(group, [])
            if len(actors) < self.size:
                actors.append(self.actor_class.options(**self.resources).remote())
                actor = actors[-1]
            else:
                actor = actors[self.turn % len(actors)]
                self.turn += 1
            refs.append(getattr(actor, method).remote(*args))
        out: list[tuple[Any, BaseException | None]] = []
        for ref in refs:
            try:
                out.append((self.ray.get(ref), None))
            except Exception as exc:  # noqa: BLE001 - reported on the story it belongs to
                out.append((None, exc))
        return out

    def close(self) -> None:
        for actors in self.actors.values():
            for actor in actors:
                self.ray.kill(actor)
        self.actors.clear()


def _failure(story: Story, exc: BaseException, stage: str) -> StoryOutcome:
    """A story whose remote work failed: its own error (broken) or a bug/dead worker (error)."""
    cause = getattr(exc, "cause", None) or exc
    if isinstance(cause, CompareError):
        return broken(story, str(cause))
    return StoryOutcome(story.name, "error", title=story.title,
                        error=f"{stage} failed on the cluster: {type(cause).__name__}: {_first_line(cause)}")


def _crash_once() -> None:
    marker = os.environ.get(ENV_CRASH_ONCE)
    if marker and not os.path.exists(marker):
        Path(marker).touch()
        os._exit(1)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]
