"""Importing a plan file: one transaction, idempotent, never touching logged updates.

Entities are matched by their keys (plan key, recommendation number, action ref, post key,
board key). Values in the file replace those in the database; nothing absent from the file is
deleted. Status and RAG from the file apply only to actions with no logged update, since once
an owner has reported progress the updates are the record. RAG follows the one rule
(db.planfile.file_rag): blank follows the status, complete is green; a contradiction in the
file is stored normalised and reported in the notes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import (
    Action,
    Board,
    Judgement,
    Person,
    Plan,
    Post,
    Recommendation,
    Source,
    Theme,
    Update,
)
from db.planfile import PlanFile, file_rag, parse_plan_file, rag_warnings


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    current: str | None = None  # the current plan's key after the import

    @property
    def touched(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.changed.values()))

    def summary(self) -> str:
        if not self.touched:
            return "no changes (the database already matches the file)"
        parts = [f"{n} {kind} created" for kind, n in sorted(self.created.items())]
        parts += [f"{n} {kind} changed" for kind, n in sorted(self.changed.items())]
        return ", ".join(parts)


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


class _Importer:
    def __init__(self, session: Session, spec: PlanFile, make_current: bool | None) -> None:
        self.session = session
        self.spec = spec
        self.make_current = make_current
        self.report = ImportReport()

    def _upsert(self, kind: str, existing: Any, factory: type[Any], values: dict[str, Any]) -> Any:
        if existing is None:
            obj = factory(**values)
            self.session.add(obj)
            self.report.created[kind] += 1
            return obj
        if _assign(existing, values):
            self.report.changed[kind] += 1
        return existing

    def run(self) -> ImportReport:
        s = self.session
        sources = {x.key: x for x in s.scalars(select(Source))}
        for spec in self.spec.sources:
            sources[spec.key] = self._upsert(
                "sources",
                sources.get(spec.key),
                Source,
                {
                    "key": spec.key,
                    "title": spec.title,
                    "file": spec.file,
                    "published": spec.published,
                },
            )
        posts = self._posts()
        plans = {x.key: x for x in s.scalars(select(Plan))}
        was_current = next((k for k, p in plans.items() if p.is_current), None)
        for spec_plan in self.spec.plans:
            plans[spec_plan.key] = self._plan(spec_plan, plans.get(spec_plan.key), sources, posts)
        self._choose_current(plans, was_current)
        self._boards(plans, posts)
        s.flush()
        return self.report

    def _posts(self) -> dict[str, Post]:
        """Store the file's posts, and any holder not yet a person."""
        s = self.session
        posts = {x.key: x for x in s.scalars(select(Post))}
        holders = {p.holder for p in self.spec.posts if p.holder}
        people = {
            x.slack_user_id: x
            for x in s.scalars(select(Person).where(Person.slack_user_id.in_(holders)))
        }
        for spec_post in self.spec.posts:
            values: dict[str, Any] = {
                "key": spec_post.key,
                "title": spec_post.title,
                "illustrative": spec_post.illustrative,
            }
            if spec_post.holder:
                person = people.get(spec_post.holder)
                if person is None:
                    person = people[spec_post.holder] = Person(slack_user_id=spec_post.holder)
                    s.add(person)
                    self.report.created["people"] += 1
                values["holder"] = person
            posts[spec_post.key] = self._upsert("posts", posts.get(spec_post.key), Post, values)
        return posts

    def _boards(self, plans: dict[str, Plan], posts: dict[str, Post]) -> None:
        s = self.session
        boards = {x.key: x for x in s.scalars(select(Board))}
        for spec_board in self.spec.boards:
            board = self._upsert(
                "boards",
                boards.get(spec_board.key),
                Board,
                {
                    "key": spec_board.key,
                    "name": spec_board.name,
                    "every_weeks": spec_board.every_weeks,
                    "anchor": spec_board.anchor,
                    "channel": spec_board.channel,
                    "secretary_post": posts.get(spec_board.secretary or ""),
                    "nudge_days": spec_board.nudge_days,
                    "second_nudge_days": spec_board.second_nudge_days,
                    "digest_days": spec_board.digest_days,
                    "send_time": spec_board.send_time,
                    "illustrative": list(spec_board.illustrative),
                },
            )
            wanted = [plans[k] for k in sorted(spec_board.plans)]
            if [p.key for p in board.plans] != [p.key for p in wanted]:
                if board.id is not None:
                    self.report.changed["boards"] += 1
                board.plans = wanted

    def _choose_current(self, plans: dict[str, Plan], was_current: str | None) -> None:
        """The file's current plan becomes the current one only when asked (make_current) or
        when no plan was current before; importing another council's file never switches
        `/ofsted rec N` silently."""
        marked = [p.key for p in self.spec.plans if p.current]
        wanted = marked[0] if marked else None
        if wanted is None and self.make_current and len(self.spec.plans) == 1:
            wanted = self.spec.plans[0].key
        switch = self.make_current if self.make_current is not None else was_current is None
        if wanted is None or not switch:
            if wanted is not None and wanted != was_current:
                kept = f"stays {was_current}" if was_current else "is still none"
                self.report.notes.append(
                    f"the file marks {wanted} current; the current plan {kept} "
                    "(import with --current to switch)"
                )
            self.report.current = was_current
            return
        for key, plan in plans.items():
            if plan.is_current != (key == wanted):
                if plan.id is not None:
                    self.report.changed["plans"] += 1
                plan.is_current = key == wanted
        self.report.current = wanted

    def _plan(
        self, spec: Any, plan: Plan | None, sources: dict[str, Source], posts: dict[str, Post]
    ) -> Plan:
        start, end = spec.inspected_span
        values = {
            "key": spec.key,
            "title": spec.title,
            "council": self.spec.council,
            "kind": spec.kind,
            "body": spec.body,
            "inspected_from": start,
            "inspected_to": end,
            "published": spec.published,
            "received": spec.received,
            "submitted": spec.submitted,
            "lead_inspector": spec.lead_inspector,
            "overall": spec.overall,
            "source": sources.get(spec.source or ""),
        }
        plan = self._upsert("plans", plan, Plan, values)
        self._judgements(spec, plan)
        themes = self._themes(spec, plan)
        recs, actions, updated = self._stored(plan)
        for position, spec_rec in enumerate(spec.recommendations):
            rec = self._upsert(
                "recommendations",
                recs.get(spec_rec.number),
                Recommendation,
                {
                    "plan": plan,
                    "number": spec_rec.number,
                    "position": position,
                    "text": spec_rec.text,
                    "theme": themes.get(spec_rec.theme or ""),
                    "area": spec_rec.area,
                    "paragraphs": list(spec_rec.paragraphs),
                    "findings": list(spec_rec.findings),
                    "response": spec_rec.response,
                    "illustrative": list(spec_rec.illustrative),
                    "number_printed": spec_rec.number_printed,
                    "framework": spec_rec.framework,
                },
            )
            for a_position, spec_action in enumerate(spec_rec.actions):
                action = actions.get(spec_action.ref)
                logged = action is not None and action.id in updated
                self._action(spec_action, action, plan, rec, a_position, posts, logged=logged)
        return plan

    def _judgements(self, spec: Any, plan: Plan) -> None:
        by_area = {j.area: j for j in plan.judgements}
        judgements = [by_area.get(j.area) or Judgement(area=j.area) for j in spec.judgements]
        changed = [j.area for j in plan.judgements] != [j.area for j in spec.judgements]
        for position, (judgement, spec_j) in enumerate(
            zip(judgements, spec.judgements, strict=True)
        ):
            changed |= _assign(judgement, {"position": position, "grade": spec_j.grade})
        if changed:
            if plan.id is not None:
                self.report.changed["judgements"] += 1
            plan.judgements = judgements

    def _themes(self, spec: Any, plan: Plan) -> dict[str, Theme]:
        themes = {t.key: t for t in plan.themes}
        for position, spec_theme in enumerate(spec.themes):
            theme = self._upsert(
                "themes",
                themes.get(spec_theme.key),
                Theme,
                {
                    "key": spec_theme.key,
                    "title": spec_theme.title,
                    "position": position,
                    "illustrative": spec_theme.illustrative,
                },
            )
            if theme.key not in themes:
                plan.themes.append(theme)
                themes[theme.key] = theme
        return themes

    def _stored(self, plan: Plan) -> tuple[dict[str, Recommendation], dict[str, Action], set[int]]:
        """The plan's recommendations and actions already stored, and which actions have
        updates logged (nothing, for a new plan)."""
        if plan.id is None:
            return {}, {}, set()
        recs = {
            r.number: r
            for r in self.session.scalars(
                select(Recommendation).where(Recommendation.plan_id == plan.id)
            )
        }
        actions = {
            a.ref: a for a in self.session.scalars(select(Action).where(Action.plan_id == plan.id))
        }
        updated = set(
            self.session.scalars(
                select(Update.action_id)
                .join(Action)
                .where(Action.plan_id == plan.id)
                .group_by(Update.action_id)
                .having(func.count() > 0)
            )
        )
        return recs, actions, updated

    def _action(
        self,
        spec_action: Any,
        action: Action | None,
        plan: Plan,
        rec: Recommendation,
        position: int,
        posts: dict[str, Post],
        *,
        logged: bool,
    ) -> None:
        """Store an action; once updates are logged, its status is theirs, not the file's."""
        values = {
            "plan": plan,
            "recommendation": rec,
            "ref": spec_action.ref,
            "position": position,
            "title": spec_action.title,
            "owner_post": posts.get(spec_action.owner or ""),
            "due": spec_action.due,
            "due_original": spec_action.original_due or spec_action.due,
            "evidence": spec_action.evidence,
            "source_ref": spec_action.source,
            "illustrative": list(spec_action.illustrative),
        }
        rag = file_rag(spec_action)[0]
        if action is None or not logged:
            values |= {"status": spec_action.status, "rag": rag}
        elif (action.status, action.rag) != (spec_action.status, rag):
            self.report.notes.append(
                f"{plan.key} {action.ref}: kept status {action.status} from logged "
                "updates (the file's status applies only before the first update)"
            )
        self._upsert("actions", action, Action, values)


def import_plan_file(
    factory: sessionmaker[Session], path: str | Path, *, make_current: bool | None = None
) -> ImportReport:
    """Validate and import a plan file in one transaction (nothing is written on error).

    The plan the file marks current becomes the current plan when `make_current` is True, or
    (None, the default) when no plan is current yet; False never changes it.
    """
    spec = parse_plan_file(path)
    return import_plan_spec(factory, spec, make_current=make_current)


def import_plan_spec(
    factory: sessionmaker[Session], spec: PlanFile, *, make_current: bool | None = None
) -> ImportReport:
    if make_current and len(spec.plans) != 1 and not any(p.current for p in spec.plans):
        raise NoCurrentPlanError(
            "the file marks no plan `current: true`, so there is no plan to make current"
        )
    with factory.begin() as session:
        report = _Importer(session, spec, make_current).run()
    report.notes[:0] = rag_warnings(spec)
    return report


class NoCurrentPlanError(ValueError):
    """Asked to make the file's current plan current, but the file names none."""
