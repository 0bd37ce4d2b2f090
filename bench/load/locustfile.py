"""The load scenario of `make load` (bench/load/run.py starts everything; see README "Load scenario").

50 agency people (heads) open their agency's report of this year, save drafts again and again, and now and then
send it; 5 reviewers of the Sở GD&ĐT read the dashboard pages and their inbox. Everybody signs in through the
login form first. A save refused because someone else saved the same report in between is a *conflict* (the
portal's optimistic lock working as meant), counted apart and not as an error; so is a save after a colleague of
the same agency already sent the report.

Accounts come from LOAD_ACCOUNTS (the JSON bench/load/setup_users.py printed).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from html.parser import HTMLParser

import gevent
from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8").read())
_agency_people = itertools.cycle(ACCOUNTS["agency_people"])
_reviewers = itertools.cycle(ACCOUNTS["reviewers"])
CONFLICTS = {"stale_version": 0, "already_sent": 0}
TOTAL_USERS = int(os.environ.get("LOAD_AGENCY_USERS", "50")) + int(os.environ.get("LOAD_REVIEWERS", "5"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
_signed_in = 0


def _everyone_signed_in(environment) -> None:
    """Sign-ins (half a second of PBKDF2 each, on purpose) are the start, not the work being measured: once the
    last user is in, the statistics start afresh, a mark is left for bench/load/run.py, and the run lasts
    LOAD_SECONDS from there."""
    global _signed_in
    _signed_in += 1
    if _signed_in != TOTAL_USERS:
        return
    environment.runner.stats.reset_all()
    marker = os.environ.get("LOAD_MEASURE_MARK")
    if marker:
        with open(marker, "w", encoding="utf-8") as out:
            out.write("measuring")
    gevent.spawn_later(SECONDS, environment.runner.quit)


# Seconds a person spends between two actions (reading, typing). 5–15 s is already far busier than a civil servant
# filling in a yearly report; LOAD_WAIT_MIN=1 LOAD_WAIT_MAX=3 turns the scenario into a saturation test.
WAIT = between(float(os.environ.get("LOAD_WAIT_MIN", "5")), float(os.environ.get("LOAD_WAIT_MAX", "15")))

SAVED = "Đã lưu nháp."
SENT = "Đã gửi báo cáo."
STALE = "vừa được người khác lưu"


class FormFields(HTMLParser):
    """The name → value pairs a browser would send from the form with id `form_id` (file inputs and buttons left
    out; a select without a selected option sends its first option)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in {"file", "submit", "button", "checkbox"}:
            self.fields.append((name, a.get("value") or ""))
        elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
            self.fields.append((name, a.get("value") or "on"))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._select_value, self._first_option = name, None, None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select_value = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            value = self._select_value if self._select_value is not None else self._first_option
            self.fields.append((self._select, value or ""))
            self._select = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


class SignedIn(HttpUser):
    abstract = True
    account: dict

    def sign_in(self) -> None:
        self.client.get("/dang-nhap/", name="/dang-nhap/")
        with self.client.post(
            "/dang-nhap/",
            name="/dang-nhap/ (POST)",
            catch_response=True,
            data={
                "username": self.account["username"],
                "password": ACCOUNTS["password"],
                "csrfmiddlewaretoken": self.csrf,
            },
        ) as response:
            if "/dang-nhap/" in response.url:
                response.failure("sign-in refused")

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")


class AgencyPerson(SignedIn):
    fixed_count = int(os.environ.get("LOAD_AGENCY_USERS", "50"))
    wait_time = WAIT

    def on_start(self) -> None:
        self.account = next(_agency_people)
        self.sign_in()
        self.saves = 0
        self.sent = False  # once the report went (this person or a colleague sent it), only reading is left
        self.submission_url = self.open_report()
        _everyone_signed_in(self.environment)

    def open_report(self) -> str:
        """Start the report of this year (or get the one a colleague started: the portal returns it)."""
        page = self.client.get("/bao-cao/don-vi/", name="/bao-cao/don-vi/")
        match = re.search(r'action="(/bao-cao/ky/\d+/bat-dau/)"[^>]*>.*?name="rule" value="(\d*)"', page.text, re.S)
        if match:
            started = self.client.post(
                match.group(1),
                name="/bao-cao/ky/[id]/bat-dau/",
                data={"csrfmiddlewaretoken": self.csrf, "rule": match.group(2)},
            )
            url = started.url
        else:
            # The report a colleague started: its "Soạn" link (only an editable report of an open cycle has one).
            link = re.search(r'href="(/bao-cao/bao-cao/\d+/)sua/"', page.text)
            url = link.group(1) if link else ""
        found = re.search(r"(/bao-cao/bao-cao/\d+/)", url or "")
        return found.group(1) if found else ""

    def _post_edit(self, action: str) -> None:
        page = self.client.get(f"{self.submission_url}sua/", name="/bao-cao/bao-cao/[id]/sua/")
        if "/sua/" not in page.url:  # sent already (by a colleague): the edit page sends to the report
            CONFLICTS["already_sent"] += 1
            self.sent = True
            return
        fields = dict(form_fields(page.text, "submission-form"))
        for name, value in list(fields.items()):
            if name.endswith("-progress") and not value:
                fields[name] = "in_progress"
        self.saves += 1
        fields["assessment"] = f"Cơ bản hoàn thành kế hoạch năm (lần lưu {self.saves} của {self.account['username']})"
        results = [name for name in fields if name.endswith("-results")]
        if results:
            fields[random.choice(results)] = f"Đã triển khai, cập nhật lần {self.saves}."
        fields["action"] = action
        label = "lưu nháp" if action == "save" else "gửi"
        with self.client.post(
            f"{self.submission_url}sua/", data=fields, catch_response=True, name=f"/bao-cao/bao-cao/[id]/sua/ ({label})"
        ) as response:
            text = response.text or ""
            if (SAVED if action == "save" else SENT) in text:
                self.sent = action == "submit"
                response.success()
            elif STALE in text or "đã được sửa sau khi bạn mở trang" in text:
                CONFLICTS["stale_version"] += 1
                response.success()
            elif "không sửa được" in text or "không cần gửi lại" in text:
                CONFLICTS["already_sent"] += 1
                self.sent = True
                response.success()
            else:
                response.failure(f"{action}: neither saved nor a conflict (HTTP {response.status_code})")

    @task(8)
    def save_draft(self) -> None:
        if self.submission_url and not self.sent:
            self._post_edit("save")

    @task(1)
    def send(self) -> None:
        # A report is sent after some work on it, as people do.
        if self.submission_url and not self.sent and self.saves >= 3:
            self._post_edit("submit")

    @task(2)
    def read_report(self) -> None:
        if self.submission_url:
            self.client.get(self.submission_url, name="/bao-cao/bao-cao/[id]/")


class Reviewer(SignedIn):
    fixed_count = int(os.environ.get("LOAD_REVIEWERS", "5"))
    wait_time = WAIT

    def on_start(self) -> None:
        self.account = next(_reviewers)
        self.sign_in()
        self.scope = f"?plan={ACCOUNTS['plan']}&year={ACCOUNTS['year']}"
        _everyone_signed_in(self.environment)

    @task(4)
    def dashboard(self) -> None:
        self.client.get(f"/bao-cao/tong-hop/{self.scope}", name="/bao-cao/tong-hop/")

    @task(2)
    def missing(self) -> None:
        self.client.get(f"/bao-cao/tong-hop/chua-bao-cao/{self.scope}", name="/bao-cao/tong-hop/chua-bao-cao/")

    @task(2)
    def coverage(self) -> None:
        self.client.get(f"/bao-cao/tong-hop/bao-phu/{self.scope}", name="/bao-cao/tong-hop/bao-phu/")

    @task(1)
    def expected(self) -> None:
        self.client.get(f"/bao-cao/tong-hop/bao-cao-phai-nop/{self.scope}", name="/bao-cao/tong-hop/bao-cao-phai-nop/")

    @task(2)
    def inbox(self) -> None:
        self.client.get("/bao-cao/tham-dinh/", name="/bao-cao/tham-dinh/")


@events.quitting.add_listener
def _write_conflicts(environment, **kwargs) -> None:
    path = os.environ.get("LOAD_CONFLICTS")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(CONFLICTS, out)
