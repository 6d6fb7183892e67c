"""digest: Chinese local-newspaper issues in, a daily digest newsletter out."""

__version__ = "0.1.0"
