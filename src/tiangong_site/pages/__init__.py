"""Plan the site: every page and file to write, with the plain data its template needs.

Templates hold markup only; what they show is prepared here, so no data wrangling happens in
Jinja. Split by job:

- `jobs`: a Job per page to render and the SitePlan that holds them with the files to write;
- `plan`: the whole site, each language's edition and what the site has once;
- `markdown_pages`: the pages of content/pages/, the menu and the story's JSON-LD;
- `chart_pages`: each chart's page, iframe page and downloads, and a chart's view;
- `listings`: the data and sources pages' listings and every dataset's downloads;
- `publishing`: the 404 page, the language root, the sitemap and robots.txt;
- `views`: citations, status notes, source and figure views, citation marks tidied.

The pages of collections (content/collections.yaml) are planned in collections.py. What
other modules import is re-exported here.
"""

from __future__ import annotations

from .chart_pages import (
    EMBED,
    EMBED_LISTENER,
    chart_homes,
    chart_share,
    chart_view,
    chart_views,
    download_name,
    drawing_view,
    embed_code,
    story_titles,
)
from .jobs import Job, RenderResult, SitePlan
from .listings import (
    DATASET_DESCRIPTIONS,
    DATASET_TITLES,
    LISTINGS,
    _data_listing,
    _dataset_files,
    _sources_listing,
)
from .markdown_pages import AUTHOR_PAGE, LOGO_IMAGE, SHARE_IMAGE, json_ld_date, story_json_ld
from .plan import plan_language, plan_site
from .publishing import NOT_FOUND, not_found_editions
from .views import (
    Citations,
    StatusNotes,
    figure_view,
    short_url,
    source_view,
    status_view,
    tidy_citations,
)

__all__ = [
    "AUTHOR_PAGE",
    "DATASET_DESCRIPTIONS",
    "DATASET_TITLES",
    "EMBED",
    "EMBED_LISTENER",
    "LISTINGS",
    "LOGO_IMAGE",
    "NOT_FOUND",
    "SHARE_IMAGE",
    "Citations",
    "Job",
    "RenderResult",
    "SitePlan",
    "StatusNotes",
    "_data_listing",
    "_dataset_files",
    "_sources_listing",
    "chart_homes",
    "chart_share",
    "chart_view",
    "chart_views",
    "download_name",
    "drawing_view",
    "embed_code",
    "figure_view",
    "json_ld_date",
    "not_found_editions",
    "plan_language",
    "plan_site",
    "short_url",
    "source_view",
    "status_view",
    "story_json_ld",
    "story_titles",
    "tidy_citations",
]
