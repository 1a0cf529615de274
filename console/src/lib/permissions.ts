// The permission picker's model: what GET /v1/permissions lists, grouped by
// resource, and the patterns a custom role is saved with. A resource ticked "all
// actions" is saved as `resource:*`, which also grants actions added later; a
// pattern the picker cannot show (`*:list`) is kept as it was.

export interface Permission {
  /** `resource:action`. */
  permission: string;
  summary: string;
  method: string;
  path: string;
  builtin_role: string;
  scopable: boolean;
}

export interface PermissionGroup {
  resource: string;
  /** In the order the API lists them, each permission once. */
  permissions: (Permission & { action: string })[];
}

export interface Selection {
  /** Permissions ticked one by one. */
  permissions: Set<string>;
  /** Resources ticked "all actions" (`resource:*`). */
  resources: Set<string>;
  /** Patterns no checkbox stands for, saved unchanged. */
  other: string[];
}

/** `[resource, action]` of `resource:action`; a pattern without a colon is all resource. */
export function parts(pattern: string): [string, string] {
  const at = pattern.indexOf(":");
  return at < 0 ? [pattern, ""] : [pattern.slice(0, at), pattern.slice(at + 1)];
}

/** The permissions by resource, resources in alphabetical order. */
export function groupPermissions(items: readonly Permission[]): PermissionGroup[] {
  const groups = new Map<string, PermissionGroup>();
  for (const item of items) {
    const [resource, action] = parts(item.permission);
    let group = groups.get(resource);
    if (!group) {
      group = { resource, permissions: [] };
      groups.set(resource, group);
    }
    // Two routes can share a permission (a GET and its HEAD, say): one checkbox.
    if (!group.permissions.some((p) => p.permission === item.permission)) {
      group.permissions.push({ ...item, action });
    }
  }
  return [...groups.values()].sort((a, b) => a.resource.localeCompare(b.resource));
}

/** The picker's state for a role's saved patterns. */
export function selectionOf(patterns: readonly string[], groups: readonly PermissionGroup[]): Selection {
  const known = new Set(groups.flatMap((g) => g.permissions.map((p) => p.permission)));
  const resources = new Set(groups.map((g) => g.resource));
  const selection: Selection = { permissions: new Set(), resources: new Set(), other: [] };
  for (const raw of patterns) {
    const pattern = raw.trim();
    const [resource, action] = parts(pattern);
    if (action === "*" && resources.has(resource)) selection.resources.add(resource);
    else if (known.has(pattern)) selection.permissions.add(pattern);
    else if (!selection.other.includes(pattern)) selection.other.push(pattern);
  }
  return selection;
}

/** The patterns to save, in the picker's order: `resource:*`, or each ticked permission. */
export function patternsOf(selection: Selection, groups: readonly PermissionGroup[]): string[] {
  const out: string[] = [];
  for (const group of groups) {
    if (selection.resources.has(group.resource)) {
      out.push(`${group.resource}:*`);
      continue;
    }
    for (const p of group.permissions) if (selection.permissions.has(p.permission)) out.push(p.permission);
  }
  for (const pattern of selection.other) if (!out.includes(pattern)) out.push(pattern);
  return out;
}
