//! ui/src/lib/bindings.ts: the TypeScript declarations of every type the window and the shell
//! exchange (command arguments, command results, event payloads), rendered from the Rust types
//! so the two cannot drift apart. The test below fails when the committed file differs from the
//! rendering; `make bindings` (TASKBELL_WRITE_BINDINGS=1) writes it instead.

use crate::commands::tasks::DraftInput;
use crate::commands::work::{ActView, ActionInput, ForMeView, NoteView, TaskDetail};
use crate::events::TaskChanged;
use crate::state::View;
use std::collections::BTreeSet;
use std::path::Path;
use taskbell_core::canvas::{
    ActionRequest, DraftNames, Listing, PatientSummary, Person, TaskAction, TaskDraft,
};
use taskbell_core::diagnostics::About;
use taskbell_core::engine::{CreateOutcome, NotifyScope, QuietHours};
use taskbell_core::notify::{NoticeAction, NoticeKind};
use taskbell_core::settings::{
    AppSettings, CanvasConnection, Connection, ConnectionCheck, NotifySettings, ReceiveMode,
    ReceiveSettings, SecretsBackend, WriteOnly,
};
use taskbell_core::status::{AppStatus, ConnectionKind};
use taskbell_core::store::{
    Cursor, DayCount, EventRow, ForWhom, HistoryPage, HistoryQuery, Notice, OutboxEntry,
    OutboxState, Stats, TaskRow, Work,
};
use taskbell_core::{EventKind, TaskRef, TaskStatus};
use ts_rs::{Config, TS};

const HEADER: &str = "\
// Generated from the Rust types by the test `bindings_ts_is_up_to_date` in src-tauri/src/bindings.rs:
// do not edit. After changing a type that crosses the bridge, run `make bindings`; `make test`
// fails until then.
";

/// One declaration: its name, what it depends on, and its text.
struct Decl {
    name: String,
    uses: Vec<String>,
    text: String,
}

fn decl<T: TS + 'static>(cfg: &Config) -> Decl {
    Decl {
        name: T::ident(cfg),
        uses: T::dependencies(cfg)
            .into_iter()
            .map(|d| d.ts_name)
            .collect(),
        text: format!("{}export {}\n", T::docs().unwrap_or_default(), T::decl(cfg)),
    }
}

/// In the order they appear in the file.
fn decls() -> Vec<Decl> {
    // serde_json writes every integer as a number; all of ours are counts or Unix ms.
    let cfg = Config::new().with_large_int("number");
    let cfg = &cfg;
    vec![
        // A task and what happens to it.
        decl::<TaskStatus>(cfg),
        decl::<EventKind>(cfg),
        decl::<TaskRef>(cfg),
        decl::<TaskChanged<'static>>(cfg),
        decl::<View>(cfg),
        // The status line.
        decl::<AppStatus>(cfg),
        decl::<ConnectionKind>(cfg),
        decl::<ReceiveMode>(cfg),
        // New task: the pickers, the form, the outbox.
        decl::<Listing<Person>>(cfg),
        decl::<Person>(cfg),
        decl::<PatientSummary>(cfg),
        decl::<DraftInput>(cfg),
        decl::<DraftNames>(cfg),
        decl::<CreateOutcome>(cfg),
        decl::<OutboxEntry>(cfg),
        decl::<OutboxState>(cfg),
        decl::<Work>(cfg),
        decl::<TaskDraft>(cfg),
        decl::<ActionRequest>(cfg),
        decl::<TaskAction>(cfg),
        // History.
        decl::<HistoryQuery>(cfg),
        decl::<Cursor>(cfg),
        decl::<HistoryPage>(cfg),
        decl::<TaskRow>(cfg),
        decl::<EventRow>(cfg),
        decl::<serde_json::Value>(cfg),
        decl::<Stats>(cfg),
        decl::<DayCount>(cfg),
        // For me, a task's detail and acting on it.
        decl::<ForWhom>(cfg),
        decl::<ForMeView>(cfg),
        decl::<TaskDetail>(cfg),
        decl::<NoteView>(cfg),
        decl::<ActionInput>(cfg),
        decl::<ActView>(cfg),
        decl::<Notice>(cfg),
        decl::<NoticeKind>(cfg),
        decl::<NoticeAction>(cfg),
        // Settings and About.
        decl::<AppSettings>(cfg),
        decl::<Connection>(cfg),
        decl::<CanvasConnection>(cfg),
        decl::<WriteOnly>(cfg),
        decl::<ReceiveSettings>(cfg),
        decl::<NotifySettings>(cfg),
        decl::<NotifyScope>(cfg),
        decl::<QuietHours>(cfg),
        decl::<SecretsBackend>(cfg),
        decl::<ConnectionCheck>(cfg),
        decl::<About>(cfg),
    ]
}

fn render(decls: &[Decl]) -> String {
    let mut out = String::from(HEADER);
    for d in decls {
        out.push('\n');
        out.push_str(&d.text);
    }
    out
}

#[test]
fn every_type_used_is_declared_once() {
    let decls = decls();
    let mut names = BTreeSet::new();
    for d in &decls {
        assert!(names.insert(d.name.as_str()), "{} is listed twice", d.name);
    }
    for d in &decls {
        for used in &d.uses {
            assert!(
                names.contains(used.as_str()),
                "{} uses {used}, which src-tauri/src/bindings.rs does not list",
                d.name
            );
        }
    }
}

#[test]
fn bindings_ts_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
    let rendered = render(&decls());
    if std::env::var_os("TASKBELL_WRITE_BINDINGS").is_some() {
        std::fs::write(&path, &rendered).expect("ui/src/lib/bindings.ts is written");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "ui/src/lib/bindings.ts is out of date: run `make bindings`"
    );
}
