"""A plan file that is not a plan is refused in one line, never silently ignored (QA finding 6)."""
from __future__ import annotations

from pathlib import Path

import pytest

from core import anonymize as an
from core import cli

ROOT = Path(__file__).resolve().parents[2]
CSV = (
    "ticket id,event time,status,tier,priority,agent,issue title,notes\n"
    "T1,2025-07-01 09:00:00,Open,Tier 1,High,Grace Wanjiru,Printer broken,private note\n"
    "T1,2025-07-01 09:20:00,In Progress,Tier 1,High,Grace Wanjiru,Printer broken,private note\n"
)


@pytest.mark.parametrize("text, message", [
    ('[action]\n"notes" = "drop"\n', "unknown table or key: action; expected an [actions] table"),
    ('version = 1\n[actions]\n"a" = "keep"\n[label]\n"a" = "Agent"\n', "unknown table or key: label;"),
    ('product = "p"\n[actions]\n"a" = "keep"\n', "unknown table or key: product;"),
    ('[actions]\n"a" = "keep"\nproduct = "p"\n', "unknown action in the anonymization plan for column 'product';"),
    ((ROOT / "examples" / "policy-default.toml").read_text(encoding="utf-8"), "(this looks like an SLA policy file)"),
    ((ROOT / "examples" / "mapping-seed.toml").read_text(encoding="utf-8"), "(this looks like a column mapping file)"),
    ((ROOT / "examples" / "products-seed-preset.toml").read_text(encoding="utf-8"),
     "(this looks like a product name map"),
    ("", "has no [actions] table; expected"),
    ("version = 1\n", "has no [actions] table"),
    ('[labels]\n"a" = "Agent"\n', "has no [actions] table"),
    ("[actions\n", "is not valid TOML"),
    ('actions = "drop"\n', "[actions] must map each column to a text value"),
    ('[actions]\n"a" = 1\n', "[actions] must map each column to a text value"),
    ('person_names = "a"\n[actions]\n', "person_names must be a list"),
    ('[actions]\n[generalize]\n"p" = "x"\n', 'one [generalize."column"] table per column'),
])
def test_not_a_plan_is_refused(text, message) -> None:
    with pytest.raises(ValueError) as err:
        an.plan_from_toml(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_partial_and_full_plans_still_read() -> None:
    plan = an.plan_from_toml('[actions]\n"notes" = "drop"\n')
    assert plan.actions == {"notes": an.Action.DROP}
    assert an.plan_from_toml("[actions]\n").actions == {}
    full = an.default_plan(["a", "p", "t"], {"a": "Agent"}, ("t",), "p", {"X_A": "A"})
    assert an.plan_from_toml(an.plan_to_toml(full)) == full


@pytest.mark.parametrize("plan_text, expected", [
    ('[action]\n"notes" = "drop"\n', "unknown table or key: action"),
    ((ROOT / "examples" / "policy-default.toml").read_text(encoding="utf-8"), "SLA policy"),
])
def test_cli_clean_exits_2_on_a_file_that_is_not_a_plan(tmp_path, capsys, plan_text, expected) -> None:
    path, plan, out = tmp_path / "export.csv", tmp_path / "plan.toml", tmp_path / "clean.csv"
    path.write_text(CSV, encoding="utf-8")
    plan.write_text(plan_text, encoding="utf-8")
    code = cli.main(["clean", str(path), "--out", str(out), "--plan", str(plan)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert not out.exists()
    assert err.startswith("error: the anonymization plan ") and expected in err
    assert len(err.strip().splitlines()) == 1
