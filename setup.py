"""Which packages and data files the wheel holds (the rest of the metadata is in
pyproject.toml).

The accelerator library (`arch_library/`), the icons and style (`resources/`) and the JSON
Schemas (`docs/*.schema.json`) stay where a source checkout keeps them (the library's
YAML files point at `../docs/accelerator-format.schema.json` for editors, and every
document links to `arch_library/`), and ship inside the wheel as the data-only packages
`explorer.arch_library`, `explorer.resources` and `explorer.schemas`. `explorer.data`
finds them in either place. pyproject.toml cannot map a folder outside `explorer/` into
the package while still discovering the subpackages, so this file does that one thing.
"""

from setuptools import find_namespace_packages, setup

DATA_PACKAGES = {
    "explorer.arch_library": ("arch_library", ["*.yaml"]),
    "explorer.resources": ("resources", ["*.qss", "icons/*.svg", "icons/*.png",
                                         "*.desktop", "*.metainfo.xml"]),
    "explorer.schemas": ("docs", ["*.schema.json"]),
}

setup(
    packages=find_namespace_packages(include=["explorer", "explorer.*"]) + list(DATA_PACKAGES),
    package_dir={name: folder for name, (folder, _) in DATA_PACKAGES.items()},
    package_data={"explorer": ["py.typed"],
                  **{name: patterns for name, (_, patterns) in DATA_PACKAGES.items()}},
    include_package_data=False,
)
