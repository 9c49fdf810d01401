"""The rendered tree's layout: which environment and app each rendered path belongs to."""

from __future__ import annotations

from generators.domain.layout import PLATFORM_WIDE, environment_prefixes, place


def test_paths_place_objects_in_their_environment() -> None:
    assert place("dev/web/manifests.yaml") == ("dev", "web")
    assert place("_argocd/dev/manifests.yaml") == ("dev", "_argocd")
    assert place("_silences/production/silences.json") == ("production", "_silences")
    assert place("_ci/web/ci.yml") == (PLATFORM_WIDE, "_ci/web")
    assert place(".github/workflows/web.yml") == (PLATFORM_WIDE, ".github/workflows")


def test_an_environments_prefixes_cover_every_path_placed_in_it() -> None:
    prefixes = environment_prefixes("dev")
    assert prefixes == ("dev/", "_argocd/dev/", "_silences/dev/")
    for path in ("dev/web/manifests.yaml", "_argocd/dev/manifests.yaml", "_silences/dev/x.json"):
        assert path.startswith(prefixes)
        assert place(path)[0] == "dev"
    assert not "development/web/manifests.yaml".startswith(prefixes)
