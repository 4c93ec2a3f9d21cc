from importlib.metadata import version

import {{ cookiecutter.import_name }}


def test_version_matches_the_installed_metadata() -> None:
    assert {{ cookiecutter.import_name }}.__version__ == version("{{ cookiecutter.package_name }}")


def test_greet_names_the_person() -> None:
    assert {{ cookiecutter.import_name }}.greet("Ada") == "Hello, Ada!"
