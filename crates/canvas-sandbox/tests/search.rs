//! Task search: paging links, the `_count` clamp, every parameter, `modified` prefixes and the
//! 400 instances without `modified` answer.

mod common;

use std::collections::HashSet;

use common::{ids, link, outcome, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn pages_follow_next_links_to_the_end() {
    let api = Api::new().await;
    let seeded = api.sb.insert_tasks(25, "requested");
    let (status, first) = api.get_json("/Task").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["resourceType"], "Bundle");
    assert_eq!(first["type"], "searchset");
    assert_eq!(first["total"], 25);
    assert_eq!(ids(&first).len(), 10, "default _count is 10");
    let self_link = link(&first, "self").unwrap();
    assert!(self_link.starts_with("/Task?"), "{self_link}");
    assert!(
        self_link.contains("_count=10") && self_link.contains("_offset=0"),
        "{self_link}"
    );
    assert!(
        link(&first, "first").is_some() && link(&first, "last").unwrap().contains("_offset=20")
    );

    let mut seen = ids(&first);
    let mut next = link(&first, "next");
    let mut pages = 1;
    while let Some(url) = next {
        let (_, page) = api.get_json(&url).await;
        seen.extend(ids(&page));
        next = link(&page, "next");
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen, seeded,
        "creation order, nothing twice, nothing skipped"
    );
}

#[tokio::test]
async fn count_is_clamped_to_100_and_links_keep_the_filters() {
    let api = Api::new().await;
    api.sb.insert_tasks(130, "completed");
    let (_, page) = api.get_json("/Task?status=completed&_count=500").await;
    assert_eq!(ids(&page).len(), 100);
    let next = link(&page, "next").unwrap();
    assert!(
        next.contains("status=completed")
            && next.contains("_count=100")
            && next.contains("_offset=100"),
        "{next}"
    );
    let (_, last) = api.get_json(&next).await;
    assert_eq!(ids(&last).len(), 30);
    assert!(link(&last, "next").is_none());

    let (_, empty) = api.get_json("/Task?_offset=1000").await;
    assert_eq!(empty["total"], 130);
    assert!(ids(&empty).is_empty() && link(&empty, "next").is_none());
    let (_, none) = api.get_json("/Task?description=no-such-task").await;
    assert_eq!(none["total"], 0);
    assert!(
        none.get("link").is_none(),
        "an empty result carries no links: {none}"
    );

    assert_eq!(
        outcome(api.get("/Task?_count=many").await).await.1,
        "invalid"
    );
}

fn with(api: &Api, description: &str, patch: Value) -> Value {
    let mut body = api.body(description);
    for (k, v) in patch.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[tokio::test]
async fn each_parameter_filters() {
    let api = Api::new().await;
    let clinic = api.sb.clinic();
    let (p0, p1) = (&clinic.patients[0].0, &clinic.patients[1].0);
    let (s1, s2) = (&clinic.practitioners[1].0, &clinic.practitioners[2].0);
    let a = api
        .create(&with(
            &api,
            "Refill Lisinopril",
            json!({
                "for": {"reference": format!("Patient/{p0}")},
                "owner": {"reference": format!("Practitioner/{s1}")},
                "input": [{"type": {"text": "label"}, "valueString": "Urgent"}],
            }),
        ))
        .await;
    let b = api
        .create(&with(
            &api,
            "Schedule follow-up",
            json!({
                "status": "completed",
                "for": {"reference": format!("Patient/{p1}")},
                "owner": {"reference": format!("Practitioner/{s2}")},
                "requester": {"reference": format!("Practitioner/{s2}")},
                "input": [{"type": {"text": "label"}, "valueString": "Billing"}],
            }),
        ))
        .await;
    let c = api
        .create(&with(
            &api,
            "Call about REFILL",
            json!({"status": "cancelled"}),
        ))
        .await;

    let search = |q: String| {
        let api = &api;
        async move {
            let (status, bundle) = api.get_json(&format!("/Task?{q}")).await;
            assert_eq!(status, StatusCode::OK, "{q}: {bundle}");
            ids(&bundle).into_iter().collect::<HashSet<_>>()
        }
    };
    let set = |v: &[&String]| v.iter().map(|s| s.to_string()).collect::<HashSet<_>>();

    assert_eq!(search(format!("_id={a}")).await, set(&[&a]));
    assert_eq!(search(format!("_id={a},{c}")).await, set(&[&a, &c]));
    assert_eq!(search("status=requested".into()).await, set(&[&a]));
    assert_eq!(
        search("status=completed,cancelled".into()).await,
        set(&[&b, &c])
    );
    assert_eq!(search(format!("owner=Practitioner/{s1}")).await, set(&[&a]));
    assert_eq!(search(format!("owner={s2}")).await, set(&[&b]));
    assert_eq!(
        search(format!("requester=Practitioner/{s2}")).await,
        set(&[&b])
    );
    assert_eq!(
        search(format!("requester={}", clinic.requester)).await,
        set(&[&a, &c])
    );
    assert_eq!(search(format!("patient=Patient/{p1}")).await, set(&[&b]));
    assert_eq!(search("description=refill".into()).await, set(&[&a, &c]));
    assert_eq!(search("description=Follow-UP".into()).await, set(&[&b]));
    assert_eq!(search("label=urgent".into()).await, set(&[&a]));
    assert_eq!(search("label=Urgent,Billing".into()).await, set(&[&a, &b]));
    assert_eq!(
        search(format!("status=requested&owner={s2}")).await,
        set(&[])
    );

    let (status, code, text) = outcome(api.get("/Task?colour=blue").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid")
    );
    assert!(text.contains("colour"), "{text}");
    assert_eq!(
        outcome(api.get("/Task?status=done").await).await.1,
        "invalid"
    );
}

fn modified(api_task: &Value) -> time::OffsetDateTime {
    let s = api_task["lastModified"].as_str().unwrap();
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn modified_supports_every_prefix_and_ranges() {
    let api = Api::new().await;
    let first = api.create(&api.body("first")).await;
    let second = api.create(&api.body("second")).await;
    // A change gives the task a later modified time than anything before.
    assert!(api.sb.set_task_status(&first, "completed"));
    let t_first = modified(&api.task(&first).await);
    let t_second = modified(&api.task(&second).await);
    assert!(t_first > t_second);

    let q = |prefix: &str, t: time::OffsetDateTime| {
        format!(
            "modified={prefix}{}",
            url::form_urlencoded::byte_serialize(rfc3339(t).as_bytes()).collect::<String>()
        )
    };
    let search = |query: String| {
        let api = &api;
        async move {
            let (status, bundle) = api.get_json(&format!("/Task?{query}")).await;
            assert_eq!(status, StatusCode::OK, "{query}: {bundle}");
            ids(&bundle)
        }
    };
    assert_eq!(search(q("gt", t_second)).await, vec![first.clone()]);
    assert_eq!(
        search(q("ge", t_second)).await,
        vec![first.clone(), second.clone()]
    );
    assert_eq!(search(q("lt", t_first)).await, vec![second.clone()]);
    assert_eq!(
        search(q("le", t_first)).await,
        vec![first.clone(), second.clone()]
    );
    assert_eq!(search(q("eq", t_first)).await, vec![first.clone()]);
    assert_eq!(search(q("", t_first)).await, vec![first.clone()]);
    assert_eq!(search(q("ne", t_first)).await, vec![second.clone()]);
    let range = format!("{}&{}", q("ge", t_second), q("lt", t_first));
    assert_eq!(search(range).await, vec![second.clone()]);
    // An unencoded "+" arrives as a space; the sandbox reads it as the offset it was meant to be.
    let raw_plus = format!("modified=gt{}", rfc3339(t_second).replace('Z', "+00:00"));
    assert_eq!(search(raw_plus).await, vec![first.clone()]);

    assert_eq!(
        outcome(api.get("/Task?modified=gtyesterday").await).await.1,
        "invalid"
    );
}

#[tokio::test]
async fn modified_moves_when_a_comment_is_added() {
    let api = Api::new().await;
    let id = api.create(&api.body("x")).await;
    let mut task = api.task(&id).await;
    let before = modified(&task);
    task["note"] = json!([common::note(&api.sb, "a comment")]);
    assert_eq!(api.put(&id, &task).await.status(), StatusCode::OK);
    assert!(modified(&api.task(&id).await) > before);
}

#[tokio::test]
async fn modified_search_can_be_switched_off() {
    let api = Api::new().await;
    api.sb.knobs().set_modified_search_supported(false);
    let (status, code, _) = outcome(api.get("/Task?modified=gt2024-01-01T00:00:00Z").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid")
    );
    assert_eq!(
        api.get("/Task?status=requested").await.status(),
        StatusCode::OK
    );
    api.sb.knobs().set_modified_search_supported(true);
    assert_eq!(
        api.get("/Task?modified=gt2024-01-01T00:00:00Z")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn sorts_by_due_date_and_id_only() {
    let api = Api::new().await;
    let due = |end: &str| json!({"restriction": {"period": {"end": end}}});
    let none = api.create(&with(&api, "no due", json!({}))).await;
    let late = api
        .create(&with(&api, "late", due("2024-03-09T00:00:00+00:00")))
        .await;
    let early = api
        .create(&with(&api, "early", due("2024-03-05T00:00:00+00:00")))
        .await;
    let order = |q: &'static str| {
        let api = &api;
        async move {
            let (status, bundle) = api.get_json(&format!("/Task?_sort={q}")).await;
            assert_eq!(status, StatusCode::OK, "{q}: {bundle}");
            ids(&bundle)
        }
    };
    assert_eq!(
        ids(&api.get_json("/Task").await.1),
        vec![none.clone(), late.clone(), early.clone()],
        "creation order without _sort"
    );
    assert_eq!(
        order("due-date").await,
        vec![early.clone(), late.clone(), none.clone()]
    );
    assert_eq!(
        order("-due-date").await,
        vec![late.clone(), early.clone(), none.clone()],
        "no due date stays last when descending"
    );
    let mut by_id = vec![none.clone(), late.clone(), early.clone()];
    by_id.sort();
    assert_eq!(order("_id").await, by_id);
    by_id.reverse();
    assert_eq!(order("-_id").await, by_id);

    let (_, due) = api.get_json("/Task?due=2024-03-05").await;
    assert_eq!(ids(&due), vec![early.clone()]);
    let (_, due) = api
        .get_json("/Task?due=lt2024-03-06T00:00:00%2B00:00")
        .await;
    assert_eq!(ids(&due), vec![early]);
}

#[tokio::test]
async fn undocumented_sort_values_are_refused() {
    let api = Api::new().await;
    api.create(&api.body("x")).await;
    for value in [
        "modified",
        "-modified",
        "authored-on",
        "due",
        "status",
        "_lastUpdated",
        "due-date,_id",
        "colour",
    ] {
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        let (status, code, text) = outcome(api.get(&format!("/Task?_sort={encoded}")).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid"),
            "{value}"
        );
        assert!(
            text.contains("_sort") && text.contains(&format!("\"{value}\"")),
            "names the parameter and the value: {text}"
        );
    }
}
