"""The web console and the bot's newer records: call-back requests are a kind of their own in the
queue's 类型 filter and column (回电请求, beside 自主申报 and 入户走访), and a record page says
how many photos the resident attached (the bot's /view sends them)."""

from __future__ import annotations

import re

from storage.attachments import Attachments
from storage.database import Database
from storage.repository import SubmissionStore
from tests.web_console.support import ADMIN, REVIEWER_A, TOWNSHIP_B, sign_in

CALLBACK_ANSWERS = {"contact_name": "张大姐", "callback_reason": "想问问孩子上学的补助怎么申请"}


def references(html: str) -> list[str]:
    return re.findall(r'<a href="/records/(FP\d+)">', html)


def test_call_back_requests_have_their_own_kind_in_the_queue(console, make_submission):
    report = make_submission()
    callback = make_submission(dialog="callback", priority="重点关注", answers=CALLBACK_ANSWERS)
    make_submission(dialog="callback", township=TOWNSHIP_B, submitted_by=101)  # not theirs
    client = sign_in(console, REVIEWER_A).client

    queue = client.get("/queue")
    assert set(references(queue.text)) == {report, callback}
    assert '<option value="callback">回电请求</option>' in queue.text
    assert '<option value="report">自主申报</option>' in queue.text
    assert '<td data-label="类型">回电请求</td>' in queue.text
    assert references(client.get("/queue?dialog=callback").text) == [callback]
    assert references(client.get("/queue?dialog=report").text) == [report]

    record = client.get(f"/records/{callback}")
    assert "<dd>回电请求</dd>" in record.text, "the kind once, not 回电请求（回电请求）"
    assert "想问问孩子上学的补助怎么申请" in record.text


def test_a_record_page_counts_the_photos_attached(console, make_submission, db: Database):
    reference = make_submission()
    plain = make_submission()
    submission = SubmissionStore(db).by_reference(reference)
    assert submission is not None
    photos = Attachments(db)
    for number in (1, 2):
        photos.add(
            submission.submitted_by,
            submission.draft_id,
            "description",
            f"AgAC-{number}",
            f"u-{number}",
            100_000,
        )
    assert photos.attach_to_submission(submission.submitted_by, submission.draft_id) == 2
    client = sign_in(console, ADMIN).client
    assert "附有 2 张" in client.get(f"/records/{reference}").text
    assert "附有" not in client.get(f"/records/{plain}").text
