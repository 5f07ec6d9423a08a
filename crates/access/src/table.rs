//! `docs/access.md`: the duties table for people, generated from the code and
//! the policy file so that the two cannot drift apart.

use std::fmt::Write as _;

use crate::{Action, ActionKind, Duties, Duty, ScopeRule};

/// The whole of `docs/access.md`.
pub fn markdown_table(d: &Duties) -> String {
    let mut s = String::new();
    s.push_str("# Access by duty (职责与权限)\n\n");
    s.push_str(
        "Generated from `policy/access/duties.toml` and `crates/access/src/action.rs` by\n\
         `UPDATE_EXPECT=1 cargo test -p access`; a test fails when this file and the code disagree.\n\
         Every page, API route, export and CLI path asks `access::Duties::may` / `may_on`, and nothing else decides.\n\n\
         - **own** scope: a town account for its own town, a village agent for its own village, an enterprise for\n\
           itself, a department for the objects that name it (its plans, the incidents it leads, measures assigned\n\
           to it, the meetings it is a member of, the groups whose lists it confirms).\n\
         - **full IDs**: the duty shows residents' full ID numbers (and each view or export of them is recorded\n\
           in the audit trail, 查询留痕); everyone else sees them masked as the public roster does (`370406********1234`).\n\
         - Administrators (区级管理员) also act as the unit 区政府. The public needs no account and sees only\n\
           published warnings, published rosters and the policy pages.\n\n",
    );
    s.push_str("## Duties\n\n| duty | what | holders | scope | full IDs | source |\n|---|---|---|---|---|---|\n");
    for &duty in Duty::ALL {
        let def = d.def(duty);
        let holders: Vec<String> = def.holders.iter().map(|h| h.label()).collect();
        let scope = match def.scope {
            ScopeRule::District => "district",
            ScopeRule::Own => "own",
        };
        let reading = def.reading.as_deref().map(|r| format!("<br>**Reading:** {r}")).unwrap_or_default();
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} | {} {}{} |",
            duty.key(),
            def.label,
            holders.join("、"),
            scope,
            if def.full_ids { "yes" } else { "" },
            def.document,
            def.clause,
            reading
        );
    }
    s.push_str("\n## Groups whose lists each department confirms (山政办发〔2022〕4号 六（六）)\n\n| unit | groups |\n|---|---|\n");
    for g in &d.groups {
        let reading = g.reading.as_deref().map(|r| format!(" — **Reading:** {r}")).unwrap_or_default();
        let groups = if g.groups.is_empty() { "—".to_string() } else { g.groups.join("、") };
        let _ = writeln!(s, "| {} | {groups}{reading} |", g.unit);
    }
    s.push_str("\n## Actions\n\n| action | what | reads/writes | permitted by |\n|---|---|---|---|\n");
    for &a in Action::ALL {
        let duties: Vec<String> = a.duties().iter().map(|x| format!("`{}`", x.key())).collect();
        let kind = match a.kind() {
            ActionKind::Read => "read",
            ActionKind::Write => "write",
        };
        let _ = writeln!(s, "| `{}` | {} | {kind} | {} |", a.key(), a.label(), duties.join(", "));
    }
    s
}
