"""The ids in commands/ids.py are the only ones: no module spells an action_id or callback_id
out, the listeners' patterns match what the views build, and manifest.yml declares the same
shortcut and slash command as the code."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import yaml

from bot.listeners.ofsted import OFSTED
from commands.ids import RERUN_BUTTONS, SHORTCUTS, ActionId, CallbackId, Choice, ModalMeta, Rerun

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "commands", "jobs", "db")
IDS = {i.value for i in ActionId if i != ActionId.FORM_INPUT} | {i.value for i in CallbackId}
ID_KEYS = {"action_id", "callback_id"}


def _literal(node: ast.expr | None) -> bool:
    """A string written out: a non-empty constant or an f-string."""
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value != ""
    )


def _spelled_out(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ID_KEYS and _literal(node.value):
            yield node.value.lineno, f"{node.arg}={ast.unparse(node.value)}"
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in ID_KEYS and _literal(value):
                    yield value.lineno, f"{key.value!r}: {ast.unparse(value)}"
        elif isinstance(node, ast.Constant) and str(node.value).partition(":")[0] in IDS:
            yield node.lineno, repr(node.value)


def test_no_id_is_spelled_out_outside_the_ids_module() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "commands" / "ids.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [
                f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in _spelled_out(tree)
            ]
    assert found == []


def test_the_check_finds_ids_spelled_out() -> None:
    tree = ast.parse(
        'ButtonElement(action_id="ofsted_undo:1")\nView(callback_id=f"x_{y}")\n'
        'x = {"callback_id": "log_action_update"}\napp.action("ofsted_more")\n'
    )
    assert sorted(line for line, _ in _spelled_out(tree)) == [1, 1, 2, 3, 3, 4]


def test_patterns_match_their_own_kind_only() -> None:
    for kind in ActionId:
        for other in ActionId:
            for action_id in (other.value, f"{other.value}:0123456789ab"):
                assert bool(ActionId.pattern(kind).match(action_id)) == (kind == other)
                assert ActionId.of(action_id) == other
    rerun = ActionId.pattern(*RERUN_BUTTONS)
    assert rerun.match("ofsted_history:ab12") and not rerun.match("ofsted_update:ab12")
    assert not rerun.match("ofsted_share:XYZ") and not rerun.match("ofsted_sharex")
    assert ActionId.of("someone_else:1") is None


def test_values_keep_the_json_buttons_carried_before() -> None:
    assert Rerun(cmd="rec 4", page=0).dump() == '{"cmd":"rec 4","page":0}'
    assert Rerun(cmd="help rag").dump() == '{"cmd":"help rag"}'
    assert Choice(action=5, pending=2).dump() == '{"action":5,"pending":2}'
    assert Choice.read('{"pending": 2, "action": 5}') == Choice(action=5, pending=2)
    old_meta = '{"mode": "shortcut", "channel": "C1", "ts": "1.2", "permalink": "https://x"}'
    assert ModalMeta.read(old_meta) == ModalMeta(
        mode="shortcut", channel="C1", ts="1.2", permalink="https://x"
    )
    assert ModalMeta.read('{"mode": "edit", "update_id": 0}') is None


def _manifest() -> dict[str, object]:
    loaded = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_manifest_declares_the_shortcuts_the_code_listens_for() -> None:
    features = _manifest()["features"]
    assert isinstance(features, dict)
    declared = {s["callback_id"] for s in features["shortcuts"]}
    assert declared == {s.value for s in SHORTCUTS}  # both ways
    assert declared <= {c.value for c in CallbackId}


def test_the_manifest_declares_the_slash_command_the_code_listens_for() -> None:
    features = _manifest()["features"]
    assert isinstance(features, dict)
    commands = [c["command"] for c in features["slash_commands"]]
    assert commands == ["/ofsted"]
    assert all(OFSTED.match(c) for c in commands)
