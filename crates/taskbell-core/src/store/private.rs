//! The values in the history that identify a patient or say what their task is about, so that
//! whatever leaves the machine for support (diagnostics) can be searched for them and have them
//! taken out, whatever log line they slipped into.

use super::{Store, StoreError};

impl Store {
    /// Patient ids, patient names and task descriptions, each once, longest first so that a
    /// longer value is replaced before a shorter one inside it.
    pub fn private_values(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT patient_id FROM tasks WHERE patient_id IS NOT NULL
             UNION SELECT patient_name FROM tasks WHERE patient_name IS NOT NULL
             UNION SELECT description FROM tasks WHERE description <> ''",
        )?;
        let mut values = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        Ok(values)
    }
}
