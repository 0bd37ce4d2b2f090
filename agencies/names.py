"""How a person's name is shown: Vietnamese full names are family name first ("Vũ Thị Chân").

Accounts keep Django's two name fields with Vietnamese meanings: `last_name` is the family and middle names
(họ và tên đệm, "Vũ Thị"), `first_name` the given name (tên, "Chân"), the one Vietnamese lists sort by. Django's
own `get_full_name` joins them the Western way ("Chân Vũ Thị"), so AgenciesConfig.ready points it at
`full_name`: every page, mail, PDF, Word copy, history and the admin then show one and the same form.
"""

from __future__ import annotations

import unicodedata


def full_name(user) -> str:
    """ "Họ và tên" of an account, family name first; the username when no name was entered; "" for nobody."""
    if user is None:
        return ""
    parts = [(getattr(user, "last_name", "") or "").strip(), (getattr(user, "first_name", "") or "").strip()]
    name = " ".join(part for part in parts if part)
    return unicodedata.normalize("NFC", " ".join(name.split())) or (getattr(user, "username", "") or "")


def split_full_name(name: str) -> tuple[str, str]:
    """Split a typed "Họ và tên" into (last_name, first_name): the given name is the last word."""
    words = unicodedata.normalize("NFC", name or "").split()
    if not words:
        return "", ""
    return " ".join(words[:-1]), words[-1]
