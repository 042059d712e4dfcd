//! What handed-out work says: made-up but plausible titles, labels and comments, so a demo
//! reads like a clinic's day.

use rand::seq::SliceRandom;

/// Work one person picks up, with its label.
const FOR_USER: &[(&str, &str)] = &[
    ("Call patient back about lab results", "Labs"),
    ("Review and sign refill request", "Refill"),
    ("Sign prior authorization form", "Paperwork"),
    ("Review outside records before the visit", "Follow-up"),
    ("Patient asks for a referral to cardiology", "Referral"),
    ("Return pharmacy call about a dose change", "Urgent"),
];

/// Work a team's queue takes, with its label.
const FOR_TEAM: &[(&str, &str)] = &[
    ("Schedule follow-up visit in two weeks", "Scheduling"),
    ("Fax visit notes to the referring office", "Paperwork"),
    ("Confirm insurance before Thursday's visit", "Follow-up"),
    ("Send new patient intake forms", "Paperwork"),
    ("Book lab draw before the next appointment", "Labs"),
];

const COMMENTS: &[&str] = &[
    "Patient called again asking for an update.",
    "Left a voicemail; will try again this afternoon.",
    "Results are in the chart now.",
    "Pharmacy says they have not received anything yet.",
    "Family member is the best contact, number is in the chart.",
    "Can this wait until Monday?",
];

fn pick<T: Copy>(list: &[T]) -> Option<T> {
    list.choose(&mut rand::thread_rng()).copied()
}

/// A title and a label.
pub(super) fn for_user() -> Option<(&'static str, &'static str)> {
    pick(FOR_USER)
}

pub(super) fn for_team() -> Option<(&'static str, &'static str)> {
    pick(FOR_TEAM)
}

pub(super) fn comment() -> Option<&'static str> {
    pick(COMMENTS)
}
