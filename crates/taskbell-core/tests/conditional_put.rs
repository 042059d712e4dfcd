//! Conditional PUTs against the sandbox over loopback HTTP: a change someone else makes
//! between the client's read and its PUT survives the PUT, whether `If-Unmodified-Since` sees
//! it (412, read again, re-apply) or it falls in the whole second the header cannot split (wait
//! for Canvas's clock to leave that second, read again, re-apply).

mod common;

use canvas_sandbox::Sandbox;
use common::{client_for, draft, sandbox};
use serde_json::Value;
use std::time::{Duration, Instant};
use taskbell_core::canvas::{CanvasClient, TaskAction};
use taskbell_core::TaskStatus;

fn puts(sb: &Sandbox) -> Vec<Value> {
    sb.knobs()
        .task_writes()
        .into_iter()
        .filter(|(m, _)| *m == "PUT")
        .map(|(_, body)| body)
        .collect()
}

/// A new task, once Canvas's clock has left the second of its creation and the client has
/// heard so (a read answered after that): a write to it starts without waiting, and what these
/// tests arrange happens after. No PUT recorded yet.
async fn settled_task(description: &str) -> (Sandbox, CanvasClient, String) {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let id = client
        .create_task(&draft(&sb, description))
        .await
        .expect("created");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.read_task(&id).await.expect("read");
    sb.knobs().clear_task_writes();
    (sb, client, id)
}

#[tokio::test]
async fn a_412_is_retried_after_reading_again() {
    let (sb, client, id) = settled_task("x").await;
    // Someone changes the task while our PUT waits on the wire.
    sb.knobs().set_latency(Duration::from_millis(1200));
    let sb_task = id.clone();
    let changer = {
        let knobs = sb.knobs();
        let sb_ref = &sb;
        async move {
            tokio::time::sleep(Duration::from_millis(1300)).await;
            assert!(sb_ref.set_task_status(&sb_task, "completed"));
            tokio::time::sleep(Duration::from_millis(1500)).await;
            knobs.set_latency(Duration::ZERO);
        }
    };
    let (result, ()) = tokio::join!(common::act(&client, &id, TaskAction::Close), changer);
    assert_eq!(
        result.expect("closed after a conflict").status,
        TaskStatus::Closed
    );
    // PUT (412), PUT: the conflict really happened and was retried.
    assert_eq!(puts(&sb).len(), 2);
    assert_eq!(sb.task_json(&id).expect("stored")["status"], "cancelled");
}

#[tokio::test]
async fn a_change_between_our_read_and_our_put_gets_a_412_and_survives() {
    let (sb, client, id) = settled_task("Call the lab").await;
    assert!(sb.knobs().change_before_next_put("completed"));

    let task = common::act(
        &client,
        &id,
        common::comment("Lab called back", &sb.clinic().requester),
    )
    .await
    .expect("commented");

    // PUT (412: staff completed it meanwhile), then PUT again from a fresh read.
    let puts = puts(&sb);
    assert_eq!(puts.len(), 2);
    assert_eq!(
        puts[0]["status"], "requested",
        "the first PUT was made from the stale read"
    );
    assert_eq!(
        puts[1]["status"], "completed",
        "the edit was re-applied to the fresh read"
    );
    assert_eq!(
        task.status,
        TaskStatus::Completed,
        "the other change survived"
    );
    let texts: Vec<&str> = task.notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Please call before noon.", "Lab called back"],
        "one new note, not two"
    );
}

#[tokio::test]
async fn a_change_later_in_the_second_of_our_read_survives_our_put() {
    let (sb, client, id) = settled_task("Fax the referral").await;
    // Staff label the task just before our read is answered, and again just after, in one
    // second: `If-Unmodified-Since` (our read's second, rounded up) cannot tell them apart.
    sb.knobs().labels_around_next_read("Seen", "Escalated");

    let started = Instant::now();
    let task = common::act(&client, &id, TaskAction::Complete)
        .await
        .expect("completed");

    let puts = puts(&sb);
    assert_eq!(
        puts.len(),
        1,
        "the later read caught it, no 412 needed: {puts:?}"
    );
    assert_eq!(puts[0]["status"], "completed");
    let stored = sb.task_json(&id).expect("stored");
    assert_eq!(stored["status"], "completed", "our change");
    let labels: Vec<&str> = stored["input"]
        .as_array()
        .expect("labels")
        .iter()
        .filter_map(|i| i["valueString"].as_str())
        .collect();
    assert_eq!(
        labels,
        ["Urgent", "Billing", "Seen", "Escalated"],
        "the other writer's change survived"
    );
    assert_eq!(task.labels, labels);
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "waited for Canvas's second to pass"
    );
}
