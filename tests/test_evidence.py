"""Evidence kept with a complaint: kesu attach, the cash-signature rule, validate and audit.

Seed 000's mouldy strawberries: a photo of the fruit and the customer's signed
receipt for the cash compensation are kept with the case, each in the commit
of its attach step; a swapped or deleted file is caught by validate and audit.
"""

from __future__ import annotations

import re

import hashlib
import json
import shutil
import subprocess

import pytest

from kesu import engine, yamlio
from kesu.casefile import case_text
from kesu.config import Policy

from conftest import commit_count, git, kesu, snapshot
from e2e_support import assert_ok, case_in, read_case, step

PHOTO = b"\xff\xd8\xff\xe0 mouldy strawberries, weighing counter \xff\xd9"
RECEIPT = "赔偿收据：收到法定赔偿 1000.00 元。顾客签字：王女士\n".encode("utf-8")


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "草莓.jpg").write_bytes(PHOTO)
    (folder / "receipt.pdf").write_bytes(RECEIPT)
    return folder


def _cash_case(root) -> str:
    """The strawberry case in execution, with cash compensation in its plan."""
    case_id = case_in(root, "investigating")
    for action, args, actor, when in [
            ("propose", ["--step", "全额退款并按退一赔十赔偿", "--refund", "39.90", "--cash", "1000"],
             "li.ming", "16:40"),
            ("approve", [], "wang.fang", "16:45"), ("notify", ["--method", "phone"], "li.ming", "16:50"),
            ("accept", [], "li.ming", "17:00")]:
        assert_ok(step(root, action, case_id, *args, actor=actor, when=when))
    return case_id


def audit_findings(root) -> list[tuple[str, str]]:
    """(case, rule) of every audit finding but back-dating: these stories happen on
    2026-11-23, whenever the test runs."""
    result = kesu("audit", "--format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return [(f["case"], f["rule"]) for f in json.loads(result.stdout)["findings"]
            if f["rule"] != "backdated"]


def _attach(root, case_id, path, *extra, when="17:05"):
    return step(root, "attach", case_id, str(path), *extra, actor="zhang.san", when=when)


def test_the_strawberry_photo_and_signed_receipt_are_kept_with_the_case(archive, files):
    case_id = _cash_case(archive)
    commits = commit_count(archive)
    done = _attach(archive, case_id, files / "草莓.jpg", "--note", "称重台，约三分之一霉变")
    assert done.returncode == 0, done.stderr
    assert re.match(rf"{case_id}: attach \((\w+)\) [0-9a-f]{{10}} evidence/{case_id}/草莓.jpg photo sha256:[0-9a-f]{{12}}$",
                    done.stdout.strip()), done.stdout  # a step line: codes, in every language
    assert commit_count(archive) == commits + 1
    changed = git(archive, "-c", "core.quotepath=off", "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == sorted([f"evidence/{case_id}/草莓.jpg",
                                      next(p for p in changed if p.startswith("cases/"))])
    assert (archive / "evidence" / case_id / "草莓.jpg").read_bytes() == PHOTO
    entry = read_case(archive, case_id)["evidence"][0]
    assert entry["sha256"] == hashlib.sha256(PHOTO).hexdigest()
    assert entry["size"] == len(PHOTO) and entry["kind"] == "photo" and entry["by"] == "zhang.san"
    # the step's arguments carry the digest, never the file
    args = read_case(archive, case_id)["timeline"][-1]["args"]
    assert args["sha256"] == entry["sha256"] and "PHOTO" not in json.dumps(args)

    # cash needs the customer's signature before resolve
    before = snapshot(archive)
    refused = step(archive, "resolve", case_id, "--summary", "已退款并赔偿", actor="li.ming", when="17:10")
    assert refused.returncode == 2
    assert "signature" in refused.stderr and "--kind agreement" in refused.stderr
    assert snapshot(archive) == before
    assert _attach(archive, case_id, files / "receipt.pdf", "--kind", "receipt").returncode == 0
    assert_ok(step(archive, "resolve", case_id, "--summary", "已退款并赔偿", actor="li.ming", when="17:10"))

    shown = kesu("show", case_id, cwd=archive).stdout
    assert f"photo  evidence/{case_id}/草莓.jpg" in shown and "receipt" in shown
    as_json = json.loads(kesu("show", case_id, "--format", "json", cwd=archive).stdout)
    assert [e["kind"] for e in as_json["evidence"]] == ["photo", "receipt"]
    assert kesu("validate", cwd=archive).returncode == 0
    assert audit_findings(archive) == []


def test_the_policy_can_relax_the_cash_signature(archive):
    text = (archive / "kesu.yaml").read_text(encoding="utf-8")
    assert "cash_needs_signature: true" in text
    relaxed = archive.parent / "relaxed.yaml"
    relaxed.write_text(text.replace("cash_needs_signature: true", "cash_needs_signature: false"),
                       encoding="utf-8")
    assert_ok(kesu("policy", "edit", "--from-file", str(relaxed), "--actor", "wang.fang", cwd=archive))
    case_id = _cash_case(archive)
    assert_ok(step(archive, "resolve", case_id, "--summary", "已赔偿", actor="li.ming", when="17:10"))


def test_a_signed_paper_filed_elsewhere_is_named_instead(archive):
    case_id = _cash_case(archive)
    assert_ok(step(archive, "resolve", case_id, "--summary", "已赔偿", "--signature-kept",
                   "纸质收据存档于服务台 2026-11 第3册", actor="li.ming", when="17:10"))
    assert read_case(archive, case_id)["resolution"]["signature_kept"] == "纸质收据存档于服务台 2026-11 第3册"


def test_a_plan_without_cash_resolves_without_evidence(archive):
    case_id = case_in(archive, "resolved")
    assert read_case(archive, case_id)["state"] == "resolved"


@pytest.mark.parametrize("harm, rule", [("swap", "evidence-altered"), ("delete", "evidence-missing"),
                                         ("slip", "evidence-unrecorded")])
def test_validate_and_audit_catch_a_swapped_deleted_or_unrecorded_file(archive, files, harm, rule):
    case_id = _cash_case(archive)
    assert _attach(archive, case_id, files / "草莓.jpg").returncode == 0
    stored = archive / "evidence" / case_id / "草莓.jpg"
    if harm == "swap":
        stored.write_bytes(b"a nicer photo")
    elif harm == "delete":
        stored.unlink()
    else:
        shutil.copy(files / "receipt.pdf", stored.with_name("extra.pdf"))
    validate = kesu("validate", cwd=archive)
    assert validate.returncode == 1
    assert f"evidence/{case_id}/" in validate.stdout
    git(archive, "add", "-A", "evidence")
    git(archive, "commit", "-q", "-m", "tidy the evidence folder")
    assert audit_findings(archive) == [(case_id, rule)]


def test_attach_refuses_what_it_cannot_keep_and_changes_nothing(archive, files):
    case_id = case_in(archive, "acknowledged")
    assert _attach(archive, case_id, files / "草莓.jpg").returncode == 0
    before = snapshot(archive)
    again = _attach(archive, case_id, files / "草莓.jpg", when="17:06")
    assert again.returncode == 2 and "already attached" in again.stderr
    missing = _attach(archive, case_id, files / "nothing.jpg", when="17:06")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad_kind = _attach(archive, case_id, files / "receipt.pdf", "--kind", "selfie", when="17:06")
    assert bad_kind.returncode == 2
    assert snapshot(archive) == before
    # another file of the same name is numbered, not overwritten
    (files / "other").mkdir()
    (files / "other" / "草莓.jpg").write_bytes(b"second photo")
    assert _attach(archive, case_id, files / "other" / "草莓.jpg", when="17:07").returncode == 0
    assert (archive / "evidence" / case_id / "草莓-2.jpg").read_bytes() == b"second photo"


def test_an_attach_replays_exactly_from_its_timeline_entry(archive, files):
    case_id = case_in(archive, "dispatched")
    path = next(archive.glob(f"cases/*/*/{case_id}.yaml"))
    before = path.read_text(encoding="utf-8")
    assert _attach(archive, case_id, files / "receipt.pdf", "--kind", "agreement",
                   "--note", "双方签字").returncode == 0
    after = path.read_text(encoding="utf-8")
    doc = yamlio.load(after)
    replayed = engine.replay(yamlio.load(before), doc["timeline"][-1], Policy.default(), case_after=doc)
    assert case_text(replayed.case) == after


@pytest.mark.skipif(shutil.which("git-lfs") is None, reason="git-lfs is not installed")
def test_large_media_go_through_git_lfs_when_the_archive_tracks_them(archive, files):
    subprocess.run(["git", "lfs", "install", "--local"], cwd=archive, check=True, capture_output=True)
    subprocess.run(["git", "lfs", "track", "evidence/**/*.jpg"], cwd=archive, check=True,
                   capture_output=True)
    git(archive, "add", ".gitattributes")
    git(archive, "commit", "-q", "-m", "Keep evidence photos in Git LFS")
    case_id = case_in(archive, "acknowledged")
    assert _attach(archive, case_id, files / "草莓.jpg").returncode == 0
    blob = git(archive, "cat-file", "-p", f"HEAD:evidence/{case_id}/草莓.jpg")
    assert blob.startswith("version https://git-lfs.github.com/spec/v1")
    assert f"oid sha256:{hashlib.sha256(PHOTO).hexdigest()}" in blob
    assert (archive / "evidence" / case_id / "草莓.jpg").read_bytes() == PHOTO
    assert kesu("validate", cwd=archive).returncode == 0
    assert audit_findings(archive) == []
