"""Speakers of quotations on real news with gold attributions: PolNeAR (``../shared/data/polnear``,
1,008 political news articles whose attributions are annotated as Source / Cue / Content spans).

``scripts/eval-reuse --polnear [--split test]`` asks :func:`dedup.reuse.sources.speaker_of`, the
function that names the speaker of a ``speaker`` common source, for the speaker of every annotated
direct quotation (a Content span that opens with a quotation mark) and compares it with the
annotated Source. A name is right when its last word (past a "Jr.") is a word of the Source
("Trump" for "Donald Trump", "Gorka" for "Sebastian Gorka"), and that word is a name: not a title,
an initial, a dotted abbreviation or a possessive ("Clinton’s" is no speaker). A Source that is a pronoun
("he") or a description ("the influential US daily") cannot be matched by name, so a right answer
by coreference counts as wrong there: the precision is a lower bound. Abstaining (no name) is what
the function does when the cue names nobody or there is none; it is counted apart.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dedup.models import Document
from dedup.reuse.sources import document_wire, speaker_of

PRONOUNS = frozenset({"he", "she", "they", "it", "i", "we", "you", "his", "her", "their", "who"})
_TITLES = frozenset({"sen", "rep", "gov", "gen", "del", "maj", "mr", "mrs", "ms", "dr", "president", "senator"})


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[\w.'’-]+", text)]


def name_matches(named: str, source: str) -> bool:
    """Whether the name given is the annotated source (see the module docstring)."""
    words = named.split()
    while len(words) > 1 and words[-1].rstrip(".") in ("Jr", "Sr"):
        words.pop()
    last = words[-1].lower() if words else ""
    if (not last or "." in last or last.endswith(("'s", "’s", "'", "’")) or len(last) == 1
            or last.rstrip(".") in _TITLES):
        return False
    return last in {w.rstrip(".,") for w in _words(source)}


@dataclass
class SpeakerScores:
    counts: Counter[str] = field(default_factory=Counter)
    wrong: list[tuple[str, str, str, str]] = field(default_factory=list)  # (article, gold, named, context)

    @property
    def named(self) -> int:
        return self.counts["named, right"] + self.counts["named, wrong"]

    @property
    def precision(self) -> float:
        return self.counts["named, right"] / max(1, self.named)


def _annotations(path: Path) -> tuple[dict[str, tuple[str, int, int, str]], list[dict[str, str]]]:
    """A brat standoff file's text-bound spans (id -> kind, start, end, text) and relations."""
    spans: dict[str, tuple[str, int, int, str]] = {}
    relations: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        if parts[0].startswith("T"):
            kind, *where = parts[1].split(" ")
            if len(where) == 2 and ";" not in where[1]:  # (discontinuous spans are left out)
                spans[parts[0]] = (kind, int(where[0]), int(where[1]), parts[2] if len(parts) > 2 else "")
        elif parts[0].startswith("E"):
            relations.append(dict(x.split(":", 1) for x in parts[1].split(" ") if ":" in x))
    return spans, relations


def speaker_scores(folder: Path, split: str) -> SpeakerScores:
    out = SpeakerScores()
    for ann in sorted((folder / split / "attributions").glob("*.ann")):
        article = ann.stem.rsplit("_", 1)[0]  # (the annotator's id ends the name)
        text_path = folder / split / "text" / f"{article}.txt"
        if not text_path.is_file():
            continue
        text = text_path.read_text(encoding="utf-8")
        spans, relations = _annotations(ann)
        for rel in relations:
            content = spans.get(rel.get("Content", ""))
            if content is None or content[3][:1] not in ('"', "“"):
                continue  # direct quotations only
            gold = spans.get(rel.get("Source", ""), ("", 0, 0, ""))[3]
            named = speaker_of(text, content[1], content[2])
            unnamed_gold = not gold or gold.lower() in PRONOUNS
            if named is None:
                out.counts["none, gold a pronoun or absent" if unnamed_gold else "none, gold named"] += 1
                continue
            right = not unnamed_gold and name_matches(named, gold)
            out.counts["named, right" if right else "named, wrong"] += 1
            if not right:
                out.wrong.append((article, gold, named, text[max(0, content[1] - 80) : content[2] + 80]))
    return out


def print_speakers(split: str, s: SpeakerScores, show: int = 0) -> None:
    c = s.counts
    print(f"polnear {split}: {sum(c.values())} direct quotations; named {s.named} "
          f"(right {c['named, right']}, wrong {c['named, wrong']}; precision {s.precision:.3f}, a lower bound); "
          f"no name {c['none, gold named'] + c['none, gold a pronoun or absent']} "
          f"(the annotated source a pronoun or absent: {c['none, gold a pronoun or absent']})")
    for article, gold, named, context in s.wrong[:show]:
        print(f"  {article}: annotated {gold!r}, named {named!r}\n    {' '.join(context.split())[:300]}")


#: metadata.tsv's wire column, as :func:`dedup.reuse.sources.document_wire` names the agencies
_WIRE_NAMES = {"ap": "Associated Press", "upi": "UPI", "afp": "AFP", "reuters": "Reuters"}


def wire_scores(folder: Path) -> Counter[tuple[str, str]]:
    """(annotated wire, wire found) per article with a wire column (``None`` or an agency), the wire
    found in the text alone and with the byline (metadata's author) as a scraper would store it."""
    out: Counter[tuple[str, str]] = Counter()
    with (folder / "metadata.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            path = folder / row["compartment"] / "text" / f"{row['filename']}.txt"
            wire = (row["wire"] or "").strip()
            if not path.is_file() or wire in ("", "NA"):
                continue
            text = path.read_text(encoding="utf-8")
            gold = _WIRE_NAMES.get(wire.lower(), "none")
            author = row["author"] if row["author"] not in ("None", "NA", "") else None
            for how, byline in (("text", None), ("text+byline", author)):
                doc = Document(id=row["filename"], source="", content_hash="", raw=text, kind="text", text=text,
                               author=byline)
                out[(how, f"{gold} -> {document_wire(doc) or 'none'}")] += 1
    return out


def print_wires(counts: Counter[tuple[str, str]]) -> None:
    for how in ("text", "text+byline"):
        rows = {k: n for (h, k), n in counts.items() if h == how}
        wired = sum(n for k, n in rows.items() if not k.startswith("none"))
        found = sum(n for k, n in rows.items() if not k.startswith("none") and k.split(" -> ")[0] == k.split(" -> ")[1])
        false = sum(n for k, n in rows.items() if k.startswith("none ->") and not k.endswith("none"))
        print(f"polnear wire credits ({how}): {found} of {wired} wire articles credited to the right agency, "
              f"{false} of {sum(n for k, n in rows.items() if k.startswith('none'))} others given a wire")
