//! The history as a CSV file for spreadsheets: RFC 4180 quoting, UTC timestamps, and cells that
//! a spreadsheet would run as formulas defused, since descriptions are typed by anyone.

use crate::engine::{Engine, EngineError};
use crate::store::{HistoryQuery, TaskRow};
use crate::time_util::{format_rfc3339, from_millis};
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use time::Date;

/// Rows per read while exporting: the store's largest page.
const PAGE: u32 = 500;

const HEADER: [&str; 15] = [
    "system",
    "task_id",
    "status",
    "description",
    "patient_id",
    "patient_name",
    "assignee_id",
    "assignee_name",
    "team",
    "labels",
    "created_at",
    "due_at",
    "done_at",
    "permalink",
    "created_here",
];

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Read(#[from] EngineError),
    #[error("the export could not be written to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled), and
/// prefixed with `'` when a spreadsheet would take it for a formula.
pub fn field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn time_cell(ms: Option<i64>) -> String {
    ms.map(|ms| format_rfc3339(from_millis(ms)))
        .unwrap_or_default()
}

fn record(row: &TaskRow) -> [String; 15] {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    [
        row.system.clone(),
        row.task_id.clone(),
        row.status.as_str().to_string(),
        row.description.clone(),
        opt(&row.patient_id),
        opt(&row.patient_name),
        opt(&row.assignee_id),
        opt(&row.assignee_name),
        opt(&row.team_name),
        row.labels.join("; "),
        time_cell(Some(row.created_at)),
        time_cell(row.due_at),
        time_cell(row.done_at),
        opt(&row.permalink),
        if row.mine { "yes" } else { "no" }.to_string(),
    ]
}

fn line(cells: impl IntoIterator<Item = String>) -> String {
    let mut s = cells
        .into_iter()
        .map(|c| field(&c))
        .collect::<Vec<_>>()
        .join(",");
    s.push_str("\r\n");
    s
}

/// The rows as CSV text, header first, CRLF line ends (RFC 4180).
pub fn to_csv(rows: &[TaskRow]) -> String {
    let mut out = line(HEADER.iter().map(|h| h.to_string()));
    for row in rows {
        out.push_str(&line(record(row)));
    }
    out
}

/// `taskbell-history-2026-11-22.csv`, or `…-2.csv` and on when that exists in `dir`.
pub fn free_path(dir: &Path, date: Date) -> PathBuf {
    let base = format!("taskbell-history-{date}");
    let first = dir.join(format!("{base}.csv"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| dir.join(format!("{base}-{n}.csv")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// Every row matching `query` (all pages, from the first), newest first.
pub async fn history_rows(
    engine: &Engine,
    mut query: HistoryQuery,
) -> Result<Vec<TaskRow>, EngineError> {
    query.after = None;
    query.limit = PAGE;
    let mut rows = Vec::new();
    loop {
        let q = query.clone();
        let page = engine.read(move |s| s.history(&q)).await?;
        rows.extend(page.rows);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(rows),
        }
    }
}

/// Writes the history matching `query` to a new file in `dir`, readable by this user only (it
/// may name patients), and returns its path.
pub async fn export_history(
    engine: &Engine,
    query: HistoryQuery,
    dir: &Path,
    today: Date,
) -> Result<PathBuf, ExportError> {
    let text = to_csv(&history_rows(engine, query).await?);
    let path = free_path(dir, today);
    let written = std::fs::create_dir_all(dir).and_then(|_| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        f.write_all(text.as_bytes())
    });
    written.map_err(|source| ExportError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::TaskStatus;

    fn row() -> TaskRow {
        TaskRow {
            description: "Call back, say \"hi\"\nthen fax".into(),
            assignee_id: None,
            labels: vec!["Urgent".into(), "Billing".into()],
            permalink: Some("http://canvas/p/x".into()),
            ..crate::store::example_row()
        }
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field(""), "");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
    }

    #[test]
    fn rows_become_records_with_utc_times() {
        let csv = to_csv(&[row()]);
        let mut lines = csv.split("\r\n");
        assert_eq!(
            lines.next(),
            Some("system,task_id,status,description,patient_id,patient_name,assignee_id,assignee_name,team,labels,created_at,due_at,done_at,permalink,created_here")
        );
        assert_eq!(
            lines.next(),
            Some("sandbox,t1,completed,\"Call back, say \"\"hi\"\"\nthen fax\",p1,Ada Quill,,Nurse Joy,,Urgent; Billing,2023-09-22T14:00:00Z,,2023-09-22T14:01:00Z,http://canvas/p/x,yes")
        );
        assert!(csv.ends_with("\r\n"));
    }

    #[tokio::test]
    async fn every_page_of_the_history_is_exported() {
        use crate::notify::MemoryNotifier;
        use crate::task::{EventKind, Source, TaskEvent, TaskRef, TaskSnapshot};
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = Engine::open(
            &dir.path().join("t.db"),
            std::sync::Arc::new(MemoryNotifier::default()),
        )
        .expect("opens");
        let events = (0..(PAGE + 3))
            .map(|i| TaskEvent {
                delivery_key: format!("k{i}"),
                task: TaskRef::new("sandbox", format!("t{i}")),
                kind: EventKind::Created,
                source: Source::Poll,
                at: Some(time::OffsetDateTime::now_utc()),
                status: Some(TaskStatus::Open),
                actor: None,
                snapshot: TaskSnapshot {
                    description: Some(format!("task {i}")),
                    ..Default::default()
                },
                external_id: None,
            })
            .collect();
        engine.ingest_all(events).await.expect("stores");
        let today = Date::from_calendar_date(2026, time::Month::November, 22).expect("date");
        let out = dir.path().join("Downloads");
        let query = HistoryQuery {
            limit: 10,
            ..Default::default()
        };
        let path = export_history(&engine, query, &out, today)
            .await
            .expect("exports");
        let text = std::fs::read_to_string(&path).expect("reads");
        assert_eq!(
            text.matches("\r\n").count() as u32,
            PAGE + 3 + 1,
            "header plus every row"
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path)
                .expect("exists")
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }

    #[test]
    fn an_existing_export_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let date = Date::from_calendar_date(2026, time::Month::November, 22).expect("date");
        let first = free_path(dir.path(), date);
        assert_eq!(
            first.file_name().and_then(|n| n.to_str()),
            Some("taskbell-history-2026-11-22.csv")
        );
        std::fs::write(&first, "x").expect("writes");
        let second = free_path(dir.path(), date);
        assert_eq!(
            second.file_name().and_then(|n| n.to_str()),
            Some("taskbell-history-2026-11-22-2.csv")
        );
    }
}
