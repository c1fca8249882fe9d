"""tiangong-site: YAML content, validated and rendered into a static data-journalism site."""

__version__ = "0.1.0"
