"""Boards and their meetings as the commands and jobs read them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, raiseload, selectinload

from db.models import Board, Meeting, Post


def all_boards(session: Session, *, by_key: bool = False) -> list[Board]:
    """Every board with its plans and its secretary's post and holder, by name (or key)."""
    return list(
        session.scalars(
            select(Board)
            .options(
                selectinload(Board.plans).options(raiseload("*")),
                selectinload(Board.secretary_post).joinedload(Post.holder),
                raiseload("*"),
            )
            .order_by(Board.key if by_key else Board.name)
        )
    )


def meeting_overrides(session: Session, board: Board, after: date) -> list[Meeting]:
    return list(
        session.scalars(
            select(Meeting)
            .where(
                Meeting.board_id == board.id,
                or_(Meeting.cadence_date >= after, Meeting.held_on >= after),
            )
            .options(raiseload("*"))
            .order_by(Meeting.cadence_date)
        )
    )
