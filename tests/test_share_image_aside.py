"""The share image's name comes from what it is drawn from, so a build renders the pages
that link it while another process draws it (share_image.Aside); a drawing that fails is a
one-line error, the last good site is kept and no process is left behind. Its fonts are
asked of libfontconfig in the build's process, which picks what fc-match picks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import PIL
import pytest

from conftest import tree_digest
from tiangong_site import share_draw, share_image, workers
from tiangong_site.share_image import Card


def _card(headline: str) -> Card:
    return Card("zh", "浙江制造", headline, "五座天工鼎｜天工数据新闻")


def test_a_share_image_is_named_by_what_it_is_drawn_from(monkeypatch: pytest.MonkeyPatch):
    faces = share_image.find_faces("zh")
    first = share_image.plan(_card("一次摘得五鼎"), faces).target
    assert re.fullmatch(r"assets/share-zh\.[0-9a-f]{10}\.png", first)
    assert share_image.plan(_card("一次摘得五鼎"), faces).target == first
    assert share_image.plan(_card("一次摘得六鼎"), faces).target != first, "headline"
    monkeypatch.setattr(PIL, "__version__", "0.0.1")
    assert share_image.plan(_card("一次摘得五鼎"), faces).target != first, "Pillow's version"
    monkeypatch.undo()
    monkeypatch.setattr(share_image, "_code_digest", lambda: "another drawing code")
    assert share_image.plan(_card("一次摘得五鼎"), faces).target != first, "the drawing code"


def _children() -> set[int]:
    """This process's child processes, reaped or not (a zombie is still listed)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        pids |= {int(pid) for pid in (task / "children").read_text().split()}
    return pids


def test_a_build_draws_its_share_images_in_another_process_and_publishes_them(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from tiangong_site.site import Project, build, load_and_check, share_plans

    monkeypatch.setattr(workers, "cores", lambda: 2)  # a second core, idle, whatever the machine
    monkeypatch.setattr(workers, "busy_cores", lambda: 0.0)
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    real_draw = share_image.draw

    def not_here(*_: object) -> bytes:
        raise AssertionError("drawn in the build's own process")

    monkeypatch.setattr(share_image, "draw", not_here)
    site = Project.at(project)
    for cached in (project / ".cache" / "share").glob("*"):
        cached.unlink()
    build(site, tmp_path / "out")
    plans = share_plans(site, load_and_check(site, write_cache=False))
    for name, planned in plans.items():
        published = (tmp_path / "out" / planned.target).read_bytes()
        assert published == real_draw(planned.card, planned.faces), name
    home = (tmp_path / "out" / "en" / "index.html").read_text(encoding="utf-8")
    assert f'<meta property="og:image" content="{plans["share-en.png"].target}"' in re.sub(
        r'content="https?://[^"]*?/(assets/)', r'content="\1', home
    )
    monkeypatch.setattr(workers, "cores", lambda: 1)  # drawn here, were they not cached
    build(site, tmp_path / "again")  # the images drawn aside were kept in the cache
    assert tree_digest(tmp_path / "again") == tree_digest(tmp_path / "out")


@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_share_image_not_drawn_fails_the_build_in_one_line_and_keeps_the_last_site(
    processes: str, built_project: Path, run_cli, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(workers, "busy_cores", lambda: 0.0)
    monkeypatch.setenv(workers.WORKERS_ENV, processes)  # 1: drawn in the build's own process
    broken = built_project / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    monkeypatch.setattr(
        share_image, "_match", lambda pattern, lang: share_image.Face(str(broken), 0)
    )
    before, children = tree_digest(built_project / "_site"), _children()
    result = run_cli("build", "--project", str(built_project))
    assert result.code == 1
    assert re.fullmatch(
        rf"\(fonts\):1:1: the (en|zh) share image could not be drawn with {broken}: "
        r"OSError: [^(]+ \(check that the font files are readable.*\)",
        result.err.splitlines()[0],
    ), result.err
    assert len(result.problems()) == 1
    assert tree_digest(built_project / "_site") == before
    left = _children() - children
    assert not left, f"the drawing process ended and was reaped: {left}"


def test_fontconfig_asked_in_process_picks_what_fc_match_picks(monkeypatch: pytest.MonkeyPatch):
    patterns = [
        share_image._query(lang, weight)[0]
        for lang in ("en", "zh", "fr", "xx")
        for weight in ("bold", "regular")
    ]
    assert share_image._fontconfig() is not None, "libfontconfig loads on this machine"
    here = [share_image._described(pattern) for pattern in patterns]
    told = [
        subprocess.run(
            ["fc-match", "--format", share_image.DESCRIBED, pattern],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for pattern in patterns
    ]
    assert here == told
    faces = share_image.faces_for(["en", "zh"])
    monkeypatch.setattr(share_image, "_fontconfig", lambda: None)  # fc-match processes, then
    assert share_image.faces_for(["en", "zh"]) == faces


def test_the_share_images_are_drawn_aside_only_with_a_core_to_spare(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(workers, "busy_cores", lambda: 0.5)
    assert share_image._may_spawn()
    monkeypatch.setattr(workers, "busy_cores", lambda: 2.5)  # both cores busy: drawn here
    assert not share_image._may_spawn()
    monkeypatch.setattr(workers, "busy_cores", lambda: 0.0)
    monkeypatch.setattr(workers, "cores", lambda: 1)
    assert not share_image._may_spawn()
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setenv(workers.WORKERS_ENV, "1")
    assert not share_image._may_spawn()


def _drawing_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Share images drawn in another process, whatever the machine's load."""
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    monkeypatch.setattr(share_image, "_may_spawn", lambda: True)


def test_a_drawing_interrupted_while_waited_for_ends_its_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _drawing_aside(monkeypatch)
    planned = share_image.plan(_card("一次摘得五鼎"))
    real = subprocess.Popen.communicate
    interrupted = []

    def interrupt_once(self: subprocess.Popen, *args: object, **kwargs: object):
        if not interrupted:
            interrupted.append(self.pid)
            raise KeyboardInterrupt  # Ctrl+C while the build waits for the drawing
        return real(self, *args, **kwargs)

    children = _children()
    monkeypatch.setattr(subprocess.Popen, "communicate", interrupt_once)
    with pytest.raises(KeyboardInterrupt), share_image.Aside() as aside:
        assert aside.draw([planned], tmp_path, None)
    assert interrupted, "the drawing was waited for"
    assert _children() - children == set(), "the drawing process ended and was reaped"


def test_a_drawing_process_that_cannot_start_leaves_the_drawing_to_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _drawing_aside(monkeypatch)
    planned = share_image.plan(_card("一次摘得五鼎"))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))
    open_files = len(os.listdir("/proc/self/fd"))
    with share_image.Aside() as aside:
        share_image.write([planned], tmp_path / "out", None, aside)
    assert len(os.listdir("/proc/self/fd")) == open_files, "the pipe to it was closed"
    drawn = (tmp_path / "out" / planned.target).read_bytes()
    assert drawn == share_image.draw(planned.card, planned.faces)


def _fake_pillow(folder: Path, body: str) -> Path:
    """A folder holding a package named PIL, to put first on the drawing process's path."""
    (folder / "PIL").mkdir(parents=True)
    (folder / "PIL" / "__init__.py").write_text(body, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "pillow",
    [
        "raise ImportError('no Pillow for this Python')",
        # a Pillow that "draws" what is no PNG: what the build publishes is checked
        "import sys\n"
        "sys.stdout.buffer.write((9).to_bytes(8, 'little') + b'not a png')\n"
        "sys.exit(0)",
    ],
    ids=["not importable", "no png"],
)
def test_a_drawing_process_without_the_builds_pillow_leaves_the_drawing_to_the_build(
    pillow: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _drawing_aside(monkeypatch)
    planned = share_image.plan(_card("一次摘得五鼎"))
    monkeypatch.setenv("PYTHONPATH", str(_fake_pillow(tmp_path / "elsewhere", pillow)))
    cache = tmp_path / "cache"
    with share_image.Aside() as aside:
        share_image.write([planned], tmp_path / "out", cache, aside)
    drawn = share_image.draw(planned.card, planned.faces)
    assert (tmp_path / "out" / planned.target).read_bytes() == drawn
    assert share_image.cached(planned, cache) == drawn


def test_the_drawing_process_draws_with_the_code_the_image_is_named_by(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """share_draw.py edited under a running preview: the build named the image by the code it
    read, so the drawing process must not run the file as it is now."""
    _drawing_aside(monkeypatch)
    planned = share_image.plan(_card("一次摘得五鼎"))
    read = Path(share_draw.__file__).read_text(encoding="utf-8")
    edited = tmp_path / "share_draw.py"
    edited.write_text(read.replace("y = 130", "y = 150"), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != read
    monkeypatch.setattr(share_draw, "__file__", str(edited))  # the file, as edited since
    with share_image.Aside() as aside:
        share_image.write([planned], tmp_path / "out", None, aside)
    published = (tmp_path / "out" / planned.target).read_bytes()
    assert published == share_draw.draw(*share_image._drawing(planned.card, planned.faces))
