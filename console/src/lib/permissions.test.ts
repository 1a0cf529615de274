import { describe, expect, it } from "vitest";
import { groupPermissions, patternsOf, selectionOf, type Permission } from "./permissions";

function perm(permission: string, method = "GET"): Permission {
  return { permission, method, path: "/v1/x", summary: permission, builtin_role: "viewer", scopable: false };
}

const items = [
  perm("run:list"),
  perm("data-mart:get"),
  perm("data-mart:create", "POST"),
  perm("run:get"),
  perm("data-mart:get", "HEAD"),
];

describe("groupPermissions", () => {
  it("groups by resource in alphabetical order, actions in the API's order, each permission once", () => {
    const groups = groupPermissions(items);
    expect(groups.map((g) => g.resource)).toEqual(["data-mart", "run"]);
    expect(groups[0]?.permissions.map((p) => p.action)).toEqual(["get", "create"]);
    expect(groups[1]?.permissions.map((p) => p.permission)).toEqual(["run:list", "run:get"]);
  });

  it("is empty for no permissions", () => {
    expect(groupPermissions([])).toEqual([]);
  });
});

describe("patternsOf", () => {
  const groups = groupPermissions(items);

  it("writes a resource ticked all actions as resource:* and nothing else of it", () => {
    const patterns = patternsOf(
      { permissions: new Set(["data-mart:get", "run:get"]), resources: new Set(["data-mart"]), other: [] },
      groups,
    );
    expect(patterns).toEqual(["data-mart:*", "run:get"]);
  });

  it("writes ticked permissions in the picker's order, then the patterns it cannot show", () => {
    const patterns = patternsOf(
      { permissions: new Set(["run:get", "data-mart:create"]), resources: new Set(), other: ["*:list"] },
      groups,
    );
    expect(patterns).toEqual(["data-mart:create", "run:get", "*:list"]);
  });

  it("writes nothing for nothing ticked", () => {
    expect(patternsOf({ permissions: new Set(), resources: new Set(), other: [] }, groups)).toEqual([]);
  });
});

describe("selectionOf", () => {
  const groups = groupPermissions(items);

  it("reads a saved role back into the picker", () => {
    const s = selectionOf(["data-mart:*", "run:list", "*:list", " run:get ", "*:list"], groups);
    expect([...s.resources]).toEqual(["data-mart"]);
    expect([...s.permissions]).toEqual(["run:list", "run:get"]);
    expect(s.other).toEqual(["*:list"]);
  });

  it("keeps a pattern of a resource it does not list as it was", () => {
    const s = selectionOf(["report:*", "run:delete"], groups);
    expect(s.resources.size).toBe(0);
    expect(s.other).toEqual(["report:*", "run:delete"]);
  });

  it("round-trips through patternsOf", () => {
    const saved = ["data-mart:*", "run:get", "*:list"];
    expect(patternsOf(selectionOf(saved, groups), groups)).toEqual(saved);
  });
});
