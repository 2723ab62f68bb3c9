"""Maps the checkout's room folders (scrapers/, alerts/, db/, matcher/, times/) under the one name `mediawatch`.

pyproject.toml holds everything else; package lists are computed here because the demo site's data
folders must be declared as (namespace) packages for setuptools to ship them without warnings.
"""

from setuptools import find_namespace_packages, setup

ROOMS = ("scrapers", "alerts", "db", "matcher", "times")  # times/: a leaf every room may import
SKIP = ["*__pycache__*", "*.egg-info*"]

packages = find_namespace_packages(include=["mediawatch", "mediawatch.*"], exclude=SKIP)
package_dir = {"mediawatch": "mediawatch"}
for room in ROOMS:
    package_dir[f"mediawatch.{room}"] = room
    packages += [
        f"mediawatch.{name}"
        for name in find_namespace_packages(include=[room, f"{room}.*"], exclude=SKIP)
    ]

setup(packages=packages, package_dir=package_dir)
