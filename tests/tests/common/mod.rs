//! What the end-to-end tests share beyond the harness: the seeded clinic, unique descriptions.

#![allow(dead_code)] // Each test binary uses part of this.

/// The names in the sandbox's seeded clinic, read from the sandbox itself so the tests follow
/// any change to it.
pub struct ClinicNames {
    pub staff: Vec<String>,
    pub patients: Vec<String>,
    /// The Practitioner id of the sandbox's user (the one the app acts as, and the staff hand
    /// work to): ids are made from names, so every sandbox the clinic seeds has the same one.
    pub user: String,
}

pub async fn clinic_names() -> anyhow::Result<ClinicNames> {
    let sandbox = canvas_sandbox::Sandbox::start(canvas_sandbox::SandboxConfig {
        port: 0,
        ..Default::default()
    })
    .await?;
    let clinic = sandbox.clinic();
    sandbox.shutdown().await;
    let names = |v: &[(String, String)]| v.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>();
    Ok(ClinicNames {
        staff: names(&clinic.practitioners),
        patients: names(&clinic.patients),
        user: clinic.requester,
    })
}

/// A description no other run or test shares, so a row or a notification is surely this one's.
pub fn unique(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{what} e2e-{}-{nanos:09}", std::process::id())
}

/// Fails when `body` names any of `patients`: names are off by default, and a notification may
/// be read over someone's shoulder.
pub fn ensure_no_patient(body: &str, patients: &[String]) -> anyhow::Result<()> {
    for p in patients {
        anyhow::ensure!(
            !body.contains(p.as_str()),
            "the body names patient {p:?}, which is off by default: {body:?}"
        );
    }
    Ok(())
}
