"""Working together: many desks, one remote, no step ever lost.

- ``union``: two versions of one case become one — the union of their steps
  in a deterministic order, replayed through the step engine. ``kesu sync``
  and the merge driver both call it, so they give the same result.
- ``setup``: a clone's merge drivers and settings (``kesu clone``, ``kesu
  setup``, ``kesu init``).
- ``sync``: fetch, replay this desk's unpushed steps on the remote's tip,
  push, retry when someone pushed meanwhile; clashes stop it before anything
  is pushed.
- ``mergedriver``: what ``git merge``/``git rebase`` run for case files and
  for the rendered library files.
- ``freshness``: when this clone last synced, for ``list`` and ``overdue``.

This package sits on the engine and on the storage modules (git, the case
file, trailers); nothing below it imports it.
"""
