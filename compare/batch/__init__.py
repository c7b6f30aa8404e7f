"""Batch runs: many stories, unattended (`compare batch`, docs/batch.md).

    from compare.batch import BatchOptions, find_stories, run_batch
    run = run_batch(find_stories(Path("stories")), Path("report"), BatchOptions(jobs=2))
    run.status  # ExitStatus: 0 ok, 1 a threshold crossed, 2 a broken story, 3 a bug
"""

from .run import BatchOptions, BatchRun, StoryOutcome, run_batch
from .stories import Story, find_stories, read_manifest

__all__ = ["BatchOptions", "BatchRun", "Story", "StoryOutcome", "find_stories", "read_manifest", "run_batch"]
