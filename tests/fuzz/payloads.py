"""Hostile request bodies for the fuzz tests: Hypothesis strategies for values and field names, and encoders
that send them as a browser never would (lone surrogates encoded as bytes, names with quotes, broken multipart).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import quote

from hypothesis import strategies as st

# ~2,000 examples in CI over every POST endpoint; FUZZ_EXAMPLES=20000 for a long local run.
TOTAL_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000"))
SEED = int(os.environ.get("FUZZ_SEED", "20261130"))

HUGE = "x" * 100_000
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "\x7f\x85",
    "\ud800",
    "a\udfffb",
    "\u202eRTL\u202c",
    "\u200f\u200e\u2066",
    "\ufeff",
    "²",
    "٣",
    "𝟙",
    "１２",
    "0",
    "-1",
    "1.5",
    "1e9",
    "NaN",
    "2147483647",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999",
    "true",
    "on",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE reports_submission; --",
    "%00",
    "%",
    "&=&=",
    "Hoa\u0300 bi\u0300nh",
    HUGE,
    "é" * 20_001,
]

surrogates = st.integers(0xD800, 0xDFFF).map(chr)
unicode_text = st.text(st.one_of(st.characters(), surrogates), max_size=40)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["2147483647", "2147483648", "4294967296", "-2147483649"]),
)
values = st.one_of(st.sampled_from(NASTY), unicode_text, numbers)


def good_or_evil(good: str) -> st.SearchStrategy[str]:
    return st.one_of(st.just(good), st.just(good), values)


@dataclass
class Payload:
    pairs: list[tuple[str, str]]
    files: list[tuple[str, str, bytes]] = field(default_factory=list)

    def __repr__(self) -> str:  # Hypothesis prints the failing example: keep 100k strings short
        def short(v):
            return v if len(v) < 80 else f"{v[:40]}…({len(v)} chars)"

        pairs = [(short(k), short(v)) for k, v in self.pairs]
        return f"Payload(pairs={pairs}, files={[(short(n), short(f)) for n, f, _ in self.files]})"


@st.composite
def payloads(draw, base: list[tuple[str, str]], file_names: list[str] = (), extra_names: list[str] = ()) -> Payload:
    """Start from what the page itself would send (`base`), then for each field keep it, change its value, drop
    it or send it twice; add fields under known and random names; attach files under right and wrong names."""
    pairs: list[tuple[str, str]] = []
    for name, good in base:
        action = draw(st.sampled_from(["keep", "keep", "keep", "keep", "evil", "drop", "twice"]))
        if action == "keep":
            pairs.append((name, good))
        elif action == "evil":
            pairs.append((name, draw(values)))
        elif action == "twice":
            pairs += [(name, good), (name, draw(values))]
    known = [n for n, _ in base] + list(extra_names)
    name_strategy = st.one_of(st.sampled_from(known), unicode_text) if known else unicode_text
    pairs += draw(st.lists(st.tuples(name_strategy, values), max_size=3))
    files = []
    if file_names:
        file_name_strategy = st.one_of(st.sampled_from(list(file_names)), unicode_text)
        bodies = st.sampled_from([b"", b"%PDF-1.4\n%%EOF\n", b"MZ\x90\x00", b"\x89PNG\r\n\x1a\n", bytes(range(256))])
        files = draw(
            st.lists(st.tuples(file_name_strategy, st.one_of(st.just("tep.pdf"), unicode_text), bodies), max_size=3)
        )
    return Payload(pairs=draw(st.permutations(pairs)), files=files)


def _q(text: str) -> str:
    return quote(text, safe="", encoding="utf-8", errors="surrogatepass")


def urlencoded(payload: Payload) -> bytes:
    return "&".join(f"{_q(k)}={_q(v)}" for k, v in payload.pairs).encode("ascii")


BOUNDARY = "----hptrackerFuzzBoundary7MA4YWxk"


def multipart(payload: Payload) -> bytes:
    """Written by hand: Django's encoder refuses what we want to send (surrogates, quotes and CRLF in names)."""

    def enc(text: str) -> bytes:
        return text.encode("utf-8", "surrogatepass")

    parts = []
    for name, value in payload.pairs:
        parts.append(b'Content-Disposition: form-data; name="' + enc(name) + b'"\r\n\r\n' + enc(value))
    for name, filename, body in payload.files:
        parts.append(
            b'Content-Disposition: form-data; name="'
            + enc(name)
            + b'"; filename="'
            + enc(filename)
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + body
        )
    delimiter = b"--" + BOUNDARY.encode()
    return b"".join(delimiter + b"\r\n" + part + b"\r\n" for part in parts) + delimiter + b"--\r\n"
