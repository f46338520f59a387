"""Whose signature a commit carries, for ``kesu audit --require-signed``.

git checks a signature (``%G?``) and names its key and signer (``%GK``,
``%GF``, ``%GS``); kesu's part is to tie that to the commit's Actor through
the roster in kesu.yaml.
"""

from __future__ import annotations

from kesu.i18n import N_, _

#: What ``%G?`` says, for messages.
SIGNATURE_STATUS = {
    "G": N_("good signature"), "U": N_("good signature from a key that is not trusted or not "
                                       "in the allowed signers"),
    "X": N_("good signature that has expired"), "Y": N_("good signature by a key that has expired"),
    "R": N_("signature by a revoked key"),
    "E": N_("signature that cannot be checked (missing key or allowed-signers file)"),
    "B": N_("bad signature"), "N": N_("no signature"),
}


def git_accepts(status: str, signer: str) -> bool:
    """Whether ``git verify-commit`` accepts a signature git reported as ``status`` (``%G?``).

    It accepts G, and U from GnuPG (a good signature by a key not trusted
    yet, which still names its signer); an SSH "U" means the key is in no
    allowed-signers entry, which verify-commit refuses.
    """
    return status == "G" or (status == "U" and bool(signer))


def signer_problem(policy, actor: str, signer: str, key: str, fingerprint: str,
                   trusted: bool = True) -> str | None:
    """Why the signature does not belong to ``actor``, or None when it does.

    The roster entry may carry ``signing_key`` and/or ``email``:
    - ``signing_key``: an SSH public key (``ssh-ed25519 AAAA…``), its
      fingerprint (``SHA256:…``), or an OpenPGP fingerprint or long key id;
      compared with the key git reports (``%GK``/``%GF``).
    - ``email``: compared with the signer git reports (``%GS``): the
      principal of the allowed-signers line for SSH, the user id
      (``Name <email>``) for OpenPGP. Used only when no key is pinned, and
      only for a signature git trusts (``trusted``: ``%G?`` is G), since
      anyone can make a key whose user id carries someone's e-mail.
    Without a roster there is nobody to compare with.
    """
    roster = policy.roster
    if not roster:
        return None
    entry = roster.get(actor)
    if entry is None:
        return _("the actor {actor} is not in the roster of kesu.yaml").format(actor=actor)
    entry = entry or {}
    wanted_key, wanted_email = entry.get("signing_key"), entry.get("email")
    signed_by = signer or key or fingerprint or _("an unknown key")
    if not wanted_key and not wanted_email:
        return _("signed by {signer}, but the roster entry of {actor} has no signing_key "
                 "or email to tie a signature to the actor").format(signer=signed_by, actor=actor)
    if wanted_key:
        # A pinned key is the identity: a key someone else made with the actor's
        # name and e-mail in its user id does not stand in for it.
        if _key_matches(str(wanted_key), key, fingerprint):
            return None
    elif wanted_email and _email_matches(str(wanted_email), signer) and trusted:
        return None
    expected = _(" or ").join(x for x in (
        _("key {key}").format(key=_key_label(str(wanted_key))) if wanted_key else "",
        _("e-mail {email}").format(email=wanted_email) if wanted_email else "") if x)
    return _("signed by {signer} ({key}), but the actor {actor} signs with {expected}").format(
        signer=signed_by, key=key or fingerprint or _("no key id"), actor=actor, expected=expected)


def ssh_fingerprint(public_key: str) -> str | None:
    """``SHA256:…`` of an OpenSSH public key line, as ssh-keygen -l and git print it."""
    import base64
    import binascii
    import hashlib

    parts = public_key.split()
    if len(parts) < 2:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _key_matches(wanted: str, key: str, fingerprint: str) -> bool:
    wanted = wanted.strip()
    reported = {k for k in (key.strip(), fingerprint.strip()) if k}
    if not reported:
        return False
    if wanted.startswith(("ssh-", "ecdsa-", "sk-")):
        return ssh_fingerprint(wanted) in reported
    if wanted.startswith("SHA256:"):
        return wanted in reported
    hexed = wanted.upper().replace(" ", "").removeprefix("0X")
    return bool(hexed) and any(r.upper() == hexed or (len(hexed) >= 16 and r.upper().endswith(hexed))
                               for r in reported)


def _key_label(wanted: str) -> str:
    if wanted.startswith(("ssh-", "ecdsa-", "sk-")):
        return ssh_fingerprint(wanted) or wanted[:20]
    return wanted


def _email_matches(email: str, signer: str) -> bool:
    email, signer = email.strip().lower(), signer.strip().lower()
    return bool(email) and (signer == email or f"<{email}>" in signer)
