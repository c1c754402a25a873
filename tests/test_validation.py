"""The validation layer on its own: every check, its message, and that nothing but InputError escapes."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factdb.errors import InputError, NotFoundError
from factdb.services.validation import (
    LAST_YEAR,
    MAX_INT,
    MAX_URL_LENGTH,
    check_day,
    check_moment,
    check_text,
    check_url,
    control_character,
    id_in_range,
    is_http_url,
    parse_day,
    parse_id,
    parse_int,
    parse_moment,
    require_id,
)


@pytest.mark.parametrize("raw", ["1", " 42 ", str(MAX_INT)])
def test_ids_within_range(raw: str) -> None:
    assert parse_id(raw, "source") == int(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "source='0' is out of range (1 to 2,147,483,647)"),
        (str(2**31), "source='2147483648' is out of range"),
        (str(2**63), "source='9223372036854775808' is out of range"),
        ("9" * 5000, "(5,000 characters)"),
        ("-1", "source='-1' is not an id"),
        ("1_000", "is not an id"),
        ("١٢", "is not an id"),  # Arabic-Indic digits: str.isdigit() says yes, an id says no
        ("1e3", "is not an id"),
        ("0x10", "is not an id"),
    ],
)
def test_ids_out_of_range_or_malformed(raw: str, message: str) -> None:
    with pytest.raises(InputError, match="^source=") as caught:
        parse_id(raw, "source")
    assert message in str(caught.value)


def test_empty_is_none_and_options_read_like_options() -> None:
    assert parse_id("", "after") is None
    assert parse_id(None, "after") is None
    with pytest.raises(InputError, match=r"^--source '99999999999' is out of range"):
        parse_id("99999999999", "--source")
    with pytest.raises(InputError, match=r"^content_end=-3 is out of range \(0 to"):
        parse_int(-3, "content_end")


def test_require_id_is_not_found() -> None:
    assert require_id(7, "claim") == 7
    for value in (0, -5, 2**31, 2**63, 10**40):
        assert not id_in_range(value)
        with pytest.raises(NotFoundError, match="^no claim with id "):
            require_id(value, "claim")


def test_dates() -> None:
    assert parse_day("2025-03-15", "from") == dt.date(2025, 3, 15)
    assert parse_moment("2025-03-15", "--as-of", end_of_day=True) == dt.datetime(
        2025, 3, 15, 23, 59, 59, 999999, tzinfo=dt.UTC
    )
    assert parse_moment("2025-03-15T09:30", "--as-of") == dt.datetime(2025, 3, 15, 9, 30, tzinfo=dt.UTC)
    with pytest.raises(InputError, match=r"^published='9999-12-31' is outside the years 1800-2200$"):
        parse_day("9999-12-31", "published")
    with pytest.raises(InputError, match=r"^--to '2025-02-30' is not a date like 2025-03-15$"):
        parse_day("2025-02-30", "--to")
    with pytest.raises(InputError, match="outside the years"):
        check_day(dt.date(LAST_YEAR + 1, 1, 1), "published")
    with pytest.raises(InputError, match="outside the years"):
        check_moment(dt.datetime(1, 1, 1, tzinfo=dt.UTC), "published")
    with pytest.raises(InputError, match="no time zone"):
        check_moment(dt.datetime(2025, 1, 1), "published")  # noqa: DTZ001 (the point of the test)
    assert check_day(None, "x") is None


@pytest.mark.parametrize(
    ("value", "multiline", "message"),
    [
        ("a\x00b", False, "title contains a NUL character (at position 2)"),
        ("a\x00b", True, "title contains a NUL character"),
        ("tab\there", False, "U+0009"),
        ("line\nbreak", False, "U+000A"),
        ("escape\x1b[31m", True, "U+001B"),
        ("del\x7f", False, "U+007F"),
        ("c1\x85", False, "U+0085"),
        ("bad \udcff bytes", False, "bytes that are not UTF-8"),
    ],
)
def test_control_characters_refused(value: str, multiline: bool, message: str) -> None:
    with pytest.raises(InputError) as caught:
        check_text(value, "title", multiline=multiline)
    assert message in str(caught.value)


def test_text_allowed() -> None:
    assert check_text("Zelensky said — «ça va» 🙂", "title") == "Zelensky said — «ça va» 🙂"
    assert check_text("two\nlines\r\n\tindented", "rationale", multiline=True) is not None
    assert check_text(None, "title") is None
    with pytest.raises(InputError, match="longer than 5 characters"):
        check_text("123456", "title", max_length=5)


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=c#d", "http://127.0.0.1:5000/", "HTTPS://EXAMPLE.ORG"]
)
def test_http_urls(url: str) -> None:
    assert is_http_url(url)
    assert check_url(f"  {url} ", "--url") == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "//example.org/x",
        "https://",
        "http://[::1",
        "https://example.org/\x00",
        "https://exa mple.org/",
        "not a url",
    ],
)
def test_other_links_refused(url: str) -> None:
    assert not is_http_url(url)
    with pytest.raises(InputError, match="^--url "):
        check_url(url, "--url")


def test_url_length_and_empty() -> None:
    assert check_url("   ", "url") is None
    with pytest.raises(InputError, match="longer than 2,000"):
        check_url("https://example.org/" + "a" * MAX_URL_LENGTH, "url")
    assert not is_http_url(None)


@given(st.text())
def test_text_checks_raise_only_input_error(value: str) -> None:
    for check in (
        lambda: check_text(value, "q"),
        lambda: check_url(value, "url"),
        lambda: parse_id(value, "id"),
        lambda: parse_int(value, "n"),
        lambda: parse_day(value, "from"),
        lambda: parse_moment(value, "--as-of"),
    ):
        with contextlib.suppress(InputError):
            check()
    assert isinstance(is_http_url(value), bool)
    # A value check_text lets through holds no control character.
    with contextlib.suppress(InputError):
        check_text(value, "q")
        assert control_character(value) is None


@given(st.integers())
def test_ints_raise_only_input_error(value: int) -> None:
    try:
        assert 0 <= (parse_int(value, "n") or 0) <= MAX_INT
    except InputError:
        assert not 0 <= value <= MAX_INT
