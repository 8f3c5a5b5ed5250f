"""Scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Myanmar, Tibetan): every
character is a token, so that copies share character shingles and cluster (issue 15).

Everything else tokenises as before, down to the hash: the Latin and Cyrillic hashes below were
computed on the code before the change.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import fingerprint as fp
from dedup.clean import damage
from dedup.reuse import passages
from tests.conftest import FIXTURES, SEEDS, seed_id

NOSPACE = FIXTURES / "nospace"
ZH_1, ZH_2, ZH_OTHER = "zh_01_original_jiangnan.txt", "zh_02_copy_dongfang.txt", "zh_03_unrelated_jiangnan.txt"
JA_1, JA_2 = "ja_01_original_minato.txt", "ja_02_truncated_portal.txt"


def _text(name: str) -> str:
    return (NOSPACE / name).read_text(encoding="utf-8")


def _batch(texts: list[str]) -> list[list[int]]:
    hashes, bounds = fp.batch_token_hashes(texts)
    return [hashes[bounds[i] : bounds[i + 1]].tolist() for i in range(len(texts))]


def _per_token(text: str) -> list[int]:
    return [fp.token_hash(t) for t in fp.tokens(text)]


# -- tokens ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("滨江市地铁五号线正式开通。", ["滨", "江", "市", "地", "铁", "五", "号", "线", "正", "式", "开", "通"]),
    # CJK punctuation and brackets separate; 々 and ー are letters
    ("「東京」の人々、スーパーへ。", ["東", "京", "の", "人", "々", "ス", "ー", "パ", "ー", "へ"]),
    ("ｶﾀｶﾅ・テスト", ["カ", "タ", "カ", "ナ", "テ", "ス", "ト"]),  # halfwidth folded by NFKC, ・ a separator
    # Thai: each code point, the vowel and tone marks included
    ("ภาษาไทย ง่าย", ["ภ", "า", "ษ", "า", "ไ", "ท", "ย", "ง", "่", "า", "ย"]),
    # ASCII letters next to a CJK character split there
    ("Apple 公司 发布 iPhone15", ["apple", "公", "司", "发", "布", "iphone15"]),
    ("Apple公司发布iPhone15手机", ["apple", "公", "司", "发", "布", "iphone15", "手", "机"]),
    ("5G网络覆盖率达98%", ["5g", "网", "络", "覆", "盖", "率", "达", "98"]),
    # an apostrophe between word characters is dropped, as everywhere
    ("West's 公'司 a'b", ["wests", "公", "司", "ab"]),
    # CJK extension B (four UTF-8 bytes) and Korean, which is written with spaces and stays whole
    ("𠀀𠀁 한국어 문장", ["𠀀", "𠀁", "한국어", "문장"]),
])
def test_tokens(text: str, expected: list[str]) -> None:
    assert fp.tokens(text) == expected
    assert _batch([text]) == [[fp.token_hash(t) for t in expected]]


def test_every_range_edge_tokenises_alike_in_both_paths() -> None:
    texts = []
    for a, b in fp.NO_SPACE_RANGES:
        for c in (a - 1, a, b, b + 1):
            if 0xD800 <= c <= 0xDFFF:
                continue
            ch = chr(c)
            texts += [f"x{ch}{ch}y", f"{ch}{ch}", f"1{ch}", f"{ch}'{ch}", f"é{ch}é"]
    for text, hashes in zip(texts, _batch(texts), strict=True):
        assert hashes == _per_token(text), repr(text)
    for a, b in fp.NO_SPACE_RANGES:
        for c in (a, b):
            ch = fp.normalise(chr(c))
            if len(ch) == 1 and fp.is_no_space(np.array([ord(ch)]))[0]:
                assert fp.tokens(f"a{ch}{ch}b") == ["a", ch, ch, "b"], hex(c)


MIXED = [
    "Apple 公司 发布 iPhone15",
    "The council voted on Tuesday to build a northern tram line.",  # all ASCII
    "Городской совет проголосовал за строительство северной линии трамвая.",
    "مرحبا بالعالم، هذا نص عربي",
    "한국어 문장은 띄어쓰기를 합니다 🎉",
    "emoji 😀🎉 between 👍words",
    "ภาษาไทยไม่เว้นวรรค ລາວ ខ្មែរ မြန်မာ བོད་ཡིག",
    "日本語の文章「引用」と、中文的句子。",
    "",
    "'quoted' ‘curly’ West’s 公'司",
    "𠮷野家の牛丼 and 𩸽",
    "x",
]


def test_batch_token_hashes_equal_token_hash_of_tokens_on_mixed_scripts() -> None:
    assert _batch(MIXED) == [_per_token(t) for t in MIXED]
    # one text at a time, and the batch without any CJK (the fast path) too
    for text in MIXED:
        assert _batch([text]) == [_per_token(text)]
    latin = [t for t in MIXED if fp.normalise(t).isascii() or "Город" in t or "مرحبا" in t]
    assert _batch(latin) == [_per_token(t) for t in latin]


_CHARS = st.sampled_from(list("ab9 '.,-") + list("公司テスト々ー、「」ภา\u0e48ລ한😀éЖ") + ["\U00020000", "\u3005"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_CHARS, max_size=12), max_size=6))
def test_batch_equals_tokens_on_random_mixed_text(texts: list[str]) -> None:
    assert _batch(texts) == [_per_token(t) for t in texts]


# -- what did not change -----------------------------------------------------------------------
# 5-word shingle hashes of fp.tokens(text), computed on the code before characters of scripts
# without spaces became tokens (commit d64a25e).
LATIN_HASHES = {
    "The council voted on Tuesday to build a northern tram line.": [
        6823540935868281336, 7577443403416395558, 9421020545962806508, 9836490265391273829,
        12399529155521222145, 14778105122995235849, 16370244012577640864],
    "The mayor’s café in Zürich — opened in 2024 — serves 3 kinds of coffee, West's style.": [
        1604576305641472416, 3528347890437457229, 3959706278883834864, 5543493569948162422,
        6857717257979387135, 7013962410237790463, 8241450130776014145, 9268483711561224615,
        10108367506671651054, 16980958540523267530, 18039444302306993410],
    "Shop owners fear that years of construction will drive customers away!": [
        2187561713777851743, 2295977536144443074, 8065101795423362411, 10769256357512162499,
        11138786094272593162, 16137989504058364178, 17546248182558218915],
    "Городской совет во вторник проголосовал за строительство северной линии трамвая.": [
        460630122754032254, 591418269271528845, 3118528103358478154, 15730363310875398857,
        17625932659587412892, 18161951129416241684],
}


@pytest.mark.parametrize("text", list(LATIN_HASHES))
def test_latin_and_cyrillic_hashes_unchanged(text: str) -> None:
    assert fp.shingle_hashes(fp.tokens(text), 5).tolist() == LATIN_HASHES[text]
    (sets,) = fp.shingle_sets([text], 5)
    assert sets.tolist() == LATIN_HASHES[text]


# -- the other tokenisers agree ----------------------------------------------------------------
@pytest.mark.parametrize("text", [*MIXED, "株式会社のテスト_下線", "Ａｐｐｌｅ公司"])
def test_passage_tokens_split_characters_alike_fast_and_regex(text: str) -> None:
    norm = fp.normalise(text)
    matches = list(passages._TOKEN.finditer(norm))
    toks = passages.tokenize(text)
    assert toks.words == [m.group().replace("'", "") for m in matches]
    assert toks.hashes.tolist() == [fp.token_hash(w) for w in toks.words]
    if len(norm) == len(text) and "_" not in norm:
        fast = passages._tokenize_fast(norm)
        assert (fast.starts.tolist(), fast.ends.tolist()) == ([m.start() for m in matches], [m.end() for m in matches])


def test_passage_spans_point_at_the_characters() -> None:
    text = "Apple公司发布了iPhone15，售价五千元。"
    toks = passages.tokenize(text)
    assert [text[s:e] for s, e in zip(toks.starts.tolist(), toks.ends.tolist(), strict=True)] == [
        "Apple", "公", "司", "发", "布", "了", "iPhone15", "售", "价", "五", "千", "元"]


@pytest.mark.parametrize("text", [*MIXED, "Ｘ公司_under", "ǅ𠀀ß"])
def test_damage_tokens_fast_equal_regex(text: str) -> None:
    words, starts, ends = damage._tokens(text)
    slow = damage._tokens_slow(text)
    assert (words, starts.tolist(), ends.tolist()) == (slow[0], slow[1].tolist(), slow[2].tolist())


def _body(text: str) -> str:
    """The article paragraphs of a fixture file: sentences, longer than the sites' footers."""
    return "\n\n".join(p for p in text.split("\n\n") if "。" in p and len(p) > 40)


def test_damage_aligner_sees_chinese_copies_as_near_identical() -> None:
    gaps, complete = damage.align_damage(_body(_text(ZH_2)), _body(_text(ZH_1)))
    assert complete > 0.95
    (gap,) = gaps
    assert gap.canonical_span.text == "部分路段还采用了低噪音盾构设备"


def test_damage_aligner_sees_japanese_truncation() -> None:
    gaps, complete = damage.align_damage(_body(_text(JA_2)), _body(_text(JA_1)))
    assert 0.75 < complete < 0.95
    assert gaps[-1].canonical_span.text.endswith("反映させるとしている")


def test_chinese_copies_share_most_shingles() -> None:
    a, b, other = fp.shingle_sets([_text(ZH_1), _text(ZH_2), _text(ZH_OTHER)], 5)
    assert len(np.intersect1d(a, b)) / len(np.union1d(a, b)) > 0.8
    assert len(np.intersect1d(a, other)) / len(np.union1d(a, other)) < 0.1


# -- end to end --------------------------------------------------------------------------------
def _records(folder: Path) -> list[dict[str, str]]:
    return [{"id": p.name, "text": p.read_text(encoding="utf-8")} for p in sorted(folder.glob("*.txt"))]


# A copy of the Chinese story edited the way reposting sites often do (Chinese numerals written
# as digits, one word changed): one character changed here and there. When a "word" was a whole
# clause between punctuation marks, every edit cost five shingles of a few dozen and this copy
# shared a third of them (it stayed alone, where the fixtures' copies still clustered);
# character shingles lose a handful per edit.
_EDITS = [("本周六上午九时", "6月15日上午9时"), ("二十二座车站", "22座车站"), ("发车间隔为三分钟", "发车间隔为3分钟"),
          ("总投资约二百一十亿元", "总投资约210亿元"), ("退休教师王先生", "退休教师王老师")]


def _edited(text: str) -> str:
    for old, new in _EDITS:
        assert old in text
        text = text.replace(old, new)
    return text


def test_copies_in_scripts_without_spaces_cluster_end_to_end() -> None:
    from dedup.engines.local import run_records

    edited = {"id": "zh_edited_copy", "text": _edited(_text(ZH_1))}
    result = run_records(_records(SEEDS) + _records(NOSPACE) + [edited], workers=1)
    multi = sorted(sorted(c.members) for c in result.clusters if len(c.members) > 1)
    assert multi == sorted([[JA_1, JA_2], [seed_id("000"), seed_id("001")], sorted([ZH_1, ZH_2, "zh_edited_copy"])])
    assert result.cluster_of(ZH_OTHER).members == [ZH_OTHER]
    seeds = result.cluster_of(seed_id("000"))
    assert seeds.canonical == seed_id("001")
    # the fullest copies are the ones a reader should see
    zh, ja = result.cluster_of(ZH_1), result.cluster_of(JA_2)
    assert (zh.canonical, ja.canonical) == (ZH_1, JA_1)
    assert all(p.jaccard > 0.8 for p in zh.pairs + ja.pairs)
    # the damage aligner names what the copies lost, in characters
    lost = [g["canonical_span"]["text"] for g in result.damage[ZH_2]["gaps"]]
    assert "部分路段还采用了低噪音盾构设备" in lost
