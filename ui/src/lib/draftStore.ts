// The New task form kept in localStorage while it is unsent. Closing the window destroys it, so
// the next window (a new page load) reads the draft back from here.

import type { PatientSummary, Person } from "./api";
import { emptyDraft, type DraftForm } from "./draft";

export const DRAFT_KEY = "taskbell.new-task-draft";
const VERSION = 1;

/** True when the form holds nothing worth keeping. */
export function isEmptyDraft(f: DraftForm): boolean {
  const blank = emptyDraft();
  return (Object.keys(blank) as (keyof DraftForm)[]).every((k) => k === "assignTo" || f[k] === blank[k]);
}

export function saveDraft(f: DraftForm, storage: Storage = localStorage) {
  try {
    if (isEmptyDraft(f)) storage.removeItem(DRAFT_KEY);
    else storage.setItem(DRAFT_KEY, JSON.stringify({ v: VERSION, draft: f }));
  } catch {
    // A full or disabled storage only costs the draft's survival, not the form.
  }
}

export function clearDraft(storage: Storage = localStorage) {
  try {
    storage.removeItem(DRAFT_KEY);
  } catch {
    // Nothing to do: an unreadable storage has no draft to bring back either.
  }
}

/** The saved draft, or null when there is none or it cannot be read as this version. */
export function loadDraft(storage: Storage = localStorage): DraftForm | null {
  let stored: unknown;
  try {
    const raw = storage.getItem(DRAFT_KEY);
    if (raw == null) return null;
    stored = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(stored) || stored.v !== VERSION || !isObject(stored.draft)) return null;
  const d = stored.draft;
  const blank = emptyDraft();
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const form: DraftForm = {
    description: text(d.description),
    patient: patient(d.patient),
    patientText: text(d.patientText),
    assignTo: d.assignTo === "team" ? "team" : blank.assignTo,
    owner: person(d.owner),
    ownerText: text(d.ownerText),
    team: person(d.team),
    dueDate: text(d.dueDate),
    dueTime: text(d.dueTime),
    labels: text(d.labels),
    comment: text(d.comment),
  };
  return isEmptyDraft(form) ? null : form;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function person(v: unknown): Person | null {
  return isObject(v) && typeof v.id === "string" && typeof v.name === "string" ? { id: v.id, name: v.name } : null;
}

function patient(v: unknown): PatientSummary | null {
  const p = person(v);
  if (!p || !isObject(v)) return null;
  return {
    ...p,
    birth_date: typeof v.birth_date === "string" ? v.birth_date : null,
    // As the shell reads a patient without the flag.
    active: typeof v.active === "boolean" ? v.active : true,
  };
}
