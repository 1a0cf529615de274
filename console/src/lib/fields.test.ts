import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { fieldError, formError, messageOf, scopeText } from "./fields";

const invalid = (field: string) => new ApiError(422, "validation", `${field} is wrong`, { field, reason: "wrong" });

describe("where an error shows", () => {
  it("shows a 422 beside the field it names, an element's beside its list", () => {
    expect(fieldError(invalid("role"), "role")).toBe("role is wrong");
    expect(fieldError(invalid("role"), "data_marts")).toBeNull();
    expect(fieldError(invalid("permissions[3]"), "permissions")).toBe("permissions[3] is wrong");
  });

  it("shows by the button what names none of the form's fields: a 409, a 403, a lost server", () => {
    const conflict = new ApiError(409, "conflict", "a project keeps an owner");
    expect(formError(conflict, ["role"])).toBe("a project keeps an owner");
    expect(formError(invalid("role"), ["role"])).toBeNull();
    expect(formError(invalid("name"), ["role"])).toBe("name is wrong");
    expect(formError(null, ["role"])).toBeNull();
    expect(messageOf(new ApiError(403, "forbidden", "admins only"))).toBe("Your role may not do this: admins only");
    expect(messageOf(new TypeError("failed to fetch"))).toBe("The server could not be reached.");
  });
});

describe("scopeText", () => {
  const marts = [
    { id: "dm_1", title: "Orders" },
    { id: "dm_2", title: "Users" },
    { id: "dm_3", title: "Events" },
  ];

  it("reads the whole project, a few titles, or a count past two", () => {
    expect(scopeText(null, marts)).toBe("Whole project");
    expect(scopeText(undefined)).toBe("Whole project");
    expect(scopeText([], marts)).toBe("No data marts");
    expect(scopeText(["dm_2", "dm_1"], marts)).toBe("Users, Orders");
    expect(scopeText(["dm_1", "dm_2", "dm_3", "dm_9"], marts)).toBe("Orders, Users and 2 more");
    expect(scopeText(["dm_9"])).toBe("dm_9");
  });
});
