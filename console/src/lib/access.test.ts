import { describe, expect, it } from "vitest";
import { acceptLink, addressList, endOfDay, grantableRoles, managesAccess, mayChangeMember, roleName } from "./access";

describe("who manages access", () => {
  it("is built-in admins and owners only", () => {
    expect(managesAccess("owner")).toBe(true);
    expect(managesAccess("admin")).toBe(true);
    expect(managesAccess("editor")).toBe(false);
    expect(managesAccess("rol_123")).toBe(false);
    expect(managesAccess(undefined)).toBe(false);
  });

  it("gives no built-in role above the caller's own", () => {
    expect(grantableRoles("owner")).toEqual(["viewer", "editor", "admin", "owner"]);
    expect(grantableRoles("admin")).toEqual(["viewer", "editor", "admin"]);
    expect(grantableRoles("viewer")).toEqual(["viewer"]);
    expect(grantableRoles("rol_123")).toEqual([]);
  });

  it("lets only owners change owners", () => {
    expect(mayChangeMember("owner", "owner")).toBe(true);
    expect(mayChangeMember("admin", "owner")).toBe(false);
    expect(mayChangeMember("admin", "editor")).toBe(true);
    expect(mayChangeMember("admin", "rol_1")).toBe(true);
    expect(mayChangeMember("editor", "viewer")).toBe(false);
  });
});

describe("roleName", () => {
  it("names a custom role by its name, and an unknown one by its id", () => {
    const custom = [{ id: "rol_1", name: "Analyst" }];
    expect(roleName("editor", custom)).toBe("editor");
    expect(roleName("rol_1", custom)).toBe("Analyst");
    expect(roleName("rol_2", custom)).toBe("rol_2");
  });
});

describe("acceptLink", () => {
  it("is the console's accept page with the token escaped", () => {
    expect(acceptLink("http://127.0.0.1:4000/", "inv_a+b/c")).toBe("http://127.0.0.1:4000/accept?token=inv_a%2Bb%2Fc");
  });
});

describe("endOfDay", () => {
  it("is the last second of the day picked, where the browser is", () => {
    const iso = endOfDay("2027-03-09");
    expect(iso).not.toBeNull();
    const end = new Date(iso!);
    expect([end.getFullYear(), end.getMonth(), end.getDate()]).toEqual([2027, 2, 9]);
    expect([end.getHours(), end.getMinutes(), end.getSeconds()]).toEqual([23, 59, 59]);
  });

  it("is null for no day, or not a day", () => {
    expect(endOfDay("")).toBeNull();
    expect(endOfDay("tomorrow")).toBeNull();
  });
});

describe("addressList", () => {
  it("splits on commas, spaces and lines, each address once whatever its case", () => {
    expect(addressList("a@x.io, b@x.io\nA@x.io;  c@x.io ")).toEqual(["a@x.io", "b@x.io", "c@x.io"]);
    expect(addressList("  ")).toEqual([]);
  });
});
