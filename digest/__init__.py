"""digest: Chinese local-newspaper issues in, a daily digest newsletter out."""

__version__ = "0.1.0"


def templates_dir():
    """The folder of the Jinja2 templates (``templates/``: the e-mail, ``preview/``, ``web/``): the
    repository's ``templates/`` in a checkout or an editable install, ``digest/templates/`` in an
    installed wheel (pyproject.toml ships them there as package data). Returns a pathlib.Path."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    checkout = here.parent / "templates"
    return checkout if (checkout / "base.html").is_file() else here / "templates"
