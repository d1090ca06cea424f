"""Nearest verbs to a mistyped one."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from commands.registry import ALIASES, VERBS


def nearest_verbs(word: str, limit: int = 3) -> list[str]:
    listed = [name for name, verb in VERBS.items() if verb.listed]
    choices = listed + [a for a, target in ALIASES.items() if target in listed and len(a) > 2]
    found: list[str] = []
    for match, _score, _ in process.extract(
        word.lower(), choices, scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=70
    ):
        name = ALIASES.get(match, match)
        if name not in found:
            found.append(name)
    return found[:limit]
