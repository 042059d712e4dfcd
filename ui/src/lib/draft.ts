// The New task form: what the user typed, whether it can be sent, and the DraftInput it becomes.

import type { DraftInput, PatientSummary, Person } from "./api";
import { localMoment, dueToRfc3339 } from "./time";

export interface DraftForm {
  description: string;
  patient: PatientSummary | null;
  /** What is in the patient box; set without a picked patient means the pick is unfinished. */
  patientText: string;
  assignTo: "person" | "team";
  owner: Person | null;
  ownerText: string;
  team: Person | null;
  dueDate: string;
  dueTime: string;
  labels: string;
  comment: string;
}

export function emptyDraft(): DraftForm {
  return {
    description: "",
    patient: null,
    patientText: "",
    assignTo: "person",
    owner: null,
    ownerText: "",
    team: null,
    dueDate: "",
    dueTime: "",
    labels: "",
    comment: "",
  };
}

export type DraftField = "description" | "patient" | "owner" | "due";

export interface DraftCheck {
  errors: Partial<Record<DraftField, string>>;
  warnings: Partial<Record<DraftField, string>>;
}

/** Labels typed as "billing, urgent,  billing" → ["billing", "urgent"]. */
export function parseLabels(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(",")) {
    const label = raw.trim().replace(/\s+/g, " ");
    const key = label.toLowerCase();
    if (label === "" || seen.has(key)) continue;
    seen.add(key);
    out.push(label);
  }
  return out;
}

export function checkDraft(f: DraftForm, now: Date = new Date()): DraftCheck {
  const errors: DraftCheck["errors"] = {};
  const warnings: DraftCheck["warnings"] = {};
  if (f.description.trim() === "") errors.description = "Describe the task — this is what staff see in Canvas.";
  if (f.patientText.trim() !== "" && !f.patient) errors.patient = "Pick a patient from the suggestions, or clear the box.";
  if (f.assignTo === "person" && f.ownerText.trim() !== "" && !f.owner)
    errors.owner = "Pick a person from the suggestions, or clear the box.";
  if (f.dueDate.trim() === "" && f.dueTime.trim() !== "") errors.due = "Add a due date, or clear the time.";
  else if (f.dueDate.trim() !== "") {
    const due = localMoment(f.dueDate, f.dueTime);
    if (!due) errors.due = "Use a real date and time.";
    else if (due.getTime() < now.getTime()) warnings.due = "This is in the past. The task will show as overdue.";
  }
  return { errors, warnings };
}

export function isSendable(c: DraftCheck): boolean {
  return Object.keys(c.errors).length === 0;
}

export function toDraftInput(f: DraftForm): DraftInput {
  const owner = f.assignTo === "person" ? f.owner : null;
  const team = f.assignTo === "team" ? f.team : null;
  const comment = f.comment.trim();
  return {
    description: f.description.trim(),
    patient: f.patient?.id ?? null,
    owner: owner?.id ?? null,
    team: team?.id ?? null,
    due: dueToRfc3339(f.dueDate, f.dueTime),
    labels: parseLabels(f.labels),
    comment: comment === "" ? null : comment,
    names: { patient: f.patient?.name ?? null, owner: owner?.name ?? null, team: team?.name ?? null },
  };
}
