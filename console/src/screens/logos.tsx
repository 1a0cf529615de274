// Small marks for connectors and destination kinds, drawn here as simple glyphs
// in each one's colour (no vendor's artwork), and a generic one for a name the
// console does not know. Decorative: always beside the name in text, so hidden
// from assistive technology. A dark monochrome mark (GitHub's black) is marked
// `invert`: in dark mode logos.css inverts it, where it would vanish otherwise;
// a coloured one is left as it is.
//
// Only screens loaded on demand import this module, so it stays out of the
// entry chunk.

import type { ReactNode } from "react";
import "./logos.css";

export interface LogoSpec {
  /** Inverted in dark mode: a dark monochrome mark. */
  invert: boolean;
  /** The glyph in a 24×24 box. */
  glyph: ReactNode;
}

const mono = (text: string, bg: string, size = 10): ReactNode => (
  <>
    <rect x="1" y="1" width="22" height="22" rx="5" fill={bg} />
    <text x="12" y="12" dy="0.35em" textAnchor="middle" fontSize={size} fontWeight="700" fontFamily="system-ui, sans-serif" fill="#fff">
      {text}
    </text>
  </>
);

/** Every mark, by connector name or destination kind. */
export const LOGOS: Record<string, LogoSpec> = {
  // Connectors.
  files: {
    invert: false,
    glyph: (
      <>
        <path d="M2 6.5A1.5 1.5 0 0 1 3.5 5h5l2 2h10A1.5 1.5 0 0 1 22 8.5v10a1.5 1.5 0 0 1-1.5 1.5h-17A1.5 1.5 0 0 1 2 18.5z" fill="#e8a33d" />
        <path d="M2 10h20v8.5a1.5 1.5 0 0 1-1.5 1.5h-17A1.5 1.5 0 0 1 2 18.5z" fill="#f4bf5f" />
      </>
    ),
  },
  http_json: {
    invert: false,
    glyph: (
      <>
        <rect x="1" y="1" width="22" height="22" rx="5" fill="#0e7c86" />
        <path
          d="M9.5 6.5c-1.8 0-2 1-2 2.3v1.4c0 .9-.5 1.6-1.5 1.8 1 .2 1.5.9 1.5 1.8v1.4c0 1.3.2 2.3 2 2.3M14.5 6.5c1.8 0 2 1 2 2.3v1.4c0 .9.5 1.6 1.5 1.8-1 .2-1.5.9-1.5 1.8v1.4c0 1.3-.2 2.3-2 2.3"
          fill="none"
          stroke="#fff"
          strokeWidth="1.6"
          strokeLinecap="round"
        />
      </>
    ),
  },
  postgres: { invert: false, glyph: mono("Pg", "#336791") },
  mysql: { invert: false, glyph: mono("My", "#00758f") },
  github: {
    invert: true,
    // A cat's head in black: GitHub's colour, not its mark.
    glyph: (
      <path
        d="M12 3.2c1.4 0 2.7.3 3.8.8L19 2.2v5a8.6 8.6 0 0 1 1.6 5c0 4.8-3.8 8.6-8.6 8.6S3.4 17 3.4 12.2c0-1.9.6-3.6 1.6-5v-5L8.2 4c1.1-.5 2.4-.8 3.8-.8zM9 11.2a1.2 1.2 0 1 0 0 2.4 1.2 1.2 0 0 0 0-2.4zm6 0a1.2 1.2 0 1 0 0 2.4 1.2 1.2 0 0 0 0-2.4z"
        fill="#181717"
        fillRule="evenodd"
      />
    ),
  },
  jira: {
    invert: false,
    glyph: (
      <>
        <path d="M12 2 2 12l4 4 6-6 6 6 4-4z" fill="#0052cc" />
        <path d="m12 10-4 4 4 4 4-4z" fill="#2684ff" />
        <path d="M9 19h6l-3 3z" fill="#0052cc" />
      </>
    ),
  },
  bank_of_canada: {
    invert: false,
    glyph: (
      <path d="M12 2 2 7v2h20V7zM4 10.5h3v7H4zm6.5 0h3v7h-3zm6.5 0h3v7h-3zM2 19h20v3H2z" fill="#c8102e" />
    ),
  },
  openholidays: {
    invert: false,
    glyph: (
      <>
        <rect x="2" y="4" width="20" height="18" rx="3" fill="#2e9e5b" />
        <rect x="4" y="9" width="16" height="11" rx="1.5" fill="#fff" />
        <path d="M7 2v4M17 2v4" stroke="#2e9e5b" strokeWidth="2" strokeLinecap="round" />
        <path d="m12 10.6 1.2 2.4 2.6.4-1.9 1.8.5 2.6-2.4-1.3-2.4 1.3.5-2.6-1.9-1.8 2.6-.4z" fill="#2e9e5b" />
      </>
    ),
  },
  openexchangerates: {
    invert: false,
    glyph: (
      <>
        <circle cx="12" cy="12" r="11" fill="#1b7fcc" />
        <path d="M6 9.5h10l-2.5-2.5M18 14.5H8l2.5 2.5" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
      </>
    ),
  },
  // Destination kinds.
  object_export: {
    invert: false,
    glyph: (
      <>
        <path d="M5 1.5h9.5L20 7v14a1.5 1.5 0 0 1-1.5 1.5h-13A1.5 1.5 0 0 1 4 21V3A1.5 1.5 0 0 1 5 1.5z" fill="#6e56cf" />
        <path d="M14.5 1.5V7H20" fill="#b3a4ee" />
        <path d="M12 10v7m-3-3 3 3 3-3" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
      </>
    ),
  },
  webhook: {
    invert: false,
    glyph: (
      <>
        <path d="M12 6.5 7 15.5M12 6.5l5 9M7 17.5h10" stroke="#c73a63" strokeWidth="2" />
        <circle cx="12" cy="5.5" r="3.5" fill="#c73a63" />
        <circle cx="6" cy="17.5" r="3.5" fill="#c73a63" />
        <circle cx="18" cy="17.5" r="3.5" fill="#c73a63" />
      </>
    ),
  },
  email: {
    invert: false,
    glyph: (
      <>
        <rect x="1.5" y="4.5" width="21" height="15" rx="2.5" fill="#e0663b" />
        <path d="m3 6.5 9 7 9-7" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinejoin="round" />
      </>
    ),
  },
  google_sheets: {
    invert: false,
    glyph: (
      <>
        <path d="M5 1.5h9.5L20 7v14a1.5 1.5 0 0 1-1.5 1.5h-13A1.5 1.5 0 0 1 4 21V3A1.5 1.5 0 0 1 5 1.5z" fill="#0f9d58" />
        <path d="M7.5 10.5h9v8h-9zM7.5 13.2h9M7.5 15.8h9M11 10.5v8" fill="none" stroke="#fff" strokeWidth="1.3" />
      </>
    ),
  },
  database: {
    invert: true,
    // A plain cylinder in near-black.
    glyph: (
      <>
        <path d="M3.5 5.5C3.5 3.6 7.3 2 12 2s8.5 1.6 8.5 3.5v13c0 1.9-3.8 3.5-8.5 3.5s-8.5-1.6-8.5-3.5z" fill="#24292f" />
        <path d="M3.5 5.5c0 1.9 3.8 3.5 8.5 3.5s8.5-1.6 8.5-3.5M3.5 12c0 1.9 3.8 3.5 8.5 3.5s8.5-1.6 8.5-3.5" fill="none" stroke="#8c959f" strokeWidth="1.3" />
      </>
    ),
  },
  looker_studio: {
    invert: false,
    glyph: (
      <>
        <rect x="1" y="1" width="22" height="22" rx="5" fill="#4285f4" />
        <path d="M6.5 17.5v-4M10.5 17.5v-8M14.5 17.5v-6M18 17.5V6.5" stroke="#fff" strokeWidth="2.2" strokeLinecap="round" />
      </>
    ),
  },
};

/** A plug in the text's own colour: right in both themes, never inverted. */
const FALLBACK: LogoSpec = {
  invert: false,
  glyph: (
    <path
      d="M9 2v5M15 2v5M6 7h12v4a6 6 0 0 1-6 6 6 6 0 0 1-6-6zM12 17v5"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  ),
};

/** The mark of `name`, or the generic one. */
export function logoOf(name: string): LogoSpec & { known: boolean } {
  const spec = Object.hasOwn(LOGOS, name) ? LOGOS[name] : undefined;
  return spec ? { ...spec, known: true } : { ...FALLBACK, known: false };
}

/** The mark of a connector or destination kind, `size` px square, hidden from assistive technology. */
export function Logo({ name, size = 20, className }: { name: string; size?: number; className?: string }) {
  const spec = logoOf(name);
  return (
    <svg
      className={className ? `logo ${className}` : "logo"}
      data-logo={spec.known ? name : "generic"}
      data-invert={spec.invert ? "" : undefined}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
    >
      {spec.glyph}
    </svg>
  );
}
