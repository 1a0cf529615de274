// The stages a run of the data mart goes through, as a small inline SVG: the
// source's stream, extract, transform (the mapping), load (the write mode into the
// storage), finalize (the post hooks). No graph library: four boxes and arrows.

export interface StageBox {
  name: string;
  detail: string;
}

const W = 150;
const H = 58;
const GAP = 34;

export function StageGraph({ stages, label }: { stages: StageBox[]; label: string }) {
  const width = stages.length * W + (stages.length - 1) * GAP + 4;
  return (
    <figure className="stage-graph">
      <svg viewBox={`0 0 ${width} ${H + 4}`} role="img" aria-label={label} width="100%" style={{ maxWidth: width }}>
        <defs>
          <marker id="stage-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" fill="currentColor" />
          </marker>
        </defs>
        {stages.map((s, i) => {
          const x = 2 + i * (W + GAP);
          return (
            <g key={s.name}>
              <rect x={x} y={2} width={W} height={H} rx={8} className="stage-box" />
              <text x={x + W / 2} y={26} textAnchor="middle" className="stage-name">
                {s.name}
              </text>
              <text x={x + W / 2} y={45} textAnchor="middle" className="stage-detail">
                {s.detail.length > 22 ? `${s.detail.slice(0, 21)}…` : s.detail}
              </text>
              {i < stages.length - 1 && (
                <line x1={x + W} y1={2 + H / 2} x2={x + W + GAP - 2} y2={2 + H / 2} className="stage-edge" markerEnd="url(#stage-arrow)" />
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="visually-hidden">{stages.map((s) => `${s.name}: ${s.detail}`).join(" → ")}</figcaption>
    </figure>
  );
}
