// Step 4: when the data marts run. A cron (presets, in words, the next fires in the
// chosen zone) or the success of upstream data marts; retries, SLA, catch-up, max
// active runs. The API checks it when the trigger is saved; its message shows
// beside the field it names.

import { useMemo } from "react";
import type { DataMart } from "../../api/sources";
import { describeCron, inZone, nextFires, parseCron, timeZones } from "../../lib/cron";
import { Field } from "../forms";

export interface Schedule {
  mode: "none" | "cron" | "upstream";
  cron: string;
  timezone: string;
  maxRetries: string;
  backoffSeconds: string;
  slaMinutes: string;
  upstream: string[];
  upstreamMode: "all" | "any";
  catchUp: "skip" | "latest" | "all";
  catchUpCap: string;
  whenBusy: "wait" | "skip";
  maxActiveRuns: string;
}

export function initialSchedule(): Schedule {
  let timezone = "UTC";
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    // UTC, then.
  }
  return {
    mode: "none",
    cron: "0 6 * * *",
    timezone,
    maxRetries: "2",
    backoffSeconds: "60",
    slaMinutes: "",
    upstream: [],
    upstreamMode: "all",
    catchUp: "skip",
    catchUpCap: "10",
    whenBusy: "wait",
    maxActiveRuns: "1",
  };
}

const PRESETS: [string, string][] = [
  ["Every 15 minutes", "*/15 * * * *"],
  ["Hourly", "0 * * * *"],
  ["Daily at 06:00", "0 6 * * *"],
  ["Weekdays at 09:00", "0 9 * * 1-5"],
  ["Weekly, Monday 06:00", "0 6 * * 1"],
  ["Monthly, the 1st", "0 0 1 * *"],
];

export function ScheduleStep({
  schedule,
  onChange,
  errors,
  marts,
  own,
}: {
  schedule: Schedule;
  onChange: (s: Schedule) => void;
  /** The API's messages by the field they name (`cron`, `timezone`, `sla_seconds`…). */
  errors: Record<string, string | null>;
  /** Data marts of the project that may be upstream. */
  marts: DataMart[];
  /** The wizard's own drafts, which cannot be upstream of themselves. */
  own: string[];
}) {
  const set = <K extends keyof Schedule>(k: K, v: Schedule[K]) => onChange({ ...schedule, [k]: v });
  const zones = useMemo(timeZones, []);
  const parsed = parseCron(schedule.cron);
  const fires = useMemo(
    () => (schedule.mode === "cron" ? nextFires(schedule.cron, schedule.timezone, Date.now(), 5) : []),
    [schedule.mode, schedule.cron, schedule.timezone],
  );
  const upstreamChoices = marts.filter((m) => !own.includes(m.id));

  return (
    <div className="schedule">
      <fieldset>
        <legend>Runs</legend>
        {(
          [
            ["none", "On demand only (no trigger)"],
            ["cron", "On a schedule"],
            ["upstream", "After upstream data marts succeed"],
          ] as const
        ).map(([v, label]) => (
          <label className="check" key={v}>
            <input type="radio" name="schedule-mode" value={v} checked={schedule.mode === v} onChange={() => set("mode", v)} />
            {label}
          </label>
        ))}
      </fieldset>

      {schedule.mode === "cron" && (
        <fieldset>
          <legend>Schedule</legend>
          <div className="presets" role="group" aria-label="Cron presets">
            {PRESETS.map(([label, cron]) => (
              <button
                key={cron}
                type="button"
                className="button"
                aria-pressed={schedule.cron === cron}
                onClick={() => set("cron", cron)}
              >
                {label}
              </button>
            ))}
          </div>
          <div className="row">
            <Field
              label="Cron"
              error={errors.cron}
              hint={
                <span data-testid="cron-description">
                  {parsed.ok ? describeCron(schedule.cron) : "Five fields: minute hour day-of-month month day-of-week, or a preset such as @daily."}
                </span>
              }
            >
              <input className="mono" value={schedule.cron} onChange={(e) => set("cron", e.target.value)} spellCheck={false} />
            </Field>
            <Field label="Time zone" error={errors.timezone} hint="The cron is read in this zone, daylight saving included.">
              <select value={schedule.timezone} onChange={(e) => set("timezone", e.target.value)}>
                {!zones.includes(schedule.timezone) && <option value={schedule.timezone}>{schedule.timezone}</option>}
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          {fires.length > 0 && (
            <div>
              <h3 className="small-head">Next fires</h3>
              <ol className="fires" data-testid="next-fires">
                {fires.map((f) => (
                  <li key={f}>
                    <time dateTime={f}>{inZone(f, schedule.timezone)}</time>
                  </li>
                ))}
              </ol>
            </div>
          )}
        </fieldset>
      )}

      {schedule.mode === "upstream" && (
        <fieldset>
          <legend>Upstream data marts</legend>
          {errors.upstream && (
            <p className="field-error" role="alert">
              {errors.upstream}
            </p>
          )}
          {upstreamChoices.length === 0 && <p className="hint">No other data marts yet.</p>}
          {upstreamChoices.map((m) => (
            <label className="check" key={m.id}>
              <input
                type="checkbox"
                checked={schedule.upstream.includes(m.id)}
                onChange={(e) =>
                  set("upstream", e.target.checked ? [...schedule.upstream, m.id] : schedule.upstream.filter((x) => x !== m.id))
                }
              />
              {m.title}
            </label>
          ))}
          <Field label="Fire when">
            <select value={schedule.upstreamMode} onChange={(e) => set("upstreamMode", e.target.value as "all" | "any")}>
              <option value="all">All of them have succeeded</option>
              <option value="any">Any of them succeeds</option>
            </select>
          </Field>
        </fieldset>
      )}

      {schedule.mode !== "none" && (
        <fieldset>
          <legend>When runs fail, run late or pile up</legend>
          <div className="row">
            <Field label="Retries" error={errors.retry} hint="After a failed run, 0-10.">
              <input type="number" min={0} max={10} value={schedule.maxRetries} onChange={(e) => set("maxRetries", e.target.value)} />
            </Field>
            <Field label="First backoff (seconds)" hint="Doubles per attempt.">
              <input type="number" min={1} max={86400} value={schedule.backoffSeconds} onChange={(e) => set("backoffSeconds", e.target.value)} />
            </Field>
            <Field label="SLA (minutes, optional)" error={errors.sla_seconds} hint="Longest a run may take before an alarm.">
              <input type="number" min={1} value={schedule.slaMinutes} onChange={(e) => set("slaMinutes", e.target.value)} />
            </Field>
          </div>
          <div className="row">
            <Field label="Catch-up" error={errors.catch_up} hint="Fires missed while the platform was down.">
              <select value={schedule.catchUp} onChange={(e) => set("catchUp", e.target.value as Schedule["catchUp"])}>
                <option value="skip">Skip them</option>
                <option value="latest">Run the latest one</option>
                <option value="all">Run them all</option>
              </select>
            </Field>
            {schedule.catchUp === "all" && (
              <Field label="Most missed fires run" error={errors.catch_up_cap}>
                <input type="number" min={1} value={schedule.catchUpCap} onChange={(e) => set("catchUpCap", e.target.value)} />
              </Field>
            )}
            <Field label="When a run is still going" hint="At a fire.">
              <select value={schedule.whenBusy} onChange={(e) => set("whenBusy", e.target.value as Schedule["whenBusy"])}>
                <option value="wait">Wait for a run slot</option>
                <option value="skip">Skip the fire</option>
              </select>
            </Field>
          </div>
        </fieldset>
      )}
      <Field label="Max active runs" error={errors.max_active_runs} hint="Runs of each data mart allowed at once, 1-16.">
        <input type="number" min={1} max={16} value={schedule.maxActiveRuns} onChange={(e) => set("maxActiveRuns", e.target.value)} />
      </Field>
    </div>
  );
}
