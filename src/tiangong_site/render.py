"""The Jinja environment: autoescaping, StrictUndefined, and the URL and asset helpers.

Every URL in every template goes through `url()` or `asset()`, so the whole site
follows the base path (e.g. `/REPO/` on GitHub Pages) from one setting.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import os
import shutil
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any
from urllib.parse import urlsplit

import jinja2
from jinja2.utils import missing
from markupsafe import Markup, escape

try:  # markupsafe's escaping of a plain str, as its `escape` calls it (C where it can be)
    from markupsafe import _escape_inner  # type: ignore[attr-defined]
except ImportError:  # a markupsafe without it: the same text, through `escape`

    def _escape_inner(text: str) -> str:
        return str(escape(text))


from . import i18n
from .deps import asset_key, messages_key, record, template_key
from .errors import display_path
from .i18n import HTML_LANG, OG_LOCALE
from .inside import inside
from .limits import MAX_TEMPLATE_BYTES, read_text
from .models import text
from .safejson import dumps_for_html
from .signed_cache import SignedBytecodeCache
from .tables import ordinal


def base_path_of(base_url: str) -> str:
    """'https://org.github.io/repo' (or 'repo/', 'repo//') -> '/repo/';
    'https://example.org' -> '/'."""
    path = urlsplit(base_url).path.rstrip("/")
    return path + "/"


@dataclass
class Urls:
    """Builds every link of the site from the base URL."""

    base_url: str
    assets: dict[str, str] = field(default_factory=dict)
    prefix: str = ""
    """The language's folder ('zh/') on a site of several languages; '' on a site of one."""

    def for_language(self, prefix: str) -> Urls:
        """The same site's URLs in another language's folder (assets are shared)."""
        return Urls(self.base_url, self.assets, prefix)

    @functools.cached_property
    def base_path(self) -> str:
        """Worked out once: every link of every page starts with it."""
        return base_path_of(self.base_url)

    @functools.cached_property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def url(self, path: str = "") -> str:
        """A page's path ('teams/red/') -> a root-relative URL under the base path, in this
        language."""
        return self.base_path + self.prefix + path.lstrip("/")

    def absolute(self, path: str = "") -> str:
        return self.origin + self.url(path)

    def site_url(self, path: str = "") -> str:
        """A path from the site's root, in no language's folder: assets, sitemap, the language
        chooser."""
        return self.base_path + path.lstrip("/")

    def site_absolute(self, path: str = "") -> str:
        return self.origin + self.site_url(path)

    def absolute_asset(self, name: str) -> str:
        """The full URL of a static file, for places that need one (og:image, JSON-LD)."""
        return self.origin + self.asset(name)

    def asset(self, name: str) -> str:
        """The content-hashed URL of a static file, e.g. 'style.css' ->
        '/repo/assets/style.3f2a1b9c0d.css'."""
        record(asset_key(name))  # its hash is in the page
        try:
            return self.site_url(self.assets[name])
        except KeyError:
            raise jinja2.TemplateRuntimeError(
                f"asset '{name}' is not in static/ (known: {', '.join(sorted(self.assets))})"
            ) from None


def hashed_name(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, ext = name.rpartition(".")
    return f"assets/{stem}.{digest}.{ext}" if dot else f"assets/{name}.{digest}"


def copy_hashed(source: Path, name: str, out: Path) -> str:
    """Copy a file into out/assets/ under a content-hashed name; returns its site path."""
    data = source.read_bytes()
    target = hashed_name(name, data)
    (out / target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, out / target)
    return target


class ContainedLoader(jinja2.FileSystemLoader):
    """Templates from files inside their folder only, read as the build reads every file.

    A symbolic link on the way to a template, or a name leading out of the folder, is
    refused as a located problem; so is a template that is too large or not UTF-8 (not a
    bare UnicodeDecodeError)."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        pieces = jinja2.loaders.split_template_path(template)  # raises on '..'
        path = inside(self.folder.joinpath(*pieces), self.folder, self.folder.parent)
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        contents = read_text(path, display_path(path, self.folder.parent), MAX_TEMPLATE_BYTES)
        mtime = path.stat().st_mtime

        def uptodate() -> bool:
            try:
                return path.stat().st_mtime == mtime
            except OSError:
                return False

        return contents, os.path.normpath(path), uptodate


DICT_ATTRIBUTES = frozenset(dir(dict))
"""What `getattr` finds on a plain dict: its methods (`row.items`), never its keys."""


def _escaped_output(value: Any) -> str:
    """What `{{ value }}` writes in an autoescaped template: the text markupsafe's `escape`
    gives, as a plain str, and a number's digits as they are (they hold nothing to escape).

    What `{{ }}` writes is only ever joined to the page (or to a block, a macro's or a `set`
    block's text, which Jinja makes Markup whole), so wrapping each piece in Markup, as
    `escape` does, made an object (and, for Markup such as a chart's drawing, a copy of
    it) for nothing: Jinja's Markup for every number was a tenth of a table's time."""
    kind = value.__class__
    if kind is str:
        return _escape_inner(value)
    if kind is int or kind is float:
        return str(value)
    if hasattr(value, "__html__"):  # as `escape`: Markup, and what says it is HTML already
        html = value.__html__()
        # a drawing is not copied; what is not a str is made Markup, as `escape` makes it
        return html if isinstance(html, str) else Markup(html)
    return _escape_inner(str(value))


class FlatTemplate(jinja2.Template):
    """A template whose contexts are made from its globals in one pass, and whose `{{ }}`
    write numbers without escaping them (`_escaped_output`).

    Jinja copies a template's globals (a ChainMap of its own over the environment's) into
    every page's context by looking each name up through the chain, twice: with the 30
    globals of a site, 7 % of the time of rendering 10,000 small pages. The context made
    here holds the same names and values, the template's own over the environment's."""

    @classmethod
    def from_code(
        cls,
        environment: jinja2.Environment,
        code: Any,
        globals: Any,
        uptodate: Any = None,
    ) -> Any:
        # As Jinja's own, but the compiled module's `escape`, which it calls only on what
        # `{{ }}` writes (jinja2.compiler: _output_child_pre), is _escaped_output.
        namespace = {"environment": environment, "__file__": code.co_filename}
        exec(code, namespace)
        if namespace.get("escape") is escape:
            namespace["escape"] = _escaped_output
        template = cls._from_namespace(environment, namespace, globals)
        template._uptodate = uptodate
        return template

    def new_context(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: Any = None,
    ) -> jinja2.runtime.Context:
        chain = self.globals
        if shared and isinstance(chain, ChainMap):
            return self._included_context(vars or {}, locals, chain)
        if shared or locals or not isinstance(chain, ChainMap):
            return super().new_context(vars, shared, locals)
        flat: dict[str, Any] = {}
        for names in reversed(chain.maps):  # the first map wins, as in the chain
            flat.update(names)
        parent = {**flat, **vars} if vars else dict(flat)
        env = self.environment
        return env.context_class(env, parent, self.name, self.blocks, globals=flat)

    def _included_context(
        self, vars: dict[str, Any], locals: Any, chain: ChainMap[str, Any]
    ) -> jinja2.runtime.Context:
        """The context of an `{% include %}`: the includer's variables (`vars`, shared, not
        copied unless `locals` add to them), as jinja2.runtime.new_context makes it, but
        with the names of the globals gathered by `set.union` over the chain's maps: Jinja
        iterated the ChainMap in Python, most of the cost of an include (one per citation
        of every row a page lists)."""
        parent = vars
        if locals:
            parent = dict(vars)
            for key, value in locals.items():
                if value is not missing:
                    parent[key] = value
        env = self.environment
        names = set().union(*chain.maps)
        return env.context_class(env, parent, self.name, self.blocks, globals=names)


PLAIN_CALLABLES = frozenset((FunctionType, MethodType, BuiltinFunctionType))
EVAL_CONTEXT = getattr(jinja2.pass_eval_context(lambda: None), "jinja_pass_arg")  # noqa: B009
"""How Jinja marks a function that takes the evaluation context."""


class DirectContext(jinja2.runtime.Context):
    """A context that calls a plain function (`url()`, `cite()`, `row()`…) at once, and one
    that takes the evaluation context (`_()`) with it. Jinja's `call` asks every callable,
    twice, whether it wants the context or the environment, for the 5,600 calls of the
    default site's pages."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (as Jinja's)
        if __obj.__class__ not in PLAIN_CALLABLES:
            return super().call(__obj, *args, **kwargs)
        wants = getattr(__obj, "jinja_pass_arg", None)
        if wants is EVAL_CONTEXT:
            args = (__self.eval_ctx, *args)
        elif wants is not None:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)  # what Jinja passes for the ones that take the context
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja: an undefined value, not the end of a loop
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


class RecordingEnvironment(jinja2.Environment):
    """Records each template it hands out, for the page being made (deps.py): the page's
    own, and every one it extends, includes or imports, whether loaded now or cached. The
    loader alone would see only the first load of each."""

    template_class = FlatTemplate
    context_class = DirectContext

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`row.year` as Jinja reads it (an attribute first, then a key), with the key read
        first when a plain dict can have no such attribute: Jinja's own lookup raised and
        caught an AttributeError for every value of every row a template shows."""
        if obj.__class__ is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Any:
        if isinstance(name, str):
            record(template_key(self.join_path(name, parent) if parent else name))
        return super().get_template(name, parent, globals)

    def select_template(self, names: Any, parent: str | None = None, globals: Any = None) -> Any:
        for name in names if not isinstance(names, jinja2.Undefined) else ():
            if isinstance(name, str):  # each one tried: one made later would be chosen
                record(template_key(self.join_path(name, parent) if parent else name))
        return super().select_template(names, parent, globals)


class RecordedTranslations:
    """A catalogue's translations for Jinja that record, for the page being made, each
    message it looked up (deps.py): a changed translation touches the pages that show it."""

    def __init__(self, translations: Any, lang: str):
        self.translations, self._lang = translations, lang

    def gettext(self, message: str) -> str:
        record(messages_key(self._lang, message))
        return self.translations.gettext(message)

    def read(self, message: str) -> None:
        """Record `message` as looked up, for a page given its translation kept from before."""
        record(messages_key(self._lang, message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        record(messages_key(self._lang, singular))
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        record(messages_key(self._lang, f"{context}\x04{message}"))
        return self.translations.pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        record(messages_key(self._lang, f"{context}\x04{singular}"))
        return self.translations.npgettext(context, singular, plural, n)


def install_translations(env: jinja2.Environment, translations: Any, lang: str) -> None:
    """Give `env` the catalogue of its language (again, after the catalogue was edited)."""
    recorded = RecordedTranslations(translations, lang)
    env.install_gettext_translations(recorded, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_direct_gettext(recorded))
    env.globals["_translations"] = recorded  # the preview compares the catalogue it replaces
    if env.cache is not None:  # a template imported as a module keeps the globals it was given
        env.cache.clear()


def _direct_gettext(recorded: RecordedTranslations) -> dict[str, Any]:
    """`_`, `gettext` and the others as Jinja's newstyle ones (jinja2.ext: the message
    translated, made Markup when autoescaping, then always formatted with its variables),
    but given the evaluation context rather than the template's context.

    Jinja's take the whole context, and each call inside a loop or block of a template (most
    of a page's calls) made a derived context for it; `_` went through a second such call
    to find `gettext`. A third of the time of a table's row went there. The one difference:
    `_` is always the catalogue's, never a variable a template names `gettext`."""

    def formatted(eval_ctx: Any, message: str, variables: dict[str, Any]) -> str:
        # most: text with nothing to format (a value that is not text is formatted, as Jinja)
        if not variables and isinstance(message, str) and "%" not in message:
            return Markup(message) if eval_ctx.autoescape else message
        return (Markup(message) if eval_ctx.autoescape else message) % variables

    shown: dict[str, str] = {}
    """Each message without variables as an autoescaped page shows it (Markup, immutable):
    most of a page's, the same on every page of the language."""

    @jinja2.pass_eval_context
    def gettext(eval_ctx: Any, __string: str, **variables: Any) -> str:
        if variables or not eval_ctx.autoescape or not isinstance(__string, str):
            return formatted(eval_ctx, recorded.gettext(__string), variables)
        made = shown.get(__string)
        if made is None:
            made = shown[__string] = formatted(eval_ctx, recorded.gettext(__string), variables)
        else:
            recorded.read(__string)  # each page that shows it records it
        return made

    @jinja2.pass_eval_context
    def ngettext(
        eval_ctx: Any, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables.setdefault("num", __num)
        return formatted(eval_ctx, recorded.ngettext(__singular, __plural, __num), variables)

    @jinja2.pass_eval_context
    def pgettext(eval_ctx: Any, __string_ctx: str, __string: str, **variables: Any) -> str:
        variables.setdefault("context", __string_ctx)
        return formatted(eval_ctx, recorded.pgettext(__string_ctx, __string), variables)

    @jinja2.pass_eval_context
    def npgettext(
        eval_ctx: Any,
        __string_ctx: str,
        __singular: str,
        __plural: str,
        __num: int,
        **variables: Any,
    ) -> str:
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        message = recorded.npgettext(__string_ctx, __singular, __plural, __num)
        return formatted(eval_ctx, message, variables)

    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "pgettext": pgettext,
        "npgettext": npgettext,
    }


THEME = Path(__file__).resolve().parent / "theme"
"""The default theme shipped in the package: templates/ and static/."""
THEME_TEMPLATES = THEME / "templates"


class ThemeLoader(jinja2.ChoiceLoader):
    """The project's templates first, then the theme's; `theme/NAME` always names the theme's
    own NAME, so a project template can extend the template it overrides (as MkDocs'
    `custom_dir` and Datasette do)."""

    def __init__(self, folder: Path):
        theme = jinja2.FileSystemLoader(str(THEME_TEMPLATES))
        prefixed = jinja2.PrefixLoader({"theme": theme})
        super().__init__([prefixed, ContainedLoader(folder), theme])
        self.searchpath = [str(folder)]  # where the project's own templates are (their ids)


def make_environment(
    templates: Path,
    urls: Urls,
    lang: str = "en",
    translations: Any = None,
    cache: Path | None = None,
    held: dict[str, Any] | None = None,
) -> jinja2.Environment:
    """The Jinja environment of one language: its URLs, its text filter, its catalogue.

    With `cache`, compiled templates are kept there (keyed by their source and signed with
    this machine's key, see signed_cache.py), so the environments of several languages, and
    later builds, compile each template once; environments given the same `held` dict share
    the code they read from it (SignedBytecodeCache.held)."""
    translations = translations or gettext.NullTranslations()
    env = RecordingEnvironment(
        extensions=["jinja2.ext.i18n"],
        bytecode_cache=SignedBytecodeCache(cache, held) if cache is not None else None,
        loader=ThemeLoader(templates),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        url=urls.url,
        absolute=urls.absolute,
        site_url=urls.site_url,
        site_absolute=urls.site_absolute,
        asset=urls.asset,
        absolute_asset=urls.absolute_asset,
        lang=lang,
        html_lang=HTML_LANG.get(lang, lang),
        og_locale=OG_LOCALE.get(lang, lang),
        base_path=urls.base_path,
    )
    # `tojson` (JSON-LD) also escapes U+2028 and U+2029, not only < > & '.
    env.policies["json.dumps_function"] = dumps_for_html
    # Each takes the context, which it does not use, so that Jinja never works one out when it
    # compiles a template (`{{ 2|ordinal }}`): the compiled code is shared by the languages.
    env.filters["t"] = jinja2.pass_context(lambda _context, value: text(value, lang))
    env.filters["date"] = jinja2.pass_context(lambda _context, value: i18n.date(value, lang))
    env.filters["ordinal"] = jinja2.pass_context(  # 2nd, 第2位
        lambda _context, number: ordinal(number, lang)
    )
    install_translations(env, translations, lang)
    return env


def render(env: jinja2.Environment, template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)
