"""`pointplan token add|list|revoke`: tokens are listed without their secret, revoked by name,
and a revoked token opens nothing; each change is in the audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pointplan.api import Settings, create_app
from pointplan.cli import main
from pointplan.store import models
from pointplan.store.database import Database
from pointplan.store.tokens import find_token, token_hash


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'service.db'}"


def test_list_shows_each_token_without_its_secret(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The listing has name, role, area and state of every token, and neither a token nor
    its hash."""
    _, office, _ = _run(capsys, "token", "add", "office", "--role", "admin", "--db", url)
    _, county, _ = _run(
        capsys, "token", "add", "tumed-left", "--role", "registrar", "--area", "150121", "--db", url
    )
    code, listing, _ = _run(capsys, "token", "list", "--db", url)
    assert code == 0
    lines = [line.split("\t") for line in listing.splitlines()]
    assert lines[0] == ["name", "role", "area", "made", "state"]
    assert [(n, r, a, s) for n, r, a, _, s in lines[1:]] == [
        ("office", "admin", "everywhere", "live"),
        ("tumed-left", "registrar", "150121", "live"),
    ]
    for secret in (office.strip(), county.strip()):
        assert secret not in listing and token_hash(secret) not in listing


def test_revoke_ends_every_live_token_of_the_name(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both tokens of a name are revoked, another name's is not; the audit trail holds the
    adds and the revocation."""
    secrets = [
        _run(capsys, "token", "add", name, "--role", "planner", "--area", "1501", "--db", url)[1]
        for name in ("league", "league", "other")
    ]
    code, out, _ = _run(capsys, "token", "revoke", "league", "--db", url)
    assert (code, out.strip()) == (0, "revoked 2 token(s) of 'league'")
    db = Database(url)
    try:
        with db.session() as session:
            live = [find_token(session, secret.strip()) is not None for secret in secrets]
            actions = session.scalars(select(models.AuditEntry.action)).all()
            actors = set(session.scalars(select(models.AuditEntry.actor)))
    finally:
        db.dispose()
    assert live == [False, False, True]
    assert actions == ["tokens.add"] * 3 + ["tokens.revoke"]
    assert actors == {"command line"}
    _, listing, _ = _run(capsys, "token", "list", "--db", url)
    assert [line.split("\t")[-1].split()[0] for line in listing.splitlines()[1:]] == [
        "revoked",
        "revoked",
        "live",
    ]


def test_revoking_a_name_without_live_tokens_is_bad_input(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 and a message naming the name; nothing else changes."""
    _run(capsys, "token", "add", "office", "--role", "admin", "--db", url)
    code, out, err = _run(capsys, "token", "revoke", "no-such-office", "--db", url)
    assert (code, out) == (2, "")
    assert "no live token is named 'no-such-office'" in err
    assert _run(capsys, "token", "revoke", "office", "--db", url)[0] == 0
    assert _run(capsys, "token", "revoke", "office", "--db", url)[0] == 2  # already revoked


def test_a_revoked_token_opens_nothing(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The token works, is revoked, and a service started afterwards answers 401 to it."""
    secret = _run(capsys, "token", "add", "office", "--role", "admin", "--db", url)[1].strip()
    headers = {"Authorization": f"Bearer {secret}"}
    settings = Settings(database_url=url, validation_processes=0)
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/plans/none", headers=headers).status_code == 404
    _run(capsys, "token", "revoke", "office", "--db", url)
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/plans/none", headers=headers).status_code == 401


@pytest.mark.parametrize("role", ["planner", "registrar", "viewer"])
def test_a_token_of_a_role_but_admin_needs_an_area(
    url: str, capsys: pytest.CaptureFixture[str], role: str
) -> None:
    """Without --area, exit 2 naming --area; nothing is made."""
    code, out, err = _run(capsys, "token", "add", "someone", "--role", role, "--db", url)
    assert (code, out) == (2, "")
    assert "--area" in err and "needs an area" in err
    assert "someone" not in _run(capsys, "token", "list", "--db", url)[1]
