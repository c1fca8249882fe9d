"""Both editions complete (issue 12, point 6): a 404 in both languages, a share image per
language drawn from its headline, and a Chinese data page and Chinese downloads."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest

from conftest import tree_digest
from tiangong_site import share_image
from tiangong_site.errors import ContentError
from tiangong_site.share_image import Card


def _meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    assert match, key
    return match.group(1)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_404_page_speaks_both_languages_each_marked_and_linking_its_edition(built_once: Path):
    html = (built_once / "_site" / "404.html").read_text(encoding="utf-8")
    main = html.split("<main", 1)[1]
    zh = re.search(r'<section lang="zh-Hans"[^>]*>(.*?)</section>', main, re.S)
    en = re.search(r'<section lang="en"[^>]*>(.*?)</section>', main, re.S)
    assert zh and en, "one part per language, each with its lang"
    assert "页面不存在" in zh.group(1) and 'href="/tiangong-site/zh/"' in zh.group(1)
    assert 'href="/tiangong-site/zh/data/"' in zh.group(1)
    assert "Page not found" in en.group(1) and 'href="/tiangong-site/en/"' in en.group(1)
    assert "页面" not in en.group(1) and "Page" not in zh.group(1)


def test_each_edition_links_its_own_share_image_drawn_at_1200_by_630(built_once: Path):
    site = built_once / "_site"
    images = {}
    for lang in ("en", "zh"):
        html = (site / lang / "index.html").read_text(encoding="utf-8")
        url = _meta(html, "og:image")
        assert f"/assets/share-{lang}." in url and _meta(html, "twitter:image") == url
        images[lang] = (site / url.split("/tiangong-site/", 1)[1]).read_bytes()
        assert _png_size(images[lang]) == (1200, 630)
        ld = json.loads(
            re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
        )
        assert ld["image"] == [url]
    assert images["en"] != images["zh"]


def test_the_share_image_follows_the_headline_and_is_the_same_bytes_each_time(tmp_path: Path):
    card = Card(
        "zh", "浙江制造", "一次摘得五鼎：绍兴制造的成绩单与未解之问", "五座天工鼎｜天工数据新闻"
    )
    faces = share_image.find_faces("zh")
    first = share_image.draw(card, faces)
    assert share_image.draw(card, faces) == first, "deterministic bytes"
    other = Card(card.lang, card.kicker, "绍兴五鼎", card.footer, card.brand)
    assert share_image.draw(other, faces) != first
    assert share_image.digest(other, faces) != share_image.digest(card, faces)


def test_a_drawn_card_is_reused_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    card = Card("en", "Kicker", "A headline", "Site · Desk")
    drawn = share_image.share_png(card, tmp_path)

    def no_drawing(*args: object) -> bytes:
        raise AssertionError("drawn again")

    monkeypatch.setattr(share_image, "draw", no_drawing)
    assert share_image.share_png(card, tmp_path) == drawn


def test_a_chinese_face_is_required_and_its_absence_is_explained(monkeypatch: pytest.MonkeyPatch):
    faces = share_image.find_faces("zh")
    assert all(Path(face.path).is_file() for face in faces)
    monkeypatch.setattr(share_image, "_fontconfig", lambda: None)  # neither the library
    monkeypatch.setattr(share_image.shutil, "which", lambda name: None)  # nor fc-match
    with pytest.raises(ContentError) as caught:
        share_image.find_faces("zh")
    assert "fonts-noto-cjk" in str(caught.value)


def test_a_build_without_a_chinese_font_fails_in_one_line_and_keeps_the_last_site(
    built_project: Path, run_cli, monkeypatch: pytest.MonkeyPatch
):
    before = tree_digest(built_project / "_site")
    real = share_image._match
    monkeypatch.setattr(
        share_image, "_match", lambda pattern, lang: None if lang == "zh" else real(pattern, lang)
    )
    result = run_cli("build", "--project", str(built_project))
    assert result.code == 1
    assert re.search(
        r"^\(fonts\):1:1: no font for the zh share image.*fonts-noto-cjk", result.err, re.M
    ), result.err
    assert tree_digest(built_project / "_site") == before


def test_the_chinese_data_page_names_and_describes_its_datasets_in_chinese(built_once: Path):
    html = (built_once / "_site" / "zh" / "data" / "index.html").read_text(encoding="utf-8")
    table = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    rows = re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', table)
    assert len(rows) == 9
    for name, description in rows:
        assert re.fullmatch(r"[\u4e00-\u9fff]+", name), name
        assert not re.search("[A-Za-z]", description), description
    assert ("来源", "每个数字所依据的文件：标题、发布机构、日期和网址。") in rows


def test_chinese_downloads_hold_chinese_text_not_bilingual_objects(built_once: Path):
    data = built_once / "_site" / "zh" / "data"
    for name in ("sources", "regions", "metrics"):
        assert '""en""' not in (data / f"{name}.csv").read_text(encoding="utf-8")
        rows = json.loads((data / f"{name}.json").read_text(encoding="utf-8"))
        assert not [v for row in rows for v in row.values() if isinstance(v, dict)], name
    regions = json.loads((data / "regions.json").read_text(encoding="utf-8"))
    assert {"id": "xinchang", "name": "新昌县"}.items() <= next(
        r for r in regions if r["id"] == "xinchang"
    ).items()
    english = (built_once / "_site" / "en" / "data" / "regions.csv").read_text(encoding="utf-8-sig")
    assert english.startswith("id,name,"), "the English files keep the column keys"
