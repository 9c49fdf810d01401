"""Object-level diffs: identity matching, named lists, masking, placement of paths."""

from __future__ import annotations

from generators.diff import objects
from generators.diff.objects import FieldChange, field_changes


def deployment(image: str, env: list[dict], replicas: int = 2) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": [{"name": "web", "image": image, "env": env}]}},
        },
    }


def test_named_list_items_are_matched_by_name_not_position() -> None:
    old = deployment("web:1", [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
    new = deployment(
        "web:1",
        [{"name": "Z", "value": "0"}, *old["spec"]["template"]["spec"]["containers"][0]["env"]],
    )
    changes = list(field_changes(old, new))
    assert changes == [
        FieldChange("spec.template.spec.containers[web].env[Z]", None, {"name": "Z", "value": "0"})
    ]


def test_scalars_and_multiline_text() -> None:
    old = {"data": {"conf": "a: 1\nb: 2\n", "n": 1}}
    new = {"data": {"conf": "a: 1\nb: 3\n", "n": 2}}
    conf, n = field_changes(old, new)
    assert conf.path == "data.conf"
    assert "-b: 2" in conf.lines
    assert "+b: 3" in conf.lines
    assert n == FieldChange("data.n", 1, 2)


def test_secret_values_and_ciphertext_never_come_out() -> None:
    secret = {
        "kind": "Secret",
        "metadata": {"name": "s"},
        "stringData": {"password": "hunter2-not-real"},
    }
    changed = {**secret, "stringData": {"password": "other-not-real"}}
    diff = objects.diff_objects(
        {objects.Key("dev", "a", "Secret", "", "s"): secret},
        {objects.Key("dev", "a", "Secret", "", "s"): changed},
    )
    (field,) = diff.changes[0].fields
    assert (field.old, field.new) == (objects.MASK, objects.MASK)
    assert "not-real" not in repr(objects.public(changed))
    sealed = {"kind": "SealedSecret", "spec": {"encryptedData": {"k": "AgB1"}}}
    resealed = {"kind": "SealedSecret", "spec": {"encryptedData": {"k": "AgB2"}}}
    (field,) = field_changes(sealed, resealed, sealed=True)
    assert field.new == "<ciphertext, re-sealed>"
    assert objects.public(sealed)["spec"]["encryptedData"]["k"] == "<ciphertext>"


def test_unchanged_secret_data_is_not_reported() -> None:
    secret = {"kind": "Secret", "metadata": {"name": "s", "labels": {"a": "1"}}, "data": {"k": "v"}}
    moved = {**secret, "metadata": {"name": "s", "labels": {"a": "2"}}}
    key = objects.Key("dev", "a", "Secret", "", "s")
    diff = objects.diff_objects({key: secret}, {key: moved})
    assert [f.path for f in diff.changes[0].fields] == ["metadata.labels.a"]
