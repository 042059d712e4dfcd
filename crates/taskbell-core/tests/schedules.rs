//! A property over random schedules: staff change tasks in Canvas (the sandbox); each change is
//! pushed by the companion plugin and sometimes hinted by a seed webhook; deliveries arrive
//! duplicated, reordered, late or not at all; reconciles run at random moments; the desktop's
//! clock is minutes off Canvas's. After a final reconcile, every task is stored as Canvas has
//! it, the stored states only ever moved forward through Canvas's own sequence, and each stored
//! transition was announced exactly once.

mod common;

use canvas_sandbox::{Sandbox, SandboxConfig};
use common::client_for;
use proptest::prelude::*;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use taskbell_core::canvas::fhir::task_from_fhir;
use taskbell_core::engine::{NotifyPrefs, NotifyScope};
use taskbell_core::inbox::payload::{parse_canvas, Delivery};
use taskbell_core::inbox::poll::{PollConfig, Poller};
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::time_util::Clock;
use taskbell_core::{Engine, EventKind, Source, TaskEvent, TaskRef, TaskStatus};

const TASKS: usize = 3;
const STATUSES: [&str; 3] = ["requested", "completed", "cancelled"];

#[derive(Debug, Clone)]
enum Step {
    /// Staff set a task's status in Canvas.
    Change {
        task: usize,
        status: usize,
        hinted: bool,
    },
    /// One queued delivery arrives (picked anywhere in the queue: reordering), maybe twice.
    Deliver {
        pick: usize,
        twice: bool,
    },
    /// One queued delivery is lost.
    Drop {
        pick: usize,
    },
    Reconcile,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..TASKS, 0..STATUSES.len(), any::<bool>()).prop_map(|(task, status, hinted)| Step::Change { task, status, hinted }),
        4 => (any::<usize>(), any::<bool>()).prop_map(|(pick, twice)| Step::Deliver { pick, twice }),
        1 => any::<usize>().prop_map(|pick| Step::Drop { pick }),
        1 => Just(Step::Reconcile),
    ]
}

/// What the plugin would push for the task as Canvas has it now (payload version 2).
fn push(sb: &Sandbox, id: &str) -> Vec<u8> {
    let task = sb.task_json(id).expect("in the sandbox");
    let status = match task["status"].as_str() {
        Some("completed") => "completed",
        Some("cancelled") => "closed",
        _ => "open",
    };
    let event = if status == "open" { "updated" } else { status };
    serde_json::to_vec(&json!({
        "version": 2, "event_id": uuid::Uuid::new_v4().to_string(), "event": event,
        "task": {"id": id, "title": "Call back", "status": status, "modified": task["lastModified"]},
    }))
    .expect("json")
}

/// A seed 001 webhook: only that something happened.
fn hint(id: &str) -> Vec<u8> {
    format!(r#"{{"message": "A Task was updated!", "resource_id": "{id}"}}"#).into_bytes()
}

struct Delivered {
    source: Source,
    body: Vec<u8>,
}

async fn run(skew_secs: i64, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let dir = tempfile::tempdir().expect("tempdir");
    let notes = Arc::new(MemoryNotifier::default());
    let clock = Clock::skewed(time::Duration::seconds(skew_secs));
    let engine = Engine::open_with_clock(&dir.path().join("taskbell.db"), notes.clone(), clock)
        .expect("engine");
    engine.set_prefs(NotifyPrefs {
        scope: NotifyScope::Everyone,
        kinds: vec![EventKind::Completed, EventKind::Closed, EventKind::Reopened],
        show_patient: false,
    });
    let client = client_for(&sb);
    engine.set_canvas(Some(client.clone()));
    let poller = Poller::new(engine.clone(), client, PollConfig::default());

    let ids = sb.insert_tasks(TASKS, "requested");
    let tracked = ids.iter().map(|id| {
        let t = task_from_fhir("sandbox", &sb.task_json(id).expect("task")).expect("task");
        TaskEvent::from_read(&t, None, Source::Api)
    });
    engine
        .ingest_created(tracked.collect())
        .await
        .expect("tracked");

    // Canvas's own sequence of statuses per task.
    let mut truth: HashMap<String, Vec<TaskStatus>> = ids
        .iter()
        .map(|id| (id.clone(), vec![TaskStatus::Open]))
        .collect();
    let mut queue: Vec<Delivered> = Vec::new();
    let deliver = |d: &Delivered| {
        let event = parse_canvas(
            "sandbox",
            &d.body,
            Delivery {
                source: d.source,
                transport_id: None,
            },
        )
        .expect("parses");
        let engine = engine.clone();
        async move { engine.ingest(event).await.expect("ingested") }
    };
    for s in steps {
        match s {
            Step::Change {
                task,
                status,
                hinted,
            } => {
                let id = &ids[task];
                let want: TaskStatus = STATUSES[status].parse().expect("status");
                if truth[id].last() == Some(&want) {
                    continue;
                }
                assert!(sb.set_task_status(id, STATUSES[status]));
                truth.get_mut(id).expect("task").push(want);
                queue.push(Delivered {
                    source: Source::Socket,
                    body: push(&sb, id),
                });
                if hinted {
                    queue.push(Delivered {
                        source: Source::Webhook,
                        body: hint(id),
                    });
                }
            }
            Step::Deliver { pick, twice } if !queue.is_empty() => {
                let d = queue.remove(pick % queue.len());
                deliver(&d).await;
                if twice {
                    deliver(&d).await;
                }
            }
            Step::Drop { pick } if !queue.is_empty() => {
                queue.remove(pick % queue.len());
            }
            Step::Reconcile => {
                poller.reconcile().await.expect("reconcile");
            }
            _ => {}
        }
    }
    // Whatever was still on its way arrives late, then one last reconcile.
    for d in queue.drain(..) {
        deliver(&d).await;
    }
    poller.reconcile().await.expect("final reconcile");

    for id in &ids {
        let task = TaskRef::new("sandbox", id.clone());
        let row = engine
            .read({
                let t = task.clone();
                move |s| s.task(&t)
            })
            .await
            .expect("read")
            .expect("stored");
        prop_assert_eq!(
            Some(&row.status),
            truth[id].last(),
            "task {} is stored as Canvas has it",
            id
        );

        let timeline = engine
            .read(move |s| s.timeline(&task))
            .await
            .expect("timeline");
        let moves: Vec<TaskStatus> = timeline
            .iter()
            .filter(|e| e.status_before.is_some() && e.status_before != e.status_after)
            .filter_map(|e| e.status_after.as_deref().and_then(|s| s.parse().ok()))
            .collect();
        // Forward only: the stored states are Canvas's own, in Canvas's order, some skipped.
        let mut canvas = truth[id][1..].iter();
        prop_assert!(
            moves.iter().all(|m| canvas.any(|c| c == m)),
            "task {}: stored {:?}, Canvas had {:?}",
            id,
            moves,
            truth[id]
        );

        let announced = notes.shown().iter().filter(|n| &n.task.id == id).count();
        prop_assert_eq!(
            announced,
            moves.len(),
            "task {}: each stored transition announced once",
            id
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_schedule_ends_where_canvas_is_and_announces_each_move_once(
        skew_secs in -900i64..=900,
        steps in prop::collection::vec(step(), 1..30),
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        rt.block_on(run(skew_secs, steps))?;
    }
}
