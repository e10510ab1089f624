"""Person columns named as other ticket systems name them are personal (QA: they were kept as is,
and the leak check, which only knows personal columns, passed with their names in the download)."""
from __future__ import annotations

import pytest

from core import schema


@pytest.mark.parametrize("header, label", [
    ("Raised By", "Requester"), ("Logged by", "Requester"), ("Requested For", "Requester"),
    ("Support Rep", "Agent"), ("Representative", "Agent"), ("Escalated To", "Agent"), ("Transferred to", "Agent"),
    ("Forwarded To", "Agent"), ("Worked By", "Agent"), ("Analyst", "Agent"), ("Consultant", "Agent"),
    ("Mobile", "Contact"), ("Phone number", "Contact"), ("E-mail", "Contact"), ("Callback No", "Contact"), ("Agent Email", "Agent"),
    ("Contact Email", "Requester"),
    ("Name", "Person"), ("Full Name", "Person"), ("User", "Person"), ("Username", "Person"), ("Staff", "Person"),
])
def test_person_headers_of_other_ticket_systems_are_personal(header: str, label: str) -> None:
    assert schema.personal_columns([header], {}) == {header: label}


@pytest.mark.parametrize("header", ["Product Name", "Rep Count", "Reporting Period", "Repository", "Analyst Team",
                                    "User Type", "Escalated To Tier", "Name of module", "Username Status",
                                    "Phone Queue Level"])
def test_headers_that_only_look_like_them_are_not(header: str) -> None:
    assert schema.personal_columns([header], {"product": "Product Name"}) == {}
