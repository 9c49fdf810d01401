"""Pod volumes and their mounts to spec fields: `volumes`, `configFiles`, the built-in /tmp.

A volume the spec can express is removed from the pod (its mounts from the containers)
and renamed as the platform renders it (``vol-<name>``) wherever a container that goes
into a patch still mounts it. What is left goes into patches (leftovers.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from generators.model.naming import config_key
from generators.ops.importer.container import DNS_LABEL, text
from generators.ops.importer.manifests import Manifest
from generators.ops.importer.report import Trail

MOUNT_PATH = re.compile(r"^(/[-._a-zA-Z0-9]+)+$")
TMP = "/tmp"
#: Volume names the platform gives its own volumes.
CONFIG_VOLUME = "config"


@dataclass
class Volumes:
    """What the pod's volumes became."""

    volumes: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)
    #: Input volume name -> the name the platform renders it under.
    renamed: dict[str, str] = field(default_factory=dict)
    #: Init container -> the spec volumes it mounts (None: all of them).
    init_volumes: dict[str, list[str] | None] = field(default_factory=dict)


def map_volumes(
    pod: dict[str, Any],
    main: dict[str, Any],
    inits: Sequence[dict[str, Any]],
    others: Sequence[dict[str, Any]],
    config_maps: dict[str, Manifest],
    templates: Sequence[dict[str, Any]],
    trail: Trail,
    obj: str,
) -> Volumes:
    """Map the pod's volumes (and a StatefulSet's claim templates) mounted by ``main``."""
    out = Volumes()
    where = f"containers[{main.get('name')}]"
    mounts: dict[str, list[dict[str, Any]]] = {}
    for mount in main.get("volumeMounts") or ():
        if isinstance(mount, dict):
            mounts.setdefault(str(mount.get("name")), []).append(mount)
    taken = {TMP}
    consumed: list[dict[str, Any]] = []
    for template in templates:
        name = str((template.get("metadata") or {}).get("name"))
        volume = _claim_template(template, mounts.get(name, []), taken)
        if volume is None:
            trail.note(f"volumeClaimTemplate {name} is not mounted as one directory: not imported")
        else:
            out.volumes.append(volume)
            out.renamed[name] = f"vol-{name}"
            consumed += mounts.get(name, [])
            trail.went(obj, f"spec.volumeClaimTemplates[{name}]", f"spec.volumes[{name}].claim")
    kept = []
    for volume in pod.get("volumes") or ():
        name = str(volume.get("name"))
        own = mounts.get(name, [])
        mounted_elsewhere = any(
            m.get("name") == name for c in [*inits, *others] for m in c.get("volumeMounts") or ()
        )
        if not own and not mounted_elsewhere:
            trail.went(obj, f"template.spec.volumes[{name}]", "dropped: no container mounts it")
            continue
        if _is_tmp(volume, own):
            out.renamed[name] = "tmp"
            volume["name"] = "tmp"
            consumed += own
            kept.append(volume)  # compared with the platform's /tmp (a memory medium: a patch)
            trail.went(obj, f"template.spec.volumes[{name}]", "the platform's own /tmp")
            continue
        files = _config_files(volume, own, config_maps, trail, obj)
        if files is not None:
            out.files += files
            out.renamed[name] = CONFIG_VOLUME
            consumed += own
            source = volume["configMap"]["name"]
            trail.went(
                obj, f"template.spec.volumes[{name}]", f"spec.configFiles (ConfigMap {source})"
            )
            continue
        spec = _volume(volume, own, taken)
        if spec is None:
            kept.append(volume)  # a patch (leftovers.py)
            continue
        out.volumes.append(spec)
        out.renamed[name] = f"vol-{name}"
        volume["name"] = f"vol-{name}"
        consumed += own
        kept.append(volume)  # what is left of it (defaultMode) is compared with the render
        trail.went(obj, f"template.spec.volumes[{name}]", f"spec.volumes[{name}]")
    pod["volumes"] = kept
    left = [m for m in main.get("volumeMounts") or () if not any(m is c for c in consumed)]
    main["volumeMounts"] = left
    if not left:
        main.pop("volumeMounts", None)
    for mount in consumed:
        trail.went(obj, f"{where}.volumeMounts[{mount.get('mountPath')}]", "with its volume")
    spec_paths = {v["name"]: v for v in out.volumes}
    for init in inits:
        out.init_volumes[str(init.get("name"))] = _init_mounts(init, spec_paths, out, config_maps)
    for other in others:
        _rename_mounts(other, out, config_maps)
    return out


def _is_tmp(volume: dict[str, Any], mounts: list[dict[str, Any]]) -> bool:
    return (
        isinstance(volume.get("emptyDir"), dict)
        and set(volume) == {"name", "emptyDir"}
        and len(mounts) == 1
        and mounts[0].get("mountPath") == TMP
        and set(mounts[0]) <= {"name", "mountPath"}
    )


def _simple_mount(mounts: list[dict[str, Any]], taken: set[str]) -> dict[str, Any] | None:
    if len(mounts) != 1 or not set(mounts[0]) <= {"name", "mountPath", "readOnly"}:
        return None
    path = mounts[0].get("mountPath")
    if not isinstance(path, str) or not MOUNT_PATH.match(path) or path in taken:
        return None
    return mounts[0]


def _volume(
    volume: dict[str, Any], mounts: list[dict[str, Any]], taken: set[str]
) -> dict[str, Any] | None:
    """A spec volume for an emptyDir, a claim or a ConfigMap not in the input."""
    name = volume.get("name")
    mount = _simple_mount(mounts, taken)
    if not isinstance(name, str) or not DNS_LABEL.match(name) or len(name) > 59 or mount is None:
        return None
    spec: dict[str, Any] = {"name": name, "path": mount["mountPath"]}
    read_only = mount.get("readOnly") is True
    empty, claim, config = (
        volume.get(k) for k in ("emptyDir", "persistentVolumeClaim", "configMap")
    )
    if set(volume) == {"name", "emptyDir"} and isinstance(empty, dict):
        medium = empty.get("medium", "")
        if read_only or not set(empty) <= {"medium", "sizeLimit"} or medium not in ("", "Memory"):
            return None
        spec["emptyDir"] = {}
        if medium == "Memory":
            spec["emptyDir"]["memory"] = True
        if "sizeLimit" in empty:
            spec["emptyDir"]["sizeLimit"] = text(empty["sizeLimit"])
        volume["emptyDir"] = {}
    elif set(volume) == {"name", "persistentVolumeClaim"} and isinstance(claim, dict):
        claim_name = claim.get("claimName")
        if not isinstance(claim_name, str) or not set(claim) <= {"claimName", "readOnly"}:
            return None
        read_only = read_only or claim.get("readOnly") is True
        if read_only:
            spec["readOnly"] = True
        spec["claim"] = {"claimName": claim_name}
        volume["persistentVolumeClaim"] = {}
    elif set(volume) == {"name", "configMap"} and isinstance(config, dict):
        items = config.get("items") or []
        pairs = [i for i in items if isinstance(i, dict) and set(i) == {"key", "path"}]
        if len(pairs) != len(items) or not set(config) <= {
            "name",
            "items",
            "optional",
            "defaultMode",
        }:
            return None
        if read_only:
            spec["readOnly"] = True
        source: dict[str, Any] = {"name": config.get("name")}
        if pairs:
            source["items"] = {text(i["key"]): text(i["path"]) for i in pairs}
        if config.get("optional") is True:
            source["optional"] = True
        spec["configMap"] = source
        volume["configMap"] = {k: v for k, v in config.items() if k == "defaultMode"}
    else:
        return None
    taken.add(mount["mountPath"])
    return spec


def _config_files(
    volume: dict[str, Any],
    mounts: list[dict[str, Any]],
    config_maps: dict[str, Manifest],
    trail: Trail,
    obj: str,
) -> list[dict[str, str]] | None:
    """Config files for a ConfigMap of the input, mounted whole or a file at a time."""
    config = volume.get("configMap")
    if set(volume) != {"name", "configMap"} or not isinstance(config, dict) or not mounts:
        return None
    manifest = config_maps.get(str(config.get("name")))
    if manifest is None or manifest.body.get("binaryData"):
        return None
    data = {str(k): text(v) for k, v in (manifest.body.get("data") or {}).items()}
    if not set(config) <= {"name", "items", "defaultMode", "optional"}:
        return None
    items = config.get("items")
    if items is None:
        paths = {key: key for key in data}
    elif all(isinstance(i, dict) and set(i) <= {"key", "path", "mode"} for i in items):
        paths = {text(i["key"]): text(i["path"]) for i in items}
    else:
        return None
    if any(key not in data for key in paths):
        return None
    files: dict[str, str] = {}
    shown: set[str] = set()
    for mount in mounts:
        base = mount.get("mountPath")
        if not isinstance(base, str) or not set(mount) <= {
            "name",
            "mountPath",
            "subPath",
            "readOnly",
        }:
            return None
        if "subPath" in mount:
            keys = [k for k, p in paths.items() if p == mount["subPath"]]
            if len(keys) != 1:
                return None
            files[base] = data[keys[0]]
            shown.add(keys[0])
        else:
            for key, path in paths.items():
                files[f"{base.rstrip('/')}/{path}"] = data[key]
                shown.add(key)
    if any(not MOUNT_PATH.match(path) or path == TMP for path in files):
        return None
    if len({config_key(path) for path in files}) != len(files):
        return None
    unused = sorted(set(data) - shown)
    if unused:
        trail.note(f"ConfigMap {manifest.name}: keys {', '.join(unused)} are not mounted: left out")
    if "defaultMode" in config or (items and any("mode" in i for i in items)):
        trail.note(f"ConfigMap {manifest.name}: file modes dropped (config files are 0644)")
    return [{"path": path, "content": content} for path, content in sorted(files.items())]


def _claim_template(
    template: dict[str, Any], mounts: list[dict[str, Any]], taken: set[str]
) -> dict[str, Any] | None:
    name = (template.get("metadata") or {}).get("name")
    mount = _simple_mount(mounts, taken)
    spec = template.get("spec") or {}
    size = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    if not isinstance(name, str) or not DNS_LABEL.match(name) or len(name) > 59:
        return None
    if mount is None or size is None:
        return None
    claim: dict[str, Any] = {"size": text(size)}
    if isinstance(spec.get("storageClassName"), str):
        claim["storageClass"] = spec["storageClassName"]
    modes = spec.get("accessModes") or []
    if modes and modes[0] != "ReadWriteOnce":
        claim["accessMode"] = modes[0]
    taken.add(mount["mountPath"])
    out: dict[str, Any] = {"name": name, "path": mount["mountPath"]}
    if mount.get("readOnly") is True:
        out["readOnly"] = True
    out["claim"] = claim
    return out


def _init_mounts(
    init: dict[str, Any],
    spec: dict[str, dict[str, Any]],
    volumes: Volumes,
    config_maps: dict[str, Manifest],
) -> list[str] | None:
    """The spec volumes an init container mounts at their paths; the rest stays, renamed."""
    used: list[str] = []
    kept = []
    for mount in init.get("volumeMounts") or ():
        rendered = volumes.renamed.get(str(mount.get("name")))
        source = str(mount.get("name"))
        volume = spec.get(source)
        if (
            rendered == "tmp"
            and mount.get("mountPath") == TMP
            and set(mount) <= {"name", "mountPath"}
        ):
            continue  # the platform mounts /tmp into every init container
        if (
            volume is not None
            and mount.get("mountPath") == volume["path"]
            and set(mount) <= {"name", "mountPath", "readOnly"}
            and (mount.get("readOnly") is True)
            == bool(volume.get("readOnly") or "configMap" in volume)
        ):
            used.append(source)
            continue
        kept.append(mount)
    init["volumeMounts"] = kept
    _rename_mounts(init, volumes, config_maps)
    if not init["volumeMounts"]:
        del init["volumeMounts"]
    names = [v["name"] for v in volumes.volumes]
    return None if sorted(used) == sorted(names) else [n for n in names if n in used]


def _rename_mounts(
    container: dict[str, Any], volumes: Volumes, config_maps: dict[str, Manifest]
) -> None:
    """Mounts of mapped volumes under the names the platform renders them with."""
    out = []
    for mount in container.get("volumeMounts") or ():
        rendered = volumes.renamed.get(str(mount.get("name")))
        if rendered == CONFIG_VOLUME:
            out += _config_mounts(mount, volumes)
        elif rendered is not None:
            out.append({**mount, "name": rendered})
        else:
            out.append(mount)
    if "volumeMounts" in container:
        container["volumeMounts"] = out


def _config_mounts(mount: dict[str, Any], volumes: Volumes) -> list[dict[str, Any]]:
    """A mount of a ConfigMap that became config files: each file from the platform's."""
    base = str(mount.get("mountPath")).rstrip("/")
    if "subPath" in mount:
        chosen = [f for f in volumes.files if f["path"] == base]
    else:
        chosen = [f for f in volumes.files if f["path"].startswith(base + "/")]
    return [
        {
            "name": CONFIG_VOLUME,
            "mountPath": f["path"],
            "subPath": config_key(f["path"]),
            "readOnly": True,
        }
        for f in chosen
    ]
