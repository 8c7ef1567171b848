"""The service's job matching is made once and kept while the data it was made from stays
as it was: a new posting, a withdrawn one or a new returnee makes it again."""

from __future__ import annotations

from pathlib import Path

from pointplan.domain.jobs import JobPosting
from pointplan.store.database import Database, migrate
from pointplan.store.jobs import delete_posting, save_postings
from pointplan.store.registrations import save_batch
from pointplan.store.reports import MatchingCache
from pointplan.store.sealing import Sealer, new_key
from tests.api.conftest import registration

SEALER = Sealer([new_key()])


def returnee(rid: str) -> dict[str, object]:
    return registration(
        rid, origin="110105", destination="150121", direction="return_home", needs="job",
        trade="建筑",
    )  # fmt: skip


def test_the_matching_is_kept_until_its_data_changes(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(db.engine)
    cache = MatchingCache()
    posting = JobPosting(
        job_id="J1", employer="土左旗建筑公司", county="150121", trade="建筑", openings=5, wage=5000
    )
    try:
        with db.session() as session:
            save_batch(session, [returnee("M1")], (), "test", "", SEALER)
            first = cache.get(session, SEALER)
            assert first.matching.matches == () and cache.get(session, SEALER) is first
            save_postings(session, [posting], "test")
            second = cache.get(session, SEALER)
            assert second is not first
            assert [m.registration_id for m in second.matching.matches] == ["M1"]
            save_batch(session, [returnee("M2")], (), "test", "", SEALER)
            third = cache.get(session, SEALER)
            assert [m.registration_id for m in third.matching.matches] == ["M1", "M2"]
            assert cache.get(session, SEALER) is third
            delete_posting(session, "J1", "test")
            assert cache.get(session, SEALER).matching.matches == ()
    finally:
        db.dispose()
