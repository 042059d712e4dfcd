//! The made-up clinic a sandbox starts with: patients, staff (FHIR Practitioners) and teams
//! (FHIR Groups of type practitioner). Ids are derived from the names, so they are the same on
//! every run and a demo can be bookmarked.

use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    /// FHIR `gender`: `female` / `male` / `other`.
    pub gender: &'static str,
    /// Patients: whether the chart is active (Canvas returns inactive ones too). Staff: whether
    /// they are an active user.
    pub active: bool,
    /// Staff only: whether they can be booked. Canvas's Practitioner search shows only
    /// schedulable staff unless asked otherwise.
    pub schedulable: bool,
}

impl Person {
    pub fn display(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Team {
    pub id: String,
    pub name: String,
    pub members: Vec<String>,
}

/// Everyone a task may reference.
#[derive(Debug, Clone, Default)]
pub(crate) struct Directory {
    pub patients: Vec<Person>,
    pub staff: Vec<Person>,
    pub teams: Vec<Team>,
}

/// Ids of the seeded clinic, for tests and demos to reference: `(id, display name)` pairs.
#[derive(Debug, Clone)]
pub struct Clinic {
    pub patients: Vec<(String, String)>,
    pub practitioners: Vec<(String, String)>,
    pub teams: Vec<(String, String)>,
    /// A practitioner to use as `requester` when nothing else matters. It also stands for the
    /// sandbox's user: the simulated staff hand work to them.
    pub requester: String,
    /// The first team `requester` is a member of: the user's team, which staff hand work to too.
    pub requester_team: Option<String>,
}

const PATIENTS: &[(&str, &str, &str, &str)] = &[
    ("Avery", "Quillfeather", "1958-04-12", "female"),
    ("Bram", "Oakhollow", "1971-09-30", "male"),
    ("Celeste", "Marrowby", "1984-01-07", "female"),
    ("Dorian", "Flintwick", "1992-06-18", "male"),
    ("Elodie", "Brackenridge", "1949-11-02", "female"),
    ("Fenwick", "Saltmarsh", "2001-03-25", "male"),
    ("Greta", "Thornquist", "1966-08-14", "female"),
    ("Hollis", "Ambervale", "1979-12-09", "other"),
    ("Isolde", "Cragmoor", "1988-05-21", "female"),
    ("Jasper", "Wrenfield", "1955-02-28", "male"),
    ("Kestrel", "Dunmore", "2010-10-10", "female"),
    ("Lucan", "Pebblecroft", "1973-07-04", "male"),
    // Names that match a two-word search only one word at a time ("Rowan Ellery" is nobody's
    // first or last name; each word is someone's).
    ("Rowan", "Ellery", "1990-02-14", "female"),
    ("Ellery", "Rowanson", "1962-07-30", "male"),
];

/// Inactive charts: Canvas's Patient search returns them unless `active=true` is asked.
const INACTIVE_PATIENTS: &[(&str, &str, &str, &str)] = &[
    ("Mireille", "Quillon", "1940-03-03", "female"),
    ("Osric", "Fallowmere", "1938-12-12", "male"),
];

/// Staff nobody books: Canvas's Practitioner search leaves them out unless
/// `include-non-schedulable-practitioners=true`.
const NON_SCHEDULABLE_STAFF: &[(&str, &str, &str, &str)] = &[
    ("Tamsin", "Rooke", "1987-05-05", "female"), // care coordinator
    ("Ulric", "Penhallow", "1979-11-11", "male"), // billing
];

/// A former employee: `active=false` finds them, the default search does not.
const INACTIVE_STAFF: &[(&str, &str, &str, &str)] =
    &[("Vesna", "Oldcastle", "1960-01-01", "female")];

/// More than a picker's first page (Canvas's default `_count` is 10, Taskbell asks for 20).
const TEAMS: &[&str] = &[
    "Front Desk",
    "Care Coordination",
    "Billing",
    "Referrals",
    "Prior Authorization",
    "Lab Follow-up",
    "Refills",
    "Scheduling",
    "Intake",
    "Records",
    "Nursing",
    "Behavioral Health",
    "Nutrition",
    "Pharmacy Liaison",
    "Imaging",
    "Home Health",
    "Case Management",
    "Insurance",
    "Payment Collection",
    "Quality",
    "Telehealth",
    "Outreach",
    "Pediatrics",
    "Geriatrics",
    "Triage",
];

const STAFF: &[(&str, &str, &str, &str)] = &[
    ("Morgan", "Ashdown", "1975-03-03", "female"),
    ("Niall", "Brightwater", "1982-08-19", "male"),
    ("Odessa", "Quarrington", "1969-12-01", "female"),
    ("Percival", "Lindqvist", "1990-04-16", "male"),
    ("Rosalind", "Hawthorne", "1986-09-09", "female"),
];

fn stable_id(kind: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("{kind}:{name}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn person(kind: &str, (first, last, born, gender): (&str, &str, &str, &'static str)) -> Person {
    Person {
        id: stable_id(kind, &format!("{first} {last}")),
        first_name: first.into(),
        last_name: last.into(),
        birth_date: born.into(),
        gender,
        active: true,
        schedulable: true,
    }
}

fn with(
    people: &[(&str, &str, &str, &'static str)],
    kind: &str,
    active: bool,
    schedulable: bool,
) -> Vec<Person> {
    people
        .iter()
        .map(|p| Person {
            active,
            schedulable,
            ..person(kind, *p)
        })
        .collect()
}

impl Directory {
    pub fn seeded() -> Self {
        let mut patients = with(PATIENTS, "patient", true, true);
        patients.extend(with(INACTIVE_PATIENTS, "patient", false, true));
        let mut staff = with(STAFF, "staff", true, true);
        staff.extend(with(NON_SCHEDULABLE_STAFF, "staff", true, false));
        staff.extend(with(INACTIVE_STAFF, "staff", false, true));
        let team = |name: &str, members: &[usize]| Team {
            id: stable_id("team", name),
            name: name.into(),
            members: members
                .iter()
                .filter_map(|i| staff.get(*i))
                .map(|p| p.id.clone())
                .collect(),
        };
        let teams = TEAMS
            .iter()
            .enumerate()
            .map(|(i, name)| match i {
                0 => team(name, &[0, 3]),
                1 => team(name, &[1, 2, 4, 5]),
                2 => team(name, &[6]),
                _ => team(name, &[i % STAFF.len()]),
            })
            .collect();
        Directory {
            patients,
            staff,
            teams,
        }
    }

    /// Just enough to create a task: one practitioner to be its requester.
    pub fn minimal() -> Self {
        Directory {
            staff: vec![person("staff", ("Sandbox", "Admin", "1980-01-01", "other"))],
            ..Default::default()
        }
    }

    pub fn patient(&self, id: &str) -> Option<&Person> {
        self.patients.iter().find(|p| p.id == id)
    }

    pub fn staff(&self, id: &str) -> Option<&Person> {
        self.staff.iter().find(|p| p.id == id)
    }

    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.id == id)
    }

    /// Who the sandbox's user is: the practitioner [`Clinic::requester`] names.
    pub fn user(&self) -> Option<&Person> {
        self.staff.first()
    }

    pub fn user_team(&self) -> Option<&Team> {
        let user = self.user()?;
        self.teams.iter().find(|t| t.members.contains(&user.id))
    }

    pub fn clinic(&self) -> Clinic {
        Clinic {
            patients: self
                .patients
                .iter()
                .map(|p| (p.id.clone(), p.display()))
                .collect(),
            practitioners: self
                .staff
                .iter()
                .map(|p| (p.id.clone(), p.display()))
                .collect(),
            teams: self
                .teams
                .iter()
                .map(|t| (t.id.clone(), t.name.clone()))
                .collect(),
            requester: self.user().map(|p| p.id.clone()).unwrap_or_default(),
            requester_team: self.user_team().map(|t| t.id.clone()),
        }
    }
}
