//! Patient and Practitioner resources with every key of the docs' search examples
//! (fixtures/patient-search.json, fixtures/practitioner-search.json), so a client meets the
//! whole documented shape here and not first at a clinic. The seeded clinic knows only names,
//! birth dates and genders; the rest is made up from the id, the same on every run.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::clinic::Person;

const EXT: &str = "http://schemas.canvasmedical.com/fhir/extensions";
const US_CORE: &str = "http://hl7.org/fhir/us/core/StructureDefinition";
const CONTACT: &str = "http://schemas.canvasmedical.com/fhir/contact-category";
const OMB: &str = "urn:oid:2.16.840.1.113883.6.238";
/// Canvas's open-ended name period, as the docs' example writes it.
const FOREVER: (&str, &str) = (
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59.999999+00:00",
);
const LOCATION: (&str, &str) = (
    "Location/95b9ac2d-e963-4d7a-b165-7901870f1663",
    "Canvas Clinic San Francisco",
);

/// A UUID-shaped id for a part of a resource (a phone number, a contact), stable per owner.
fn part_id(owner: &str, part: &str) -> String {
    let hex: String = Sha256::digest(format!("{owner}/{part}").as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Ten digits from the id, for made-up phone numbers and record numbers.
fn digits(owner: &str, part: &str) -> String {
    Sha256::digest(format!("{owner}#{part}").as_bytes())
        .iter()
        .take(10)
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

fn email(p: &Person) -> String {
    format!("{}.{}@example.com", p.first_name, p.last_name).to_lowercase()
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"system": system, "code": code, "display": display})
}

fn race_or_ethnicity(url: &str, code: &str, display: &str) -> Value {
    json!({
        "extension": [
            {"url": "ombCategory", "valueCoding": coding(OMB, code, display)},
            {"url": "text", "valueString": display},
        ],
        "url": url,
    })
}

fn contact(owner: &str, n: &str, relationship: Value, name: &str, telecom: Value) -> Value {
    let emergency = n == "1";
    json!({
        "id": part_id(owner, &format!("contact{n}")),
        "extension": [
            {"url": format!("{EXT}/emergency-contact"), "valueBoolean": emergency},
            {"url": format!("{EXT}/authorized-for-release-of-information"), "valueBoolean": emergency},
        ],
        "relationship": [relationship],
        "name": {"text": name},
        "telecom": [telecom],
    })
}

/// `provider`: the patient's default provider (the clinic's first practitioner).
pub(crate) fn patient_json(p: &Person, provider: Option<&Person>) -> Value {
    let id = p.id.as_str();
    let (birth_sex, identity, identity_text) = match p.gender {
        "female" => (
            "F",
            "446141000124107",
            "Identifies as female gender (finding)",
        ),
        "male" => (
            "M",
            "446151000124109",
            "Identifies as male gender (finding)",
        ),
        _ => (
            "UNK",
            "446131000124102",
            "Identifies as non-conforming gender (finding)",
        ),
    };
    let mrn = digits(id, "mrn");
    let mut extension = vec![
        json!({"url": format!("{US_CORE}/us-core-birthsex"), "valueCode": birth_sex}),
        json!({"url": format!("{US_CORE}/us-core-genderIdentity"), "valueCodeableConcept": {
            "coding": [coding("http://snomed.info/sct", identity, identity_text)], "text": identity_text}}),
        json!({"url": format!("{EXT}/sexual-orientation"), "valueCode": "UNK"}),
        race_or_ethnicity(&format!("{US_CORE}/us-core-race"), "2131-1", "Other Race"),
        race_or_ethnicity(
            &format!("{US_CORE}/us-core-ethnicity"),
            "2186-5",
            "Not Hispanic or Latino",
        ),
        json!({"url": "http://hl7.org/fhir/StructureDefinition/tz-code", "valueCode": "America/New_York"}),
        json!({"url": format!("{EXT}/clinical-note"), "valueString": ""}),
        json!({"url": format!("{EXT}/administrative-note"), "valueString": ""}),
        json!({
            "extension": [
                {"url": "ncpdp-id", "valueIdentifier": {
                    "system": "http://terminology.hl7.org/CodeSystem/NCPDPProviderIdentificationNumber",
                    "value": &digits(id, "pharmacy")[..7]}},
                {"url": "specialty_type", "valueString": "Retail"},
                {"url": "default", "valueBoolean": true},
            ],
            "url": format!("{EXT}/preferred-pharmacy"),
        }),
    ];
    if let Some(doc) = provider {
        extension.push(json!({"url": format!("{EXT}/patient-default-provider"), "valueReference": {
            "reference": format!("Practitioner/{}", doc.id), "type": "Practitioner", "display": doc.display()}}));
    }
    extension.push(
        json!({"url": format!("{EXT}/patient-default-location"), "valueReference": {
        "reference": LOCATION.0, "type": "Location", "display": LOCATION.1}}),
    );
    let consent = json!([{"url": format!("{EXT}/has-consent"), "valueBoolean": false}]);
    let div = format!(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\"><div class=\"hapiHeaderText\">{}<b>{}</b></div>\
         <table class=\"hapiPropertyTable\"><tbody><tr><td>Identifier</td><td>{mrn}</td></tr>\
         <tr><td>Date of birth</td><td><span>{}</span></td></tr></tbody></table></div>",
        p.first_name, p.last_name, p.birth_date
    );
    let family_phone =
        json!({"system": "phone", "value": format!("555{}", &digits(id, "kin")[..7])});
    json!({
        "resourceType": "Patient",
        "id": id,
        "text": {"status": "generated", "div": div},
        "extension": extension,
        "identifier": [
            {"use": "usual", "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
             "system": "http://canvasmedical.com", "value": mrn, "assigner": {"display": "Canvas Medical"}},
            {"id": part_id(id, "identifier"), "use": "usual", "system": "HealthCo",
             "value": format!("s{}", &digits(id, "plan")[..8]), "period": {"start": "1970-01-01", "end": "2100-12-31"}},
        ],
        "active": p.active,
        "name": [
            {"use": "official", "family": p.last_name, "given": [p.first_name],
             "period": {"start": FOREVER.0, "end": FOREVER.1}},
            {"use": "nickname", "given": [p.first_name.chars().take(3).collect::<String>()],
             "period": {"start": FOREVER.0, "end": FOREVER.1}},
        ],
        "telecom": [
            {"id": part_id(id, "phone"), "extension": consent, "system": "phone",
             "value": format!("555{}", &digits(id, "phone")[..7]), "use": "mobile", "rank": 1},
            {"id": part_id(id, "email"), "extension": consent, "system": "email", "value": email(p),
             "use": "home", "rank": 1},
        ],
        "gender": p.gender,
        "birthDate": p.birth_date,
        "deceasedBoolean": false,
        "address": [{"id": part_id(id, "address"), "use": "home", "type": "both", "line": ["1234 Main St."],
                     "city": "Los Angeles", "state": "CA", "postalCode": "94107", "country": "United States"}],
        "contact": [
            contact(id, "1", json!({"coding": [
                coding(CONTACT, "ARI", "Authorized for release of information"),
                coding(CONTACT, "POA", "Power of attorney"),
                coding(CONTACT, "EMC", "Emergency contact"),
            ], "text": "Spouse"}), &format!("Sam {}", p.last_name),
                json!({"system": "email", "value": format!("sam.{}@example.com", p.last_name.to_lowercase())})),
            contact(id, "2", json!({"text": "Mother"}), "Linda Stewart", family_phone.clone()),
            contact(id, "3", json!({"text": "Father"}), "Jimmy Stewart", family_phone),
        ],
        "communication": [{"language": {"coding": [coding("urn:ietf:bcp:47", "en", "English")], "text": "English"}}],
    })
}

/// Canvas staff roles (the `roles` extension): clinicians and the back office.
fn roles(p: &Person) -> [&'static str; 3] {
    if p.schedulable {
        ["MD", "RN", "MA"]
    } else {
        ["CC", "MA", "BIL"]
    }
}

pub(crate) fn practitioner_json(p: &Person) -> Value {
    let id = p.id.as_str();
    let role_codes: Vec<Value> = roles(p)
        .iter()
        .map(|c| json!({"url": "code", "valueCoding": {"system": "http://schemas.canvasmedical.com/fhir/roles", "code": c}}))
        .collect();
    let phone = |part: &str, use_: &str| {
        json!({"id": part_id(id, part), "system": "phone", "value": format!("555{}", &digits(id, part)[..7]),
               "use": use_, "rank": 1})
    };
    let mail = |part: &str, rank: u32| {
        let value = email(p).replacen('@', &format!("{}@", if rank == 1 { "" } else { "2" }), 1);
        json!({"id": part_id(id, part), "system": "email", "value": value, "use": "work", "rank": rank})
    };
    let address = |part: &str, line: &str, city: &str, zip: &str| {
        json!({"id": part_id(id, part), "use": "work", "line": [line], "city": city, "state": "CA",
               "postalCode": zip, "country": "United States"})
    };
    let username = format!(
        "{}{}",
        p.first_name.chars().next().unwrap_or('x'),
        p.last_name
    )
    .to_lowercase();
    json!({
        "resourceType": "Practitioner",
        "id": id,
        "extension": [
            {"url": format!("{EXT}/practitioner-user-username"), "valueString": username},
            {"url": format!("{EXT}/practitioner-personal-meeting-room-link"),
             "valueUrl": format!("https://meet.example.com/{username}")},
            {"url": format!("{EXT}/practitioner-primary-practice-location"), "valueReference": {
                "reference": LOCATION.0, "type": "Location", "display": LOCATION.1}},
            {"url": format!("{EXT}/practitioner-signature"), "valueAttachment": {
                "extension": [{"url": format!("{EXT}/deprecated-url"),
                               "valueUri": format!("https://media.example.com/signature-{id}.pdf")}],
                "url": format!("https://fumage-example.canvasmedical.com/Practitioner/{id}/files/signature")}},
            {"url": format!("{EXT}/roles"), "extension": role_codes},
        ],
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": digits(id, "npi")}],
        "active": p.active,
        "name": [{"use": "usual", "text": p.display(), "family": p.last_name, "given": [p.first_name]}],
        "telecom": [phone("mobile", "mobile"), phone("work", "work"), mail("email", 1), mail("email2", 2)],
        "address": [
            address("office", "1234 Main St", "Los Angeles", "94107"),
            address("clinic", "12 Cesar Chavez St", "San Francisco", "94110"),
        ],
        "birthDate": p.birth_date,
        "photo": [
            {"url": format!("https://photos.example.com/{id}/1.jpg"), "title": format!("{} -- profile photo", p.display())},
            {"url": format!("https://photos.example.com/{id}/2.jpg")},
        ],
        "qualification": [{
            "identifier": [{"system": format!("{EXT}/issuing-authority-url"), "value": format!("PRT-{}", &digits(id, "license")[..2])}],
            "code": {"text": "License"},
            "period": {"start": "2020-01-01", "end": "2030-05-05"},
            "issuer": {"display": "Medical Board of California",
                       "extension": [{"url": format!("{EXT}/issuing-authority-short-name"), "valueString": "MBC"}]},
        }],
    })
}
