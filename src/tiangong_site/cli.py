"""Command line: `tiangong-site build | serve | check | new | init | schema`.

Exit codes: 0 ok, 1 content errors, 2 usage errors. A traceback only with --debug.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

from . import __version__
from .errors import ContentError, UsageError
from .limits import shown_problems
from .output import MARKER

# Only what parsing the command line needs is imported here; each command imports its own
# modules (pydantic and the content model for most, nothing of `new` for a build).

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
FORCE_HELP = (
    "replace the output folder even if no earlier build made it, deleting everything in it; "
    "never allowed for the project itself, a folder holding it, or its own folders "
    "(src, docs, .git, ...)"
)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="project folder holding content/, templates/ and static/ (default: .)",
    )
    parser.add_argument(
        "--content",
        type=Path,
        default=None,
        metavar="DIR",
        help="content folder (default: PROJECT/content)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    parser.add_argument("--debug", action="store_true", help="show a full traceback on failure")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tiangong-site",
        description="Build a static data-journalism site from YAML content, Markdown pages, Jinja "
        "templates and Plotly charts.",
        epilog="Exit codes: 0 ok, 1 content errors (each printed as path:line:col: message "
        "(hint)), 2 usage errors.",
    )
    parser.add_argument("--version", action="version", version=f"tiangong-site {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser(
        "build",
        help="build the site into the output folder",
        description="Validate content and build the site. The previous output is replaced, in one "
        "atomic step, "
        "only when the build succeeds, and only if it is empty or an earlier build made it "
        f"(it holds a {MARKER} file). Builds of the same output wait for each other. "
        "Charts are drawn to SVG with Chromium (chromium or google-chrome on PATH, or "
        "$TIANGONG_CHROMIUM), which is needed only for drawings not yet in the cache "
        "(.cache/charts, or $TIANGONG_CHART_CACHE).",
    )
    _common(build)
    build.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder, anywhere (default: output_dir in content/site.yaml, i.e. _site, "
        "which must be a folder inside the project)",
    )
    build.add_argument("--force", action="store_true", help=FORCE_HELP)
    build.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="override base_url from site.yaml, e.g. https://org.github.io/repo/ (env: "
        "TIANGONG_BASE_URL); "
        "its path may hold only letters, digits, - . _ ~ / and %%XX",
    )

    serve = commands.add_parser(
        "serve",
        help="preview the site with live reload",
        description="Build, serve on 127.0.0.1 and rebuild on every change. The preview answers "
        "only "
        "to the names of the address it listens on (localhost, 127.0.0.1, [::1] and that address): "
        "a request with any other Host header is refused with 403, so a web page cannot read your "
        "drafts through DNS rebinding. Listening on 0.0.0.0 (or ::) also accepts any IP address "
        "and this computer's host name; add other names with --allow-host.",
    )
    _common(serve)
    serve.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default: 8000; 0: any free port)"
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only; 0.0.0.0: your network "
        "too)",
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer to requests for NAME, e.g. a name your network gives this computer "
        "(repeatable)",
    )
    serve.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: from site.yaml)",
    )
    serve.add_argument("--force", action="store_true", help=FORCE_HELP)

    check = commands.add_parser(
        "check",
        help="everything build checks, without writing anything",
        description="Run the build without writing: validate every content file and chart, render "
        "every "
        "page and template to memory, resolve every reference and link; print every problem; "
        "write nothing.",
    )
    _common(check)
    check.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings as errors: a source nothing cites, a chart no page places, a chart "
        "that "
        "shows raw ids (series: kind, not kind_name), a page no other page links to, placeholder "
        "text "
        "from `new page`",
    )

    new = commands.add_parser(
        "new",
        help="add a record or a page, every field explained",
        description="Append a record to its data file (or create a page), with a comment "
        "explaining every field. "
        "Give each required field as --FIELD VALUE; the content is validated afterwards and the "
        "file restored if anything is wrong.",
        epilog="Examples:\n"
        "tiangong-site new NAME --FIELD VALUE ...  (NAME: a dataset content/datapackage.yaml "
        "declares)\n"
        "tiangong-site new sources --id my-source --title '...' --publisher '...' --url "
        "https://... --kind press --language zh\n"
        "  tiangong-site new page how-we-did-it --title 'How we did it' --description '...'\n"
        "Run `tiangong-site new KIND` alone to list the fields KIND needs.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(new)
    new.add_argument(
        "kind",
        help="what to add: page, chart, or the name of a dataset "
        "content/datapackage.yaml declares (a YAML one)",
    )
    new.add_argument("slug", nargs="?", help="for a page: its address, e.g. how-we-did-it")
    new.add_argument("--title", help="for a page: its headline")
    new.add_argument("--description", help="for a page: one or two sentences for link previews")
    new.add_argument(
        "--title-zh",
        help="the title in Chinese (a page, or any record's title); --title-LANG and "
        "--description-LANG give them in any other language of the site (--title-fr ...)",
    )
    new.add_argument("--description-zh", help="the description in Chinese")

    init = commands.add_parser(
        "init",
        help="start a new story in a new or empty folder",
        description="Write a one-language starter project into DIR (absent or empty): site.yaml, "
        "one dataset (a CSV file of made-up example figures, declared in datapackage.yaml), "
        "one collection (a page per record), one chart and one page placing it. "
        "It builds, previews and passes `check --strict` as written. docs/first-story.md "
        "walks through each file.",
    )
    _common(init)
    init.add_argument(
        "folder",
        type=Path,
        nargs="?",
        metavar="DIR",
        help="the new project's folder (default: --project, i.e. the current folder)",
    )

    schema = commands.add_parser(
        "schema",
        help="write the JSON Schema of every content file to schemas/",
        description="Regenerate schemas/*.schema.json from the content model and the current "
        "content (its ids, "
        "languages and chart columns), for editors' YAML plugins. Run it after adding or renaming "
        "an id.",
    )
    _common(schema)
    return parser


def _print_problems(exc: ContentError) -> None:
    shown, hidden = shown_problems(exc.problems)
    for problem in shown:
        print(problem, file=sys.stderr)
    if hidden:
        print(
            f"... and {hidden:,} more, not shown (fix those above and run again)", file=sys.stderr
        )
    errors = sum(1 for p in exc.problems if p.severity == "error")
    print(
        f"{errors} problem{'s' if errors != 1 else ''} found; nothing was written.", file=sys.stderr
    )


def _base_url(args: argparse.Namespace) -> tuple[str | None, str]:
    """The base URL given by --base-url, else TIANGONG_BASE_URL, and where it came from."""
    if args.base_url is not None:
        return args.base_url, "--base-url"
    return os.environ.get("TIANGONG_BASE_URL") or None, "TIANGONG_BASE_URL"


@contextlib.contextmanager
def _importing() -> Iterator[None]:
    """The cyclic garbage collector off while a command imports its modules, and what they
    made frozen (left out of its later passes) after: module objects live as long as the
    process, so its passes over them (a hundred, as pydantic builds the content model's
    classes) found nothing to free and cost a cold build 20 ms of processor time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def cmd_build(args: argparse.Namespace) -> int:
    with _importing():
        from .models import BASE_URL_PATTERN, URL_HINTS
        from .site import Project, build

    base_url, given_by = _base_url(args)
    if base_url is not None and not re.fullmatch(BASE_URL_PATTERN, base_url):
        # Its path goes into every link, the sitemap and robots.txt: refuse it before building.
        reason = f"{given_by} {base_url!r} is not a usable base URL ({URL_HINTS['base_url']})"
        print(f"tiangong-site build: {reason}", file=sys.stderr)
        return EXIT_USAGE
    progress = None if args.quiet else (lambda message: print(f"... {message}", file=sys.stderr))
    # A process that exits next leaves the old site's removal to a child (output.py)
    detach = _left_to_exit is not None
    report = build(
        Project.at(args.project, args.content), args.output, base_url, progress, args.force, detach
    )
    if _left_to_exit is not None:
        _left_to_exit.append(report)  # the process ends next: not worth freeing (see run)
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    if not args.quiet:
        print(report.summary())
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    with _importing():
        from .check import check

    warnings = check(args.project, args.content, strict=args.strict)
    for warning in warnings:
        print(warning, file=sys.stderr)
    if not args.quiet:
        print(f"Content is valid ({len(warnings)} warning{'s' if len(warnings) != 1 else ''}).")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from .content import load_content
    from .schema import write_schemas
    from .site import Project

    project = Project.at(args.project, args.content)
    written = write_schemas(project.root / "schemas", load_content(project.content))
    if not args.quiet:
        print(f"Wrote {len(written)} schemas to schemas/")
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from .starter import init_project

    try:
        folder = args.folder or args.project
        written = init_project(folder)
    except UsageError as exc:
        print(f"tiangong-site init: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not args.quiet:
        print(f"Wrote {len(written)} files to {folder}. Next:")
        print(f"  tiangong-site serve --project {folder}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import serve

    return serve(args)


def _pairs(extra: list[str]) -> dict[str, str]:
    """['--opened-year', '2025', '--water=river'] ->
    {'opened_year': '2025', 'water': 'river'}."""
    given: dict[str, str] = {}
    items = iter(extra)
    for item in items:
        if not item.startswith("--"):
            raise UsageError(f"unexpected '{item}': give fields as --FIELD VALUE")
        name, eq, value = item[2:].partition("=")
        if not eq:
            value = next(items, None)  # type: ignore[assignment]
            if value is None:
                raise UsageError(f"--{name} needs a value")
        given[name.replace("-", "_")] = value
    return given


def _by_language(given: dict[str, str | None], field: str, default: str) -> dict[str, str]:
    """{'title_fr': 'Titre'} -> {'fr': 'Titre'}: `--title-LANG` gives the text in LANG."""
    return {
        key.removeprefix(f"{field}_"): value
        for key, value in given.items()
        if key.startswith(f"{field}_") and value is not None and key != f"{field}_{default}"
    }


def cmd_new(args: argparse.Namespace, extra: list[str]) -> int:
    from pydantic import ValidationError

    from .scaffold import new_page, new_record
    from .site import Project, load_and_check

    project = Project.at(args.project, args.content)

    def validate() -> None:
        load_and_check(project)

    try:
        if args.kind == "page":
            given = _pairs(extra)
            texts = {k for k in given if k.partition("_")[0] in ("title", "description")}
            if set(given) - texts or not args.slug:
                raise UsageError(
                    "a page needs a slug, --title and --description, e.g. new page how-we-did-it "
                    "--title 'How we did it' --description '...'"
                )
            from .content import edition_order, load_site

            site, _ = load_site(project.content, [])
            languages = edition_order(site)
            given |= {"title_zh": args.title_zh, "description_zh": args.description_zh}
            titles = {languages[0]: args.title} | _by_language(given, "title", languages[0])
            descriptions = {languages[0]: args.description} | _by_language(
                given, "description", languages[0]
            )
            created = new_page(
                project.content, args.slug, titles, descriptions, languages, validate
            )
        else:
            given = _pairs(extra)
            for name in ("title", "description", "title_zh", "description_zh"):
                if getattr(args, name) is not None:
                    given[name] = getattr(args, name)
            if args.slug:
                raise UsageError(f"'{args.slug}': give fields of a {args.kind} as --FIELD VALUE")
            from .content import edition_order, load_site

            site, _ = load_site(project.content, [])
            created = new_record(
                project.content,
                args.kind,
                given,
                validate,
                tuple(edition_order(site)) if site else ("en",),
            )
    except UsageError as exc:
        print(f"tiangong-site new {args.kind}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            field = ".".join(
                str(p) for p in err["loc"] if isinstance(p, str) and not p[:1].isupper()
            )
            print(
                f"tiangong-site new {args.kind}: --{field.replace('_', '-')}: "
                f"{err['msg'].removeprefix('Value error, ')}",
                file=sys.stderr,
            )
        return EXIT_USAGE
    if not args.quiet:
        shown = (
            created.path.relative_to(project.root)
            if created.path.is_relative_to(project.root)
            else created.path
        )
        print(f"Added to {shown}:{created.line}:\n{created.text}", end="")
    return EXIT_OK


COMMANDS = {
    "build": cmd_build,
    "check": cmd_check,
    "init": cmd_init,
    "schema": cmd_schema,
    "serve": cmd_serve,
}


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra and args.command != "new":
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help/--version
        return int(exc.code or 0)
    try:
        if args.command == "new":
            return cmd_new(args, extra)
        return COMMANDS[args.command](args)
    except ContentError as exc:
        if args.debug:
            import traceback  # only with --debug

            traceback.print_exc()
        _print_problems(exc)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # an unexpected failure: say what, not where, unless asked
        if args.debug:
            raise
        print(
            f"error: {type(exc).__name__}: {exc} (run again with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_CONTENT


_left_to_exit: list[object] | None = None
"""Set by run(): what the command made, left for the operating system to reclaim."""


def run() -> NoReturn:
    """The program (the console script, `python -m tiangong_site`, build.py): main(), then
    an exit that skips freeing what the command made one object at a time. For a build of
    10,000 records that freeing took 3 to 4 s; the operating system reclaims it at once.
    Output is flushed first; the files a command writes are closed as it writes them."""
    global _left_to_exit
    _left_to_exit = []
    # pydantic looks for plugins of its own by reading every installed package's entry
    # points, 3 ms of each command; the program validates with pydantic alone. A value the
    # user gives is kept: an empty one lets the plugins in.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
