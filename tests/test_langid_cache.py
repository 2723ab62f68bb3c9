"""py3langid's model is unpacked once per user and cached; the cached identifier answers as the
shipped model does, and a broken or unwritable cache only costs the unpacking."""

from __future__ import annotations

import pytest
from mediawatch.scrapers import langid_cache
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

TEXTS = [
    "Pakistan launches military offensive in Balochistan amid mounting Chinese pressure",
    "بلوچستان میں سکیورٹی فورسز نے آپریشن شروع کر دیا ہے۔ کوئٹہ میں حکام نے بتایا۔",
    "Les autorités de Quetta ont annoncé la réouverture du port de Gwadar lundi matin.",
]


@pytest.fixture(scope="module")
def shipped() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE)


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.delenv("CACHE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "mediawatch"


def cached(folder):
    return sorted(folder.glob("langid-*.pickle"))


def test_the_unpacked_model_is_cached_once_and_answers_as_the_shipped_one(cache_home, shipped):
    first = langid_cache.identifier()
    [path] = cached(cache_home)
    stamp = path.stat().st_mtime_ns
    again = langid_cache.identifier()
    assert again is not first and path.stat().st_mtime_ns == stamp  # read, not rebuilt
    assert cached(cache_home) == [path]
    for text in TEXTS:
        assert again.rank(text) == shipped.rank(text) == first.rank(text)


def test_a_corrupt_cache_is_rebuilt_and_an_unwritable_one_is_skipped(
    cache_home, shipped, tmp_path, monkeypatch
):
    path = cache_home / f"langid-{langid_cache.cache_key(MODEL_DIR / MODEL_FILE)}.pickle"
    cache_home.mkdir(parents=True)
    path.write_bytes(b"\x80\x05truncated")  # as a full disk leaves it
    stale = cache_home / "langid-0000.pickle"  # another version's: dropped on the next write
    stale.write_bytes(b"old")
    found = langid_cache.identifier()
    assert found.rank(TEXTS[1]) == shipped.rank(TEXTS[1])
    assert cached(cache_home) == [path] and path.stat().st_size > 1_000_000  # rewritten whole

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert langid_cache.identifier().classify(TEXTS[2]) == shipped.classify(TEXTS[2])


def test_a_systemd_service_caches_in_its_cache_directory(cache_home, tmp_path, monkeypatch):
    """The shipped units run with ProtectHome=yes and ProtectSystem=strict: the home cache is
    read-only there, and CacheDirectory= gives the service $CACHE_DIRECTORY instead."""
    service = tmp_path / "var-cache-mediawatch"
    service.mkdir()
    monkeypatch.setenv("CACHE_DIRECTORY", str(service))
    langid_cache.identifier()
    assert len(cached(service)) == 1 and not cache_home.exists()
