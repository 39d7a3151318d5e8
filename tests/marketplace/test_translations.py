import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def live_entries(catalogue):
    return [e for e in catalogue if not e.obsolete and e.msgid]


def test_indonesian_catalogue_is_complete():
    po = polib.pofile(str(PO))

    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]

    assert len(live_entries(po)) > 100
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_source():
    po = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in live_entries(polib.pofile(str(PO)))
    }
    mo = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in live_entries(polib.mofile(str(MO)))
    }

    assert mo == po, "run `make messages` to recompile locale/id/LC_MESSAGES/django.mo"


def test_catalogue_holds_every_marked_string(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext (Debian package gettext) is needed in CI to check the catalogue")
        pytest.skip("xgettext is not installed (apt-get install gettext)")
    # Extract into a copy so the working tree is never touched.
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "staticfiles",
            "media",
            "tests",
            "*.sqlite3",
            "__pycache__",
            "node_modules",
            "benchmarks",
            "stripe_emulator",
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env=os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"},
    )
    extracted = {(e.msgctxt, e.msgid) for e in live_entries(polib.pofile(str(copy / PO.relative_to(ROOT))))}
    committed = {(e.msgctxt, e.msgid) for e in live_entries(polib.pofile(str(PO)))}

    assert sorted(extracted - committed, key=str) == [], "run `make messages` and translate the new strings"


def test_pages_render_in_indonesian(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="id")

    assert response.status_code == 200
    assert response["Content-Language"] == "id"
    assert 'lang="id"' in response.content.decode()
