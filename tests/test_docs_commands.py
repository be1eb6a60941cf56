"""The shell commands in the README's and docs' fenced blocks stay valid.

Every ``asl-stem`` line names a real subcommand whose options exist (for ``train``, the
``--section.key`` overrides are checked against the classes the config names), every such
subcommand's ``--help`` runs, every ``python`` line names a script that has the options it is
given, every ``make`` line a target of the Makefile; and the commands whose inputs can be made
small here are run as written, on small inputs put where their placeholders point.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
import yaml
from shards_fixtures import make_shards

from asl_stem.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
STARTS = ("asl-stem ", "python ", "make ")


def doc_commands() -> list[tuple[str, str]]:
    """``(doc name, command)`` of each shell line in a fenced block (continuations joined)."""
    found = []
    for doc in DOCS:
        for block in re.findall(r"^```[a-z]*\n(.*?)^```", doc.read_text("utf-8"), re.S | re.M):
            for line in block.replace("\\\n", " ").splitlines():
                line = re.sub(r"\s+#.*$", "", line.strip().removeprefix("$ "))
                if line.startswith(STARTS):
                    found.append((doc.name, line))
    return found


COMMANDS = doc_commands()


def words(command: str) -> list[str]:
    """The tokens, with optional-part brackets and ``...`` removed."""
    tokens = [t.strip("[]") for t in shlex.split(command.replace("|", " "))]
    return [t for t in tokens if t and t != "..."]


def subcommand(tokens: list[str]) -> tuple[list[str], argparse.ArgumentParser]:
    """The subcommand path of ``asl-stem`` tokens and its parser."""
    parser, path = build_parser(), []
    for token in tokens[1:3]:
        choices = next(
            (a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)),
            None,
        )
        if choices is None:
            break
        assert token in choices, f"asl-stem has no command {' '.join([*path, token])}"
        parser, path = choices[token], [*path, token]
    return path, parser


def override_exists(option: str, config: dict) -> bool:
    """Whether ``--section.key`` names a parameter of the config's trainer, model or data."""
    section, _, key = option[2:].partition(".")
    key = key.removeprefix("init_args.").split(".")[0]
    if section == "trainer":
        import lightning

        return key in inspect.signature(lightning.Trainer).parameters
    module, _, name = config[section]["class_path"].rpartition(".")
    return key in inspect.signature(getattr(importlib.import_module(module), name)).parameters


def test_the_docs_have_commands_of_every_kind() -> None:
    kinds = {command.split()[0] for _, command in COMMANDS}
    assert kinds == {"asl-stem", "python", "make"} and len(COMMANDS) > 40


@pytest.mark.parametrize(("doc", "command"), COMMANDS)
def test_the_command_names_real_options(doc: str, command: str) -> None:
    tokens = words(command)
    options = [t.split("=")[0] for t in tokens if t.startswith("--")]
    if tokens[0] == "make":
        makefile = (ROOT / "Makefile").read_text("utf-8")
        assert re.search(rf"^{re.escape(tokens[1])}:", makefile, re.M), command
        return
    if tokens[0] == "python":
        source = (ROOT / tokens[1]).read_text("utf-8")
        missing = [o for o in options if f'"{o}"' not in source]
        assert not missing, f"{doc}: {tokens[1]} has no {missing}"
        return
    path, parser = subcommand(tokens)
    known = {o for action in parser._actions for o in action.option_strings}
    config = None
    if path in (["train"], ["pretrain"]):
        config = yaml.safe_load((ROOT / tokens[tokens.index("--config") + 1]).read_text("utf-8"))
    for option in options:
        if option in known:
            continue
        assert config is not None, f"{doc}: asl-stem {' '.join(path)} has no {option}"
        assert override_exists(option, config), f"{doc}: no {option} in the config's classes"


SUBCOMMANDS = sorted(
    {tuple(subcommand(words(c))[0]) for _, c in COMMANDS if c.startswith("asl-stem")}
)


@pytest.mark.parametrize("path", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_named_has_help(path: tuple[str, ...], capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([*path, "--help"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: asl-stem {' '.join(path)}")


def written(start: str) -> list[str]:
    """The documented commands starting with ``start``."""
    return [command for _, command in COMMANDS if command.startswith(start)]


def test_the_shard_commands_run_as_written(tmp_path: Path, monkeypatch, capsys) -> None:
    make_shards(tmp_path / "SHARDS", count=3)
    monkeypatch.chdir(tmp_path)
    for start in ("asl-stem shards verify SHARDS", "asl-stem shards info SHARDS"):
        (command,) = written(start)
        assert main(words(command)[1:]) == 0, command
    assert '"samples": 3' in capsys.readouterr().out
    (command,) = written("asl-stem export SHARDS RECORDING_ID")
    argv = words(command.replace("RECORDING_ID", "rec_01").replace("FILE.pose|FILE.npy", "x.npy"))
    assert main(argv[1:]) == 0, argv
    assert np.load(tmp_path / "x.npy").shape == (11, 543, 2)


def test_the_render_command_runs_as_written(tmp_path: Path, monkeypatch) -> None:
    (command,) = written("asl-stem render corpus/keypoints/")
    (tmp_path / "corpus" / "keypoints").mkdir(parents=True)
    rng = np.random.default_rng(0)
    np.save(tmp_path / "corpus" / "keypoints" / "rec.npy", rng.random((48, 543, 2)))
    monkeypatch.chdir(tmp_path)
    assert main(words(command.replace("<stem>", "rec"))[1:]) == 0
    assert (tmp_path / "x.png").stat().st_size > 0


SCRIPTS = sorted([*(ROOT / "scripts").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_script_and_benchmark_imports(script: Path, monkeypatch) -> None:
    """A script whose import broke (a helper moved) fails here, not when a user runs it."""
    monkeypatch.syspath_prepend(str(script.parent))
    spec = importlib.util.spec_from_file_location(f"_script_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
