import { describe, expect, it } from "vitest";
import { layout, lineageGraph, NODE_HEIGHT, NODE_WIDTH } from "./lineage";

const titles = new Map([
  ["dm_up2", "Raw"],
  ["dm_up1", "Clean"],
  ["dm_down", "Summary"],
]);

describe("the lineage graph", () => {
  const graph = lineageGraph({
    mart: { id: "dm_me", title: "Orders", sourceId: "src_1" },
    sourceTitle: "Order files",
    upstream: [
      { data_mart_id: "dm_up1", depth: 1 },
      { data_mart_id: "dm_up2", depth: 2 },
    ],
    downstream: [{ data_mart_id: "dm_down", depth: 1 }],
    dependencies: [
      { upstream: "dm_up2", downstream: "dm_up1" },
      { upstream: "dm_up1", downstream: "dm_me" },
      { upstream: "dm_me", downstream: "dm_down" },
    ],
    martTitles: titles,
    reports: [{ id: "rep_1", title: "Weekly", destination_id: "dst_1" }],
    destinationTitles: new Map([["dst_1", "Exports"]]),
  });

  it("links source, upstream marts, the mart, downstream marts, reports and destinations", () => {
    expect(graph.nodes.map((n) => `${n.kind}:${n.label}`)).toEqual([
      "current:Orders",
      "source:Order files",
      "mart:Clean",
      "mart:Raw",
      "mart:Summary",
      "report:Weekly",
      "destination:Exports",
    ]);
    expect(graph.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(
      [
        "dm_up1>dm_me",
        "dm_up2>dm_up1",
        "dm_me>dm_down",
        "src_1>dm_me",
        "dm_me>report:rep_1",
        "report:rep_1>destination:dst_1",
      ].sort(),
    );
    expect(graph.nodes.find((n) => n.id === "dm_up1")?.href).toBe("/data-marts/dm_up1/lineage");
    expect(graph.nodes.find((n) => n.id === "report:rep_1")?.href).toBe("/reports/rep_1");
  });

  it("draws only the dependencies there are: two marts a step away, one of them fed by a third", () => {
    const g = lineageGraph({
      mart: { id: "dm_me", title: "Orders", sourceId: null },
      sourceTitle: null,
      upstream: [
        { data_mart_id: "dm_b", depth: 1 },
        { data_mart_id: "dm_c", depth: 1 },
        { data_mart_id: "dm_a", depth: 2 },
      ],
      downstream: [],
      dependencies: [
        { upstream: "dm_a", downstream: "dm_b" },
        { upstream: "dm_b", downstream: "dm_me" },
        { upstream: "dm_c", downstream: "dm_me" },
      ],
      martTitles: new Map(),
      reports: [],
      destinationTitles: new Map(),
    });
    expect(g.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(["dm_a>dm_b", "dm_b>dm_me", "dm_c>dm_me"]);
  });

  it("lays nodes out in layers by longest path, edges left to right", () => {
    const l = layout(graph);
    const layer = (id: string) => l.nodes.find((n) => n.id === id)?.layer;
    expect(layer("dm_up2")).toBe(0);
    expect(layer("src_1")).toBe(0);
    expect(layer("dm_up1")).toBe(1);
    expect(layer("dm_me")).toBe(2);
    expect(layer("dm_down")).toBe(3);
    expect(layer("report:rep_1")).toBe(3);
    expect(layer("destination:dst_1")).toBe(4);
    for (const e of l.edges) {
      const a = l.nodes.find((n) => n.id === e.from)!;
      const b = l.nodes.find((n) => n.id === e.to)!;
      expect(b.x).toBeGreaterThan(a.x);
      expect(e.path.startsWith(`M${a.x + NODE_WIDTH},`)).toBe(true);
    }
    // Nothing overlaps, and everything fits.
    for (const a of l.nodes)
      for (const b of l.nodes)
        if (a !== b && a.layer === b.layer) expect(Math.abs(a.y - b.y)).toBeGreaterThanOrEqual(NODE_HEIGHT);
    for (const n of l.nodes) {
      expect(n.x + NODE_WIDTH).toBeLessThanOrEqual(l.width);
      expect(n.y + NODE_HEIGHT).toBeLessThanOrEqual(l.height);
    }
  });

  it("draws a mart with no source or links alone", () => {
    const l = layout(
      lineageGraph({
        mart: { id: "dm_me", title: "SQL mart", sourceId: null },
        sourceTitle: null,
        upstream: [],
        downstream: [],
        dependencies: [],
        martTitles: new Map(),
        reports: [],
        destinationTitles: new Map(),
      }),
    );
    expect(l.nodes).toHaveLength(1);
    expect(l.edges).toHaveLength(0);
  });
});
