"""The {{ cookiecutter.import_name }} package.

Its version comes from the installed distribution's metadata, so
{%- if cookiecutter.version_from == 'tag' %} the git tag of the release
is the one place that sets it.
{%- else %} pyproject.toml is the
one place to change it.
{%- endif %}
"""

from importlib.metadata import version

__all__ = ["__version__", "greet"]

__version__ = version("{{ cookiecutter.package_name }}")


def greet(name: str) -> str:
    """Return a greeting for ``name``; replace this example with the package's own code."""
    return f"Hello, {name}!"
