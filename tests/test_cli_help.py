"""Every subcommand's --help: each option explained, a default shown only where it tells."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from asl_stem.cli import build_parser, main
from asl_stem.commands.train import CONFIG_KEYS

ROOT = Path(__file__).resolve().parents[1]


def parsers() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """(command path, parser) of the top level and every subcommand, nested ones included."""
    stack = [("asl-stem", build_parser())]
    while stack:
        name, parser = stack.pop()
        yield name, parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend((f"{name} {sub}", child) for sub, child in action.choices.items())


ALL = sorted(parsers(), key=lambda item: item[0])


@pytest.mark.parametrize(("name", "parser"), ALL, ids=[name for name, _ in ALL])
def test_help_explains_every_option_and_shows_useful_defaults_once(name, parser) -> None:
    formatter = parser._get_formatter()
    for action in parser._actions:
        if action.dest == "help" or isinstance(action, argparse._SubParsersAction):
            continue
        label = f"{name} {'/'.join(action.option_strings) or action.dest}"
        assert action.help, f"{label} has no help"
        text = formatter._get_help_string(action) % {"default": action.default}
        assert text.count("default") <= 1, f"{label} states its default twice: {text}"
        for useless in ("(default: None)", "(default: True)", "(default: False)", "(default: [])"):
            assert useless not in text, f"{label}: {text}"
    assert "%" not in " ".join(parser.format_help().split()).replace("%%", "")  # all expanded


def test_flags_and_required_options_print_no_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "skip reading fps/frames/size" in text and "(default: True)" not in text
    assert "--out DIR manifest folder to write" in text and "(default: None)" not in text


def test_train_help_shows_the_config_keys_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    assert "--print_config" in text and "asl-stem train --config models/detector-cpu.yaml" in text
    config = yaml.safe_load((ROOT / "models" / "detector-cpu.yaml").read_text(encoding="utf-8"))
    for section, keys in CONFIG_KEYS.items():
        assert f"  {section}: {', '.join(keys)}" in text
        found = {**config[section], **config[section].get("init_args", {})}
        assert set(keys) <= set(found), f"{section}: {set(keys) - set(found)} not in the config"


def test_train_print_config_prints_the_resolved_config(capsys: pytest.CaptureFixture[str]) -> None:
    config = str(ROOT / "models" / "detector-cpu.yaml")
    with pytest.raises(SystemExit) as stopped:
        main(["train", "--config", config, "--data.shards", "S", "--print_config"])
    assert stopped.value.code in (0, None)
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["trainer"]["max_epochs"] == 16 and printed["data"]["init_args"]["shards"] == "S"
