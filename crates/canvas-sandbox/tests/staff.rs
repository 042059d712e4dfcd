//! Simulated staff finish open tasks created through the API, as if in the Canvas UI.

mod common;

use std::time::Duration;

use canvas_sandbox::SandboxConfig;
use common::Api;
use serde_json::json;

async fn wait_until_all_finished(api: &Api, ids: &[String]) -> Vec<String> {
    for _ in 0..100 {
        let statuses: Vec<String> = ids
            .iter()
            .map(|id| {
                api.sb.task_json(id).unwrap()["status"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        if statuses.iter().all(|s| s != "requested") {
            return statuses;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("staff did not finish the tasks");
}

#[tokio::test]
async fn staff_complete_or_close_open_tasks_after_the_delay() {
    let config = SandboxConfig {
        staff_delay: Some(Duration::from_millis(700)),
        ..Default::default()
    };
    let api = Api::with(config).await;
    let mut ids = Vec::new();
    for n in 0..10 {
        ids.push(api.create(&api.body(&format!("task {n}"))).await);
    }
    let last = ids.last().unwrap();
    assert_eq!(
        api.task(last).await["status"],
        "requested",
        "not before the delay"
    );
    let before = api.task(&ids[0]).await;
    let statuses = wait_until_all_finished(&api, &ids).await;
    let unchanged = before["status"] == "requested";
    assert!(
        statuses
            .iter()
            .all(|s| s == "completed" || s == "cancelled"),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().any(|s| s == "completed"),
        "mostly completed: {statuses:?}"
    );
    if unchanged {
        let after = api.task(&ids[0]).await;
        assert!(after["lastModified"].as_str() > before["lastModified"].as_str());
    }
}

#[tokio::test]
async fn staff_leave_seeded_closed_and_already_finished_tasks_alone() {
    let api = Api::new().await;
    api.sb
        .knobs()
        .set_staff_delay(Some(Duration::from_millis(200)));
    let seeded = api.sb.insert_tasks(2, "requested");
    let mut done = api.body("already done");
    done["status"] = json!("completed");
    let created_done = api.create(&done).await;
    let open = api.create(&api.body("open")).await;
    // The client cancels it first; the staff must not overwrite that.
    assert!(api.sb.set_task_status(&open, "cancelled"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    for id in &seeded {
        assert_eq!(api.sb.task_json(id).unwrap()["status"], "requested");
    }
    assert_eq!(
        api.sb.task_json(&created_done).unwrap()["status"],
        "completed"
    );
    assert_eq!(api.sb.task_json(&open).unwrap()["status"], "cancelled");
}

#[tokio::test]
async fn no_staff_by_default() {
    let api = Api::new().await;
    let id = api.create(&api.body("stays open")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(api.sb.task_json(&id).unwrap()["status"], "requested");
}
