//! `taskbell-cli mine` against a sandbox, as a separate process: the open tasks Canvas has
//! assigned to you, soonest due first, overdue ones marked; nobody else's, nothing closed.

mod common;

use canvas_sandbox::{Sandbox, SandboxConfig};
use taskbell_core::canvas::TaskDraft;
use taskbell_core::time_util::parse_rfc3339;

async fn make(sb: &Sandbox, description: &str, owner: &str, due: &str) -> String {
    let draft = TaskDraft {
        description: description.into(),
        requester: sb.clinic().requester,
        owner: Some(owner.into()),
        due: parse_rfc3339(due),
        ..Default::default()
    };
    common::client(sb)
        .create_task(&draft)
        .await
        .expect("created")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mine_lists_my_open_tasks_soonest_due_first() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    sb.knobs().set_staff_delay(None);
    let me = sb.clinic().requester;
    let other = sb
        .clinic()
        .practitioners
        .iter()
        .map(|p| p.0.clone())
        .find(|p| *p != me)
        .expect("a colleague");
    let later = make(&sb, "Renew the prior auth", &me, "2099-01-01T09:00:00Z").await;
    let overdue = make(&sb, "Call the lab back", &me, "2020-01-01T09:00:00Z").await;
    let closed = make(&sb, "Old fax", &me, "2020-01-02T09:00:00Z").await;
    assert!(sb.set_task_status(&closed, "cancelled"));
    make(&sb, "Not mine", &other, "2020-01-01T09:00:00Z").await;

    let out = common::run(&sb, &["mine"]).await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.len(), 2, "{said}");
    assert!(
        lines[0].contains(&overdue) && lines[0].contains("OVERDUE"),
        "{said}"
    );
    assert!(
        lines[1].contains(&later) && !lines[1].contains("OVERDUE"),
        "{said}"
    );

    let out = common::run(&sb, &["mine", "--overdue"]).await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains(&overdue));
}
