"""Ships the top-level migrations/ folder in the wheel, as the package dentareview.migrations.

Everything else is declared in pyproject.toml; a pyproject-only configuration cannot add a
package that lives outside the package directory to the ones it finds.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["dentareview", "dentareview.*"]),
        "dentareview.migrations",
        "dentareview.migrations.versions",
    ],
    package_dir={"dentareview.migrations": "migrations"},
    package_data={"dentareview.migrations": ["script.py.mako"]},
)
