"""digest: Chinese local-newspaper issues in, a daily digest newsletter out."""

__version__ = "0.1.0"


def templates_dir():
    """The folder of the Jinja2 templates (the e-mail's, ``preview/``, ``web/``): ``digest/templates``,
    a symbolic link to the repository's ``templates/`` in a checkout, the files themselves in an
    installed wheel (pyproject.toml ships them as package data). Returns a pathlib.Path."""
    from pathlib import Path

    return Path(__file__).resolve().parent / "templates"
