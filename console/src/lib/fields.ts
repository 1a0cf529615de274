// Where an API error is shown: beside the control its `details.field` names, or
// by the form's button when it names none of the form's fields.

import { ApiError } from "../api/client";

export function messageOf(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 403) return `Your role may not do this: ${e.message}`;
    return e.message;
  }
  return "The server could not be reached.";
}

/** The error to show beside `field`; an element's error (`permissions[2]`) shows beside its list. */
export function fieldError(error: unknown, field: string): string | null {
  if (!(error instanceof ApiError) || !error.field) return null;
  const named = error.field.replace(/\[\d+\]$/, "");
  return named === field ? error.message : null;
}

/** The error that names none of `fields`: shown by the form's button. */
export function formError(error: unknown, fields: readonly string[]): string | null {
  if (!error) return null;
  if (fields.some((f) => fieldError(error, f))) return null;
  return messageOf(error);
}

/** How a data-mart scope reads in a list: `null` is the whole project. */
export function scopeText(scope: readonly string[] | null | undefined, marts?: readonly { id: string; title: string }[]): string {
  if (!scope) return "Whole project";
  if (scope.length === 0) return "No data marts";
  const titles = scope.map((id) => marts?.find((m) => m.id === id)?.title ?? id);
  return titles.length <= 2 ? titles.join(", ") : `${titles.slice(0, 2).join(", ")} and ${titles.length - 2} more`;
}
