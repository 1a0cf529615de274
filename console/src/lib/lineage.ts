// The lineage graph of a data mart: its source, the marts it runs after and
// those that run after it (from GET …/lineage), its reports and their
// destinations; laid out in layers left to right, small enough to draw as inline
// SVG. Pure: the graph component draws what this computes.

export type NodeKind = "source" | "mart" | "current" | "report" | "destination";

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** Where it links to in the console, if anywhere. */
  href: string | null;
}

export interface GraphEdge {
  from: string;
  to: string;
}

export interface LineageInput {
  mart: { id: string; title: string; sourceId: string | null };
  sourceTitle: string | null;
  /** Links from GET …/lineage: `data_mart_id` is the other mart; `depth` 1 is direct. */
  upstream: readonly { data_mart_id: string; depth: number }[];
  downstream: readonly { data_mart_id: string; depth: number }[];
  /** Every dependency among those marts and this one (`upstream` runs first). */
  dependencies: readonly { upstream: string; downstream: string }[];
  /** Titles of the project's marts, by id (a mart not found shows its id). */
  martTitles: ReadonlyMap<string, string>;
  reports: readonly { id: string; title: string; destination_id: string }[];
  destinationTitles: ReadonlyMap<string, string>;
}

/**
 * The graph's nodes and edges: the marts of the lineage, linked by exactly the
 * dependencies the API lists among them; the source, reports and destinations
 * around this mart.
 */
export function lineageGraph(input: LineageInput): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (n: GraphNode) => {
    if (!seen.has(n.id)) {
      seen.add(n.id);
      nodes.push(n);
    }
  };
  const mart = (id: string): GraphNode => ({
    id,
    kind: "mart",
    label: input.martTitles.get(id) ?? id,
    href: `/data-marts/${encodeURIComponent(id)}/lineage`,
  });
  const me = input.mart.id;
  add({ id: me, kind: "current", label: input.mart.title, href: null });
  if (input.mart.sourceId) {
    add({ id: input.mart.sourceId, kind: "source", label: input.sourceTitle ?? input.mart.sourceId, href: null });
  }
  // Nearest first, upstream then downstream, so the layout's order follows them.
  for (const l of [...input.upstream, ...input.downstream]) {
    if (l.data_mart_id !== me) add(mart(l.data_mart_id));
  }
  for (const d of input.dependencies) edges.push({ from: d.upstream, to: d.downstream });
  if (input.mart.sourceId) edges.push({ from: input.mart.sourceId, to: me });
  for (const r of input.reports) {
    const rid = `report:${r.id}`;
    add({ id: rid, kind: "report", label: r.title, href: `/reports/${encodeURIComponent(r.id)}` });
    edges.push({ from: me, to: rid });
    const did = `destination:${r.destination_id}`;
    add({
      id: did,
      kind: "destination",
      label: input.destinationTitles.get(r.destination_id) ?? r.destination_id,
      href: null,
    });
    edges.push({ from: rid, to: did });
  }
  // One edge between two nodes, however many ways it was found.
  const unique = new Map(edges.filter((e) => seen.has(e.from) && seen.has(e.to)).map((e) => [`${e.from}>${e.to}`, e]));
  return { nodes, edges: [...unique.values()] };
}

export interface Placed extends GraphNode {
  layer: number;
  x: number;
  y: number;
}

export interface Layout {
  nodes: Placed[];
  edges: (GraphEdge & { path: string })[];
  width: number;
  height: number;
}

export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 44;
const GAP_X = 64;
const GAP_Y = 20;
const PAD = 12;

/**
 * Layers by longest path from a node with no inputs (a cycle, which triggers
 * do not allow, is broken where it is met); within a layer, nodes ordered by the
 * mean position of their inputs (one sweep), then placed on a grid, each layer
 * centred; edges as cubic curves from the right of one box to the left of the next.
 */
export function layout(graph: { nodes: GraphNode[]; edges: GraphEdge[] }): Layout {
  const inputs = new Map<string, string[]>();
  for (const n of graph.nodes) inputs.set(n.id, []);
  for (const e of graph.edges) inputs.get(e.to)?.push(e.from);
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const ins = inputs.get(id) ?? [];
    const d = ins.length ? Math.max(...ins.map(depth)) + 1 : 0;
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  for (const n of graph.nodes) depth(n.id);
  const layers: GraphNode[][] = [];
  for (const n of graph.nodes) (layers[layer.get(n.id) ?? 0] ??= []).push(n);
  const index = new Map<string, number>();
  for (const nodes of layers) {
    if (!nodes) continue;
    const mean = (n: GraphNode) => {
      const ins = (inputs.get(n.id) ?? []).map((i) => index.get(i)).filter((i): i is number => i !== undefined);
      return ins.length ? ins.reduce((a, b) => a + b, 0) / ins.length : 0;
    };
    const order = nodes.map((n, i) => ({ n, i, m: mean(n) })).sort((a, b) => a.m - b.m || a.i - b.i);
    order.forEach((o, i) => index.set(o.n.id, i));
    nodes.splice(0, nodes.length, ...order.map((o) => o.n));
  }
  const tallest = Math.max(1, ...layers.map((l) => l?.length ?? 0));
  const height = PAD * 2 + tallest * NODE_HEIGHT + (tallest - 1) * GAP_Y;
  const placed: Placed[] = [];
  const at = new Map<string, Placed>();
  layers.forEach((nodes, li) => {
    if (!nodes) return;
    const span = nodes.length * NODE_HEIGHT + (nodes.length - 1) * GAP_Y;
    const top = (height - span) / 2;
    nodes.forEach((n, i) => {
      const p: Placed = { ...n, layer: li, x: PAD + li * (NODE_WIDTH + GAP_X), y: top + i * (NODE_HEIGHT + GAP_Y) };
      placed.push(p);
      at.set(n.id, p);
    });
  });
  const width = PAD * 2 + Math.max(1, layers.length) * NODE_WIDTH + Math.max(0, layers.length - 1) * GAP_X;
  const edges = graph.edges.flatMap((e) => {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b) return [];
    const x1 = a.x + NODE_WIDTH;
    const y1 = a.y + NODE_HEIGHT / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_HEIGHT / 2;
    const bend = Math.max(24, (x2 - x1) / 2);
    return [{ ...e, path: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}` }];
  });
  return { nodes: placed, edges, width, height };
}
