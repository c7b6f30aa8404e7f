"""The scheduled-run examples in examples/ci/ (issue 13): their structure, their shell logic run
against a stub `compare`, and every `compare ...` command in them checked against the real CLI.

Nothing here touches the network: the YAML files are parsed, never run by a CI service, and the
shell snippets run with a stub `compare` first on PATH.
"""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import typer.main
import yaml

ROOT = Path(__file__).resolve().parents[1]
CI = ROOT / "examples" / "ci"
GITHUB = CI / "github-actions.yml"
GITLAB = CI / "gitlab-ci.yml"
CRON = CI / "cron.sh"
DISTRIBUTION = "compare-news"

# `compare batch` is mounted by compare/cli.py from compare.batch.cli.batch_app; its documented options.
BATCH_OPTIONS = {
    "--out", "--jobs", "--fail-on", "--min-coverage", "--exit-zero", "--since", "--offline", "--stamp",
    "--fast", "--no-findings", "--to", "--allow-private",
}

needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
needs_flock = pytest.mark.skipif(shutil.which("flock") is None, reason="flock (util-linux) is not installed")


def _github() -> dict:
    return yaml.safe_load(GITHUB.read_text(encoding="utf-8"))


def _gitlab() -> dict:
    return yaml.safe_load(GITLAB.read_text(encoding="utf-8"))


def _steps() -> list[dict]:
    return _github()["jobs"]["compare"]["steps"]


def _index(steps: list[dict], pred) -> int:  # noqa: ANN001
    found = [i for i, step in enumerate(steps) if pred(step)]
    assert len(found) == 1, f"expected one matching step, found {len(found)}"
    return found[0]


def _uses(prefix: str):  # noqa: ANN202
    return lambda step: str(step.get("uses", "")).startswith(prefix)


def _runs(text: str):  # noqa: ANN202
    return lambda step: text in str(step.get("run", ""))


def _runs_compare(subcommand: str):  # noqa: ANN202
    """A step whose shell runs `compare SUBCOMMAND ...` (not one that only mentions it)."""
    return lambda step: any(args[0] == subcommand for args in compare_commands(str(step.get("run", ""))))


# ---------------------------------------------------------------------------------------------
# Extracting `compare ...` command lines from shell text

_OPERATORS = {";", ";;", "&", "&&", "|", "||", "(", ")", "!", "{", "}", "|&"}
_KEYWORDS = {"then", "do", "else", "elif", "if", "while", "until", "exec", "time", "command"}


def compare_commands(shell: str) -> list[list[str]]:
    """The argument lists of every `compare` command in `shell` (the words after `compare`)."""
    shell = shell.replace("\\\n", " ")
    commands = []
    for line in shell.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        at_start = True
        current: list[str] | None = None
        for token in tokens:
            if token in _OPERATORS or set(token) <= set(";&|()"):
                current, at_start = None, True
                continue
            if current is not None:
                current.append(token)
            elif at_start and token == "compare":
                current = []
                commands.append(current)
                at_start = False
            elif at_start and (token in _KEYWORDS or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", token)):
                continue  # still at a command's start: `then compare`, `VAR=x compare`
            else:
                at_start = False
    return commands


def test_compare_commands_finds_commands_in_any_position():
    text = 'x=0\ncompare a b --fast || status=$?\nif true; then compare batch s \\\n  --out "r d"; fi\n# compare no\n'
    assert compare_commands(text) == [["a", "b", "--fast"], ["batch", "s", "--out", "r d"]]
    assert compare_commands("echo compare batch; X=1 compare models pull ru") == [["models", "pull", "ru"]]


def _shell_of_github() -> str:
    return "\n".join(str(step["run"]) for step in _steps() if "run" in step)


def _shell_of_gitlab() -> str:
    lines = []
    for job in _gitlab().values():
        if isinstance(job, dict):
            for key in ("before_script", "script", "after_script"):
                lines += [str(entry) for entry in job.get(key, [])]
    return "\n".join(lines)


SOURCES = {
    "github-actions.yml": _shell_of_github,
    "gitlab-ci.yml": _shell_of_gitlab,
    "cron.sh": lambda: CRON.read_text(encoding="utf-8"),
}


def _all_commands() -> list[tuple[str, list[str]]]:
    return [(name, args) for name, read in SOURCES.items() for args in compare_commands(read())]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_each_example_pulls_models_and_runs_the_batch(name):
    commands = compare_commands(SOURCES[name]())
    assert {" ".join(args[:2]) for args in commands if args[0] == "models"} == {"models pull"}
    batches = [args for args in commands if args[0] == "batch"]
    assert len(batches) == 1
    assert "--out" in batches[0] and "--jobs" in batches[0]


# ---------------------------------------------------------------------------------------------
# The commands against the real CLI

def _command_and_flags(args: list[str]):  # noqa: ANN202
    """The click command that `compare ARGS` runs, and the option words given to it."""
    from compare.cli import SUBCOMMANDS, _subcommand_app, app

    rest = list(args)
    if rest and rest[0] in SUBCOMMANDS:
        command = typer.main.get_command(_subcommand_app(rest.pop(0)))
        group = getattr(command, "commands", None)
        if group is not None:  # `compare models pull ...`: the group's command
            if rest and rest[0] in group:
                command = group[rest.pop(0)]
            else:
                assert len(group) == 1, f"compare {args[0]}: no command {rest[:1]} in {sorted(group)}"
                command = next(iter(group.values()))
    else:
        command = typer.main.get_command(app)
    flags = []
    for word in rest:
        if word == "--":
            break
        if word.startswith("-") and word != "-":
            flags.append(word.split("=", 1)[0])
    return command, flags


def _option_names(command) -> set[str]:  # noqa: ANN001
    names = {"--help", "-h"}
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def _check_against_cli(args: list[str]) -> None:
    command, flags = _command_and_flags(args)
    unknown = sorted(set(flags) - _option_names(command))
    assert not unknown, f"compare {' '.join(args)}: no such option(s) {unknown}"


@pytest.mark.parametrize(("source", "args"), [c for c in _all_commands() if c[1][0] != "batch"],
                         ids=lambda v: v if isinstance(v, str) else " ".join(v[:2]))
def test_commands_exist_in_the_cli(source, args):
    _check_against_cli(args)


@pytest.mark.parametrize(("source", "args"), [c for c in _all_commands() if c[1][0] == "batch"],
                         ids=lambda v: v if isinstance(v, str) else "batch")
def test_batch_commands_use_its_documented_options(source, args):
    flags = {word.split("=", 1)[0] for word in args if word.startswith("-") and word != "-"}
    assert flags <= BATCH_OPTIONS, f"{source}: {sorted(flags - BATCH_OPTIONS)} not among batch's options"


@pytest.mark.parametrize(("source", "args"), [c for c in _all_commands() if c[1][0] == "batch"],
                         ids=lambda v: v if isinstance(v, str) else "batch")
def test_batch_commands_exist_in_the_cli(source, args):
    try:
        from compare.batch.cli import batch_app  # noqa: F401
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("compare.batch"):
            raise
        pytest.skip("compare.batch.cli is not written yet")
    _check_against_cli(args)


def test_cron_passes_since_and_it_is_a_batch_option():
    # cron.sh builds `--since PREVIOUS` in an array, so the command line does not show it
    assert re.search(r"since=\(--since ", CRON.read_text(encoding="utf-8"))
    assert "--since" in BATCH_OPTIONS


# ---------------------------------------------------------------------------------------------
# GitHub Actions

def test_github_runs_on_a_schedule_and_by_hand():
    doc = _github()
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    crons = [entry["cron"] for entry in on["schedule"]]
    assert crons and all(len(c.split()) == 5 for c in crons)
    assert "workflow_dispatch" in on
    job = doc["jobs"]["compare"]
    assert job["runs-on"] == "ubuntu-latest"
    assert doc["concurrency"]["cancel-in-progress"] is False


def test_github_installs_cpu_torch_first_with_a_pip_cache():
    steps = _steps()
    setup = steps[_index(steps, _uses("actions/setup-python"))]["with"]
    assert str(setup["python-version"]) == "3.11" and setup["cache"] == "pip"
    install = str(steps[_index(steps, _runs("pip install ."))]["run"])
    assert "--index-url https://download.pytorch.org/whl/cpu" in install
    assert install.index("download.pytorch.org/whl/cpu") < install.index("pip install .")


def test_github_keeps_models_and_caches_and_saves_them_even_on_failure():
    doc = _github()
    assert {"COMPARE_MODELS_DIR", "COMPARE_CACHE_DIR"} <= set(doc["env"])
    steps = _steps()
    caches = [(i, s) for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("actions/cache")]
    batch = _index(steps, _runs_compare("batch"))
    for var in ("COMPARE_MODELS_DIR", "COMPARE_CACHE_DIR"):
        mine = [(i, s) for i, s in caches if f"env.{var}" in str(s["with"]["path"])]
        restores = [(i, s) for i, s in mine if s["uses"].startswith("actions/cache/restore")]
        saves = [(i, s) for i, s in mine if s["uses"].startswith("actions/cache/save")]
        assert len(restores) == 1 and len(saves) == 1, var
        (r, restore), (w, save) = restores[0], saves[0]
        assert r < batch < w  # restored before the batch, saved after it
        assert restore["with"]["restore-keys"].strip() and save["with"]["key"] == restore["with"]["key"]
        assert "always()" in save["if"]  # a failing threshold must not lose the cache
    pull = _index(steps, _runs_compare("models"))
    assert max(i for i, s in caches if s["uses"].startswith("actions/cache/restore")) < pull < batch


def test_github_summary_and_artifact_always_then_the_verdict():
    steps = _steps()
    assert not any("continue-on-error" in step for step in steps)
    batch = _index(steps, _runs_compare("batch"))
    batch_id = steps[batch]["id"]
    summary = _index(steps, _runs("GITHUB_STEP_SUMMARY"))
    assert "report/summary.md" in steps[summary]["run"] and "always()" in steps[summary]["if"]
    upload = _index(steps, _uses("actions/upload-artifact"))
    assert "always()" in steps[upload]["if"] and steps[upload]["with"]["path"].rstrip("/") == "report"
    verdict = len(steps) - 1
    assert f"steps.{batch_id}.outputs.status" in steps[verdict]["if"]
    assert batch < summary < verdict and batch < upload < verdict


@needs_bash
@pytest.mark.parametrize("status", [0, 1, 2, 3, 143])
def test_github_batch_step_keeps_the_status_and_the_verdict_fails_on_it(tmp_path, status):
    steps = _steps()
    env = _stub_env(tmp_path, status)
    output = tmp_path / "github_output"
    env["GITHUB_OUTPUT"] = str(output)
    batch = steps[_index(steps, _runs_compare("batch"))]
    done = subprocess.run(["bash", "-e", "-c", batch["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr  # the step itself never fails: the steps after it run
    assert output.read_text().splitlines() == [f"status={status}"]
    if status:  # the verdict step runs only for a non-zero status (its `if`), and fails with it
        env["STATUS"] = str(status)
        done = subprocess.run(["bash", "-e", "-c", steps[-1]["run"]], env=env, capture_output=True, text=True)
        assert done.returncode == status and "::error::" in done.stdout


# ---------------------------------------------------------------------------------------------
# GitLab CI

def test_gitlab_runs_on_a_schedule_keeps_caches_and_artifacts():
    doc = _gitlab()
    job = doc["compare"]
    assert any('$CI_PIPELINE_SOURCE == "schedule"' in rule["if"] for rule in job["rules"])
    cached = {path: entry for entry in job["cache"] for path in entry["paths"]}
    for var in ("COMPARE_MODELS_DIR", "COMPARE_CACHE_DIR"):
        folder = doc["variables"][var].removeprefix("$CI_PROJECT_DIR/")
        assert folder in cached, var
        assert cached[folder]["when"] == "always", var
    assert job["artifacts"]["when"] == "always"
    assert [p.rstrip("/") for p in job["artifacts"]["paths"]] == ["report"]
    before = "\n".join(job["before_script"])
    assert before.index("download.pytorch.org/whl/cpu") < before.index("pip install .")


@needs_bash
@pytest.mark.parametrize("status", [0, 1, 2, 3])
def test_gitlab_script_prints_the_summary_and_ends_with_the_status(tmp_path, status):
    env = _stub_env(tmp_path, status)
    script = "\n".join(_gitlab()["compare"]["script"])
    done = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == status, done.stderr
    assert "# stub summary" in done.stdout


# ---------------------------------------------------------------------------------------------
# cron.sh

def test_cron_script_is_executable_strict_bash_and_parses():
    text = CRON.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in text and "flock" in text
    assert os.access(CRON, os.X_OK)
    if shutil.which("bash"):
        done = subprocess.run(["bash", "-n", str(CRON)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def _cron(tmp_path: Path, status: int, **extra: str) -> subprocess.CompletedProcess:
    env = _stub_env(tmp_path, status)
    env.update(STORIES=str(tmp_path / "stories"), RUNS=str(tmp_path / "runs"), **extra)
    return subprocess.run([str(CRON)], env=env, capture_output=True, text=True, timeout=60)


def _calls(tmp_path: Path) -> list[list[str]]:
    log = tmp_path / "calls"
    return [shlex.split(line) for line in log.read_text().splitlines()] if log.exists() else []


@needs_bash
@needs_flock
def test_cron_dated_runs_since_the_previous_one_and_its_status(tmp_path):
    runs = tmp_path / "runs"
    assert _cron(tmp_path, 0).returncode == 0
    first = (runs / "latest").resolve()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z(-\d+)?", first.name) and (first / "run.json").is_file()
    pull, batch = _calls(tmp_path)
    assert pull[:2] == ["models", "pull"] and pull[2:] == ["ru", "zh", "ko"]
    assert batch[:2] == ["batch", str(tmp_path / "stories")] and "--since" not in batch

    done = _cron(tmp_path, 1, KEEP="2")
    assert done.returncode == 1  # the batch's status
    second = (runs / "latest").resolve()
    assert second != first and second.parent == runs
    batch = _calls(tmp_path)[-1]
    assert batch[batch.index("--since") + 1] == str(first) and batch[batch.index("--out") + 1] == str(second)

    assert _cron(tmp_path, 0, KEEP="2").returncode == 0
    assert not first.exists() and second.exists()  # only the newest KEEP runs stay
    log = (runs / "cron.log").read_text()
    assert log.count("start:") == 3 and "a threshold was crossed" in log


@needs_bash
@needs_flock
def test_cron_does_not_overlap_a_running_run(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    with open(runs / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = _cron(tmp_path, 0)
    assert done.returncode == 75
    assert _calls(tmp_path) == []
    assert "another run holds" in (runs / "cron.log").read_text()


@needs_bash
@needs_flock
def test_cron_keeps_the_baseline_when_a_run_breaks(tmp_path):
    assert _cron(tmp_path, 0).returncode == 0
    first = (tmp_path / "runs" / "latest").resolve()
    assert _cron(tmp_path, 3, STUB_NO_REPORT="1").returncode == 3
    assert (tmp_path / "runs" / "latest").resolve() == first  # no run.json: not a baseline


def _stub_env(tmp_path: Path, status: int) -> dict[str, str]:
    """An environment whose `compare` is a stub: it records its arguments; `batch` writes a small
    report into --out and exits with `status`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "compare"
    stub.write_text(
        "#!/usr/bin/env bash\n"
        'printf "%q " "$@" >> "$STUB_CALLS"; echo >> "$STUB_CALLS"\n'
        '[[ $1 == batch ]] || exit 0\n'
        'while [[ $# -gt 0 && $1 != --out ]]; do shift; done\n'
        'out=$2\n'
        'if [[ -z ${STUB_NO_REPORT:-} ]]; then\n'
        '  mkdir -p "$out" && echo "{}" > "$out/run.json" && echo "# stub summary" > "$out/summary.md"\n'
        "fi\n"
        'exit "$STUB_STATUS"\n',
        encoding="utf-8",
    )
    stub.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "STUB_CALLS": str(tmp_path / "calls"),
        "STUB_STATUS": str(status),
        "LANG": "C.UTF-8",
    }


# ---------------------------------------------------------------------------------------------
# The distribution name and what the wheel ships

def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_distribution_name_and_the_command():
    project = _pyproject()["project"]
    assert project["name"] == DISTRIBUTION
    assert project["scripts"] == {"compare": "compare.cli:main"}
    assert all(DISTRIBUTION in dep for dep in project["optional-dependencies"]["convert"])
    assert any(dep.startswith("pyyaml") for dep in project["optional-dependencies"]["dev"])


def test_messages_and_docs_name_the_distribution():
    """`pip install compare` installs an unrelated project: nothing may tell anyone to run it."""
    wrong = re.compile(r"pip install\s+['\"]?compare(?:\[|['\"\s`]|$)", re.M)
    files = [*(ROOT / "compare").rglob("*.py"), ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
             ROOT / "pyproject.toml", *CI.iterdir()]
    offenders = [
        f"{f.relative_to(ROOT)}: {line.strip()}" for f in files if f.is_file()
        for line in f.read_text("utf-8").splitlines()
        if wrong.search(line) and "unrelated" not in line  # the README's warning names it
    ]
    assert offenders == []


def test_package_data_covers_every_file_the_package_reads():
    """Every non-Python file under compare/ matches a package-data pattern (so the wheel built by
    `pipx install PATH` or `pipx install git+URL` has it), the model registry included."""
    patterns = _pyproject()["tool"]["setuptools"]["package-data"]["compare"]
    package = ROOT / "compare"
    shipped = {p for pattern in patterns for p in package.glob(pattern)}
    data = {p for p in package.rglob("*") if (p.is_file() and p.suffix not in (".py", ".pyc")
                                              and "__pycache__" not in p.parts)}
    assert data - shipped == set()
    registry = package / "translate" / "registry.toml"
    assert registry in shipped and registry.resolve() == (ROOT / "models" / "registry.toml").resolve()
