"""Properties that hold for any input: extraction fails only with InputError, and clean-up only removes lines."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswatch.config import ExtractSettings
from newswatch.errors import InputError
from newswatch.extract import clean_text, extract_article
from newswatch.models import RawDocument

SETTINGS = ExtractSettings(min_text_chars=1)
_LINES = st.lists(
    st.one_of(
        st.sampled_from(["Loading Now", "Advertisement", "Share this article", "Post Comment", "Source: Reuters",
                         "Original Source: www.example.org", "Jan Novak is a reporter who writes about ports.", ""]),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_LINES)
def test_extract_clean_text_only_removes_whole_lines(lines: list[str]) -> None:
    text = "\n".join(lines)
    result = clean_text(text)
    source_lines = {line.strip() for line in text.replace("\r", "\n").split("\n")}
    kept = [line for line in result.text.split("\n") if line.strip()]
    assert all(line.strip() in source_lines for line in kept)  # nothing invented, nothing rewritten
    assert all(line in source_lines for line in result.removed)  # what was removed was a whole line


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from(["html", "text"]))
def test_extract_any_bytes_give_an_article_or_an_input_error(content: bytes, kind: str) -> None:
    try:
        article = extract_article(RawDocument(source="fuzz", content=content, kind=kind), settings=SETTINGS)
    except InputError as exc:
        assert str(exc)  # every failure says why
    else:
        assert article.text.strip()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdiv pbodyhtml\n&;#")), max_size=2000))
def test_extract_malformed_markup_never_raises_anything_else(markup: str) -> None:
    try:
        extract_article(RawDocument(source="fuzz", content=markup.encode(), kind="html"), settings=SETTINGS)
    except InputError:
        pass
