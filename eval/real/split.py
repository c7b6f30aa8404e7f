#!/usr/bin/env python3
"""Split every eval/real/events/EVENT/OUTLET.txt into OUTLET.sentences.json ({id, start, end, text}).

The gold sentences are the project segmenter's output, checked by the author of
each excerpt (who rewords a sentence rather than accept a wrong split), so the
labels and the pipeline's sentences line up by character offsets.

Usage: python eval/real/split.py [EVENT_DIR ...]   (default: every event)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from compare.segment import split_sentences  # noqa: E402

EVENTS = Path(__file__).resolve().parent / "events"


def split_file(txt: Path) -> list[dict]:
    text = txt.read_text(encoding="utf-8")
    return [{"id": k, "start": s.start, "end": s.end, "text": text[s.start : s.end]}
            for k, s in enumerate(split_sentences(text))]


def main(argv: list[str]) -> None:
    dirs = [Path(a) for a in argv] or sorted(p for p in EVENTS.iterdir() if p.is_dir())
    for event in dirs:
        for txt in sorted(event.glob("*.txt")):
            sents = split_file(txt)
            out = txt.with_suffix(".sentences.json")
            out.write_text(json.dumps(sents, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            words = [len(re.findall(r"\w+", s["text"])) for s in sents]
            mean = sum(words) / max(1, len(words))
            print(f"{event.name}/{txt.name}: {len(sents)} sentences, {mean:.1f} words/sentence")


if __name__ == "__main__":
    main(sys.argv[1:])
