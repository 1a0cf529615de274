// Who may do what in the settings, as far as the console can tell from GET /v1/me:
// it hides what the caller's role cannot do, and the server still decides (a 403
// is shown like any other refusal).

export const BUILTIN_ROLES = ["viewer", "editor", "admin", "owner"] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

export function isBuiltin(role: string): role is BuiltinRole {
  return (BUILTIN_ROLES as readonly string[]).includes(role);
}

/** Whether the role manages access (members, invitations, roles, API keys, the project): built-in admins and owners. */
export function managesAccess(role: string | undefined): boolean {
  return role === "admin" || role === "owner";
}

/** The built-in roles `role` may give: none above its own; custom roles give none. */
export function grantableRoles(role: string | undefined): BuiltinRole[] {
  if (!role || !isBuiltin(role)) return [];
  return BUILTIN_ROLES.slice(0, BUILTIN_ROLES.indexOf(role) + 1);
}

/** Whether `caller` may change or remove a member holding `held`: only owners touch owners. */
export function mayChangeMember(caller: string | undefined, held: string): boolean {
  return managesAccess(caller) && (held !== "owner" || caller === "owner");
}

/** A role's name: a built-in one as it is, a custom one by its name when known. */
export function roleName(role: string, custom: readonly { id: string; name: string }[] = []): string {
  if (isBuiltin(role)) return role;
  return custom.find((r) => r.id === role)?.name ?? role;
}

/** The page an invitee opens: the console's accept page with the invitation's token. */
export function acceptLink(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, "")}/accept?token=${encodeURIComponent(token)}`;
}

/**
 * When a key picked to expire on `day` (`YYYY-MM-DD`, the browser's calendar)
 * stops working: the end of that day where the browser is. `null` for no day.
 */
export function endOfDay(day: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!m) return null;
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1, 0, 0, 0, 0);
  return new Date(end.getTime() - 1000).toISOString();
}

/** E-mail addresses typed one a line or separated by commas, each once. */
export function addressList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[\s,;]+/)) {
    const a = part.trim();
    if (a && !out.some((o) => o.toLowerCase() === a.toLowerCase())) out.push(a);
  }
  return out;
}
