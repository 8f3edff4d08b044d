"""The repository keeps its promises: dependencies in step, README commands real, CI honest."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["lab"]}
    env = (ROOT / "environment.yml").read_text()
    section = env.split("dependencies:", 1)[1]
    listed = {_name(m) for m in re.findall(r"^  - ([A-Za-z][\w.-]*\S*)$", section, flags=re.M)}
    listed -= {"python", "pip", "pip:"}
    assert listed == wanted  # the core and the [lab] extra (conda users get JupyterLab)
    assert '-e ".[test,lab]"' in env


def test_readme_commands_exist_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("study", "test", "lab"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:", makefile, flags=re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_package_map_lists_every_module():
    readme = (ROOT / "README.md").read_text()
    modules = {p.name for p in (ROOT / "wxtime").glob("*.py") if not p.name.startswith("_")}
    modules |= {f"{p.parent.name}/" for p in (ROOT / "wxtime").glob("*/__init__.py")}
    mapped = set(re.findall(r"`wxtime/(\w+\.py|\w+/)`", readme))
    assert mapped == modules


def test_notebooks_are_committed_without_outputs():
    import nbformat

    for path in (ROOT / "notebooks").glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path.name} has outputs"
