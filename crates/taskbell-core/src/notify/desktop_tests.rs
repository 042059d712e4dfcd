//! The desktop notifier against a stand-in daemon on a private bus: what a Notify carries, that
//! every notification shares one connection and one listener, and that buttons reach the app
//! exactly once, by notification id, until the notification closes.

use super::*;
use crate::notify::fake_daemon::{private_bus_or_skip, FakeDaemon, PrivateBus};
use crate::notify::NoticeKind;
use std::sync::mpsc::{self, Receiver};
use std::time::Instant;

type Click = (String, TaskRef, Option<String>);

const PATIENCE: Duration = Duration::from_secs(10);

fn task(i: u32) -> TaskRef {
    TaskRef::new("sandbox", format!("t{i}"))
}

fn note(i: u32, link: Option<&str>) -> Notification {
    Notification {
        task: task(i),
        kind: NoticeKind::Completed,
        summary: "Task completed".into(),
        body: format!("Task {i}\nCompleted by Morgan"),
        permalink: link.map(str::to_string),
        actions: NoticeKind::Completed.actions(link.is_some()),
    }
}

fn link(i: u32) -> String {
    format!("https://demo.canvasmedical.com/task/t{i}")
}

fn notifier_on(bus: &PrivateBus) -> (DesktopNotifier, Receiver<Click>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let handler: ActionHandler = Arc::new(move |action, task, link| {
        let _ = lock(&tx).send((action.to_string(), task.clone(), link.map(str::to_string)));
    });
    (DesktopNotifier::on_bus(bus.address(), Some(handler)), rx)
}

fn next_click(clicks: &Receiver<Click>) -> Click {
    clicks
        .recv_timeout(PATIENCE)
        .expect("a click reached the app")
}

fn click(action: &str, i: u32, link: Option<String>) -> Click {
    (action.to_string(), task(i), link)
}

#[test]
fn a_notify_carries_the_text_buttons_and_hints() {
    let bus = private_bus_or_skip!("a_notify_carries_the_text_buttons_and_hints");
    let daemon = FakeDaemon::start(&bus);
    let (notifier, _clicks) = notifier_on(&bus);
    notifier.check().expect("the daemon answers");
    notifier.show(&note(1, Some(&link(1)))).expect("shown");
    notifier.set_sound(false);
    notifier.show(&note(2, None)).expect("shown");
    let calls = daemon.calls();
    let (with_link, without) = (&calls[0], &calls[1]);
    assert_eq!(
        (with_link.app.as_str(), with_link.icon.as_str()),
        ("Taskbell", "task-due")
    );
    assert_eq!(
        (with_link.summary.as_str(), with_link.body.as_str()),
        ("Task completed", "Task 1\nCompleted by Morgan")
    );
    assert_eq!(
        with_link.actions,
        ["open", "Open in Canvas", "show", "Show"]
    );
    assert_eq!(
        without.actions,
        ["show", "Show"],
        "no link, no Open in Canvas"
    );
    let mut overdue = note(3, Some(&link(3)));
    overdue.kind = NoticeKind::Overdue;
    overdue.actions = NoticeKind::Overdue.actions(true);
    notifier.show(&overdue).expect("shown");
    assert_eq!(
        daemon.calls()[2].actions,
        [
            "done",
            "Mark done",
            "snooze",
            "Snooze 1 h",
            "open",
            "Open in Canvas",
            "show",
            "Show"
        ],
        "a reminder can be finished or put off from the notification"
    );
    assert_eq!(
        (
            with_link.urgency,
            with_link.category.as_deref(),
            with_link.timeout
        ),
        (Some(1), Some("im.received"), -1)
    );
    assert_eq!(
        (with_link.sound_name.as_deref(), with_link.suppress_sound),
        (Some("message-new-instant"), None)
    );
    assert_eq!(
        (without.sound_name.as_deref(), without.suppress_sound),
        (None, Some(true))
    );
}

#[test]
fn every_notification_shares_one_connection_and_its_clicks_come_once() {
    let bus =
        private_bus_or_skip!("every_notification_shares_one_connection_and_its_clicks_come_once");
    let daemon = FakeDaemon::start(&bus);
    let (notifier, clicks) = notifier_on(&bus);
    for i in 0..10 {
        notifier.show(&note(i, Some(&link(i)))).expect("shown");
    }
    let calls = daemon.calls();
    assert!(
        calls.iter().all(|c| c.sender == calls[0].sender),
        "every Notify on one connection"
    );
    assert_eq!(
        bus.connections().len(),
        2,
        "the daemon and the notifier, and nothing per notification"
    );
    assert_eq!(notifier.open_count(), 10);

    daemon.invoke(calls[3].id, "open");
    daemon.invoke(calls[7].id, "show");
    // Not a button of ours: no answer.
    daemon.invoke(calls[5].id, "default");
    daemon.invoke(calls[5].id, "open");
    assert_eq!(next_click(&clicks), click("open", 3, Some(link(3))));
    assert_eq!(next_click(&clicks), click("show", 7, Some(link(7))));
    assert_eq!(
        next_click(&clicks),
        click("open", 5, Some(link(5))),
        "each click once, in order"
    );
}

#[test]
fn a_replacement_keeps_one_answer_and_a_closed_notification_none() {
    let bus = private_bus_or_skip!("a_replacement_keeps_one_answer_and_a_closed_notification_none");
    let daemon = FakeDaemon::start(&bus);
    let (notifier, clicks) = notifier_on(&bus);
    notifier
        .show(&note(1, Some("https://old.example/t1")))
        .expect("shown");
    notifier.show(&note(1, Some(&link(1)))).expect("replaced");
    notifier.show(&note(2, None)).expect("shown");
    let calls = daemon.calls();
    let (first, again, other) = (calls[0].id, calls[1].id, calls[2].id);
    assert_eq!(
        (calls[1].replaces, again),
        (first, first),
        "the task's notification is replaced in place"
    );

    daemon.invoke(first, "open");
    daemon.invoke(other, "show");
    assert_eq!(
        next_click(&clicks),
        click("open", 1, Some(link(1))),
        "the replacement's link"
    );
    assert_eq!(
        next_click(&clicks),
        click("show", 2, None),
        "and no second answer to the first click"
    );

    daemon.close(first);
    daemon.invoke(other, "show");
    assert_eq!(next_click(&clicks), click("show", 2, None));
    assert_eq!(
        notifier.open_count(),
        1,
        "the closed notification is forgotten"
    );
    notifier
        .show(&note(1, Some(&link(1))))
        .expect("shown again");
    let last = daemon.calls().pop().expect("a call");
    assert_eq!(last.replaces, 0, "a closed notification is not replaced");
}

#[test]
fn without_a_daemon_it_says_unavailable_and_dropping_it_leaves_the_bus() {
    let bus =
        private_bus_or_skip!("without_a_daemon_it_says_unavailable_and_dropping_it_leaves_the_bus");
    let (notifier, _clicks) = notifier_on(&bus);
    assert!(
        matches!(notifier.check(), Err(NotifyError::Unavailable(_))),
        "{:?}",
        notifier.check()
    );
    assert!(matches!(
        notifier.show(&note(1, None)),
        Err(NotifyError::Unavailable(_))
    ));
    assert_eq!(bus.connections().len(), 1);
    drop(notifier);
    let since = Instant::now();
    while !bus.connections().is_empty() {
        assert!(
            since.elapsed() < PATIENCE,
            "the notifier's connection outlived it"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let nowhere = DesktopNotifier::on_bus("unix:path=/nonexistent/taskbell-bus", None);
    assert!(
        matches!(nowhere.check(), Err(NotifyError::Unavailable(m)) if m.starts_with("no session bus"))
    );
}
