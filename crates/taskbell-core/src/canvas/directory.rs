//! Patients, practitioners and teams, for the pickers in the New task form.

use super::CanvasError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// A patient as a picker shows them: enough to tell two Jane Does apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PatientSummary {
    pub id: String,
    pub name: String,
    pub birth_date: Option<String>,
    /// False for an inactive chart: Canvas's search returns those too, and the picker says so.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// What a picker found, and whether it stopped before the end (more pages than it reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub truncated: bool,
}

/// Whether every typed word is part of `name`, ignoring case: Canvas's `name` parameter
/// matches one word against a first or a last name, so the other words are checked here.
pub(crate) fn has_every_word(name: &str, words: &[&str]) -> bool {
    let name = name.to_lowercase();
    words.iter().all(|w| name.contains(&w.to_lowercase()))
}

/// A practitioner or a team (a FHIR Group of practitioners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Person {
    pub id: String,
    pub name: String,
}

/// "Given Family" from a FHIR `name[]`, preferring `text` when present. A chart also lists
/// nicknames and former names (patient.md's example has a nickname second); the first name
/// in current use is the one a picker shows.
pub(crate) fn human_name(resource: &Value) -> String {
    let names = resource
        .get("name")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let current = |n: &&Value| {
        let use_ = n.get("use").and_then(Value::as_str).unwrap_or_default();
        !matches!(use_, "nickname" | "old" | "maiden" | "anonymous")
    };
    let Some(first) = names.iter().find(current).or_else(|| names.first()) else {
        return String::new();
    };
    if let Some(text) = first.get("text").and_then(Value::as_str) {
        return text.to_string();
    }
    let given = first
        .get("given")
        .and_then(Value::as_array)
        .map(|g| {
            g.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let family = first
        .get("family")
        .and_then(Value::as_str)
        .unwrap_or_default();
    format!("{given} {family}").trim().to_string()
}

fn id_of(resource: &Value) -> Result<String, CanvasError> {
    resource
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| CanvasError::BadResponse("a search result without an id".into()))
}

pub(crate) fn patient(resource: &Value) -> Result<PatientSummary, CanvasError> {
    Ok(PatientSummary {
        id: id_of(resource)?,
        name: human_name(resource),
        birth_date: resource
            .get("birthDate")
            .and_then(Value::as_str)
            .map(str::to_string),
        active: resource
            .get("active")
            .and_then(Value::as_bool)
            .unwrap_or(true),
    })
}

pub(crate) fn practitioner(resource: &Value) -> Result<Person, CanvasError> {
    Ok(Person {
        id: id_of(resource)?,
        name: human_name(resource),
    })
}

pub(crate) fn team(resource: &Value) -> Result<Person, CanvasError> {
    let name = resource
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(Person {
        id: id_of(resource)?,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_read_given_and_family_or_text() {
        assert_eq!(
            human_name(&json!({"name": [{"given": ["Ada", "M"], "family": "Byron"}]})),
            "Ada M Byron"
        );
        assert_eq!(
            human_name(&json!({"name": [{"text": "Dr. Who"}]})),
            "Dr. Who"
        );
        assert_eq!(human_name(&json!({})), "");
        let p = patient(&json!({"id": "1", "name": [{"family": "Z"}], "birthDate": "1980-01-02"}))
            .expect("ok");
        assert_eq!(
            p,
            PatientSummary {
                id: "1".into(),
                name: "Z".into(),
                birth_date: Some("1980-01-02".into()),
                active: true
            }
        );
        assert!(
            !patient(&json!({"id": "2", "active": false}))
                .expect("ok")
                .active
        );
        assert!(has_every_word("Avery Quillfeather", &["quill", "AVERY"]));
        assert!(!has_every_word("Avery Quillfeather", &["quill", "bram"]));
        assert!(team(&json!({"name": "x"})).is_err());
        let nickname_first = json!({"name": [{"use": "nickname", "given": ["Sammy"]},
            {"use": "official", "given": ["Samantha"], "family": "Jones"}]});
        assert_eq!(human_name(&nickname_first), "Samantha Jones");
    }

    /// Canvas's documented examples, verbatim (canvas-sandbox/fixtures, with their source).
    fn documented(name: &str) -> Value {
        let path = format!(
            "{}/../canvas-sandbox/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect("json")
    }

    #[test]
    fn the_documented_patient_search_reads_with_every_field_present() {
        let bundle = documented("patient-search.json");
        let (resources, next) = crate::canvas::fhir::bundle_page(&bundle).expect("bundle");
        assert_eq!(next, None);
        let found: Vec<PatientSummary> = resources
            .into_iter()
            .map(patient)
            .collect::<Result<_, _>>()
            .expect("patients");
        let want = PatientSummary {
            id: "7162fd82487e4dc8aa2581ddbca91892".into(),
            name: "Samantha Ann Jones".into(),
            birth_date: Some("1980-11-13".into()),
            active: true,
        };
        assert_eq!(found, [want]);
    }

    /// The docs show one Practitioner where a search answers a Bundle of them.
    #[test]
    fn the_documented_practitioner_reads_with_every_field_present() {
        let p = practitioner(&documented("practitioner-search.json")).expect("practitioner");
        assert_eq!(
            p,
            Person {
                id: "55096fbcdfb240fd8c999c325304de03".into(),
                name: "Samantha Jones".into()
            }
        );
    }

    #[test]
    fn the_documented_team_search_reads_with_every_field_present() {
        let bundle = documented("group-search.json");
        let (resources, next) = crate::canvas::fhir::bundle_page(&bundle).expect("bundle");
        assert_eq!(next, None);
        let teams: Vec<Person> = resources
            .into_iter()
            .map(team)
            .collect::<Result<_, _>>()
            .expect("teams");
        assert_eq!(
            teams,
            [Person {
                id: "3340c331-d446-4700-9c23-7959bd393f26".into(),
                name: "A Test Team".into()
            }]
        );
    }
}
