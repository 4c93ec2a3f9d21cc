"""Read CloudFormation YAML, whose short intrinsic functions are YAML tags."""

from __future__ import annotations

from pathlib import Path

import yaml


class CloudFormationLoader(yaml.SafeLoader):
    """``!Sub x`` becomes ``{"Fn::Sub": x}``, ``!Ref x`` ``{"Ref": x}``, ``!GetAtt a.b`` ``{"Fn::GetAtt": [a, b]}``."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        return {name: value.split(".", 1) if suffix == "GetAtt" else value}
    if isinstance(node, yaml.SequenceNode):
        return {name: loader.construct_sequence(node, deep=True)}
    return {name: loader.construct_mapping(node, deep=True)}


CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_yaml(path: Path):
    """Any YAML file of a baked project, CloudFormation templates included."""
    return yaml.load(path.read_text(encoding="utf-8"), CloudFormationLoader)
