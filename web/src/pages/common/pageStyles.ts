// Layout for the non-chat pages. Colours come from the app's theme variables (styles/app.css),
// which switch with light/dark; the literals are only fallbacks.
const css = `
.pg { --pg-border: var(--border, #d7dbe3); --pg-muted: var(--fg-muted, #5b6472); --pg-card: var(--bg, #ffffff);
  --pg-soft: var(--bg-soft, #f4f6fa); --pg-ok: var(--ok, #15803d); --pg-bad: var(--danger, #b91c1c); --pg-warn: var(--warn, #a16207);
  --pg-warn-soft: var(--warn-soft, #fffbeb); --pg-bad-soft: var(--danger-soft, #fef2f2); --pg-accent: var(--accent, #4f46e5);
  max-width: 1200px; margin: 0 auto; padding: 16px; box-sizing: border-box; width: 100%; }
.pg *, .pg *::before, .pg *::after { box-sizing: border-box; }
.pg h1 { font-size: 1.5rem; margin: 0 0 12px; }
.pg h2 { font-size: 1.15rem; margin: 0 0 10px; }
.pg h3 { font-size: 1rem; margin: 0 0 8px; }
.pg-head { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; justify-content: space-between; margin-bottom: 12px; }
.pg-head h1 { margin: 0; }
.pg-actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.pg-section { background: var(--pg-card); border: 1px solid var(--pg-border); border-radius: 10px; padding: 16px; margin-bottom: 16px; }
.pg-muted { color: var(--pg-muted); font-size: 0.9em; }
.pg-error { color: var(--pg-bad); }
.pg-ok { color: var(--pg-ok); }
.pg-warn-box { border: 1px solid var(--pg-warn); color: inherit; background: var(--pg-warn-soft); border-radius: 8px; padding: 10px 12px; margin-bottom: 12px; }
.pg-error-box { border: 1px solid var(--pg-bad); background: var(--pg-bad-soft); border-radius: 8px; padding: 10px 12px; margin-bottom: 12px; }
.pg-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.pg-card { border: 1px solid var(--pg-border); border-radius: 10px; padding: 12px; background: var(--pg-card); min-width: 0; }
.pg-card-head { display: flex; gap: 8px; align-items: center; justify-content: space-between; flex-wrap: wrap; }
.pg-card-head h3 { margin: 0; overflow-wrap: anywhere; }
.pg-dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 8px 0; font-size: 0.92em; }
.pg-dl dt { color: var(--pg-muted); }
.pg-dl dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
.pg-badge { display: inline-block; border: 1px solid var(--pg-border); border-radius: 999px; padding: 1px 8px; font-size: 0.8em; white-space: nowrap; }
.pg-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; background: #9ca3af; margin-right: 6px; vertical-align: middle; }
.pg-dot-online { background: #22c55e; } .pg-dot-busy { background: #f59e0b; } .pg-dot-error { background: #ef4444; }
.pg-table-wrap { overflow-x: auto; }
.pg-table { border-collapse: collapse; width: 100%; font-size: 0.93em; }
.pg-table th, .pg-table td { text-align: left; padding: 8px; border-bottom: 1px solid var(--pg-border); vertical-align: top; }
.pg-table th { color: var(--pg-muted); font-weight: 600; }
.pg-form { display: grid; gap: 10px; max-width: 560px; align-content: start; }
.pg-form-wide { max-width: none; }
.pg-form > .btn, .pg-form > div > .btn:only-child { justify-self: start; }
.pg-grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 10px; align-items: start; }
.pg input[type=text], .pg input[type=password], .pg input[type=number], .pg input[type=url], .pg input[type=search], .pg select, .pg textarea {
  width: 100%; max-width: 100%; }
.pg fieldset { border: 1px solid var(--pg-border); border-radius: 8px; padding: 8px 12px; margin: 0; min-width: 0; }
.pg legend { padding: 0 4px; font-weight: 600; }
.pg-radio { display: flex; gap: 12px; flex-wrap: wrap; }
.pg-radio label, .pg-check { display: inline-flex; gap: 6px; align-items: center; }
.pg-chips { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 6px 0; }
.pg-chips li { display: inline-flex; align-items: center; gap: 4px; border: 1px solid var(--pg-border); border-radius: 999px; padding: 2px 4px 2px 10px; }
.pg-cmds { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; padding: 0; margin: 0; }
.pg-cmds code { font-size: 0.85em; }
.pg-board { display: grid; grid-template-columns: repeat(5, minmax(200px, 1fr)); gap: 12px; overflow-x: auto; align-items: start; }
.pg-col { background: var(--pg-soft); border: 1px solid var(--pg-border); border-radius: 10px; padding: 10px; min-width: 0; }
.pg-col h2 { font-size: 1rem; display: flex; justify-content: space-between; }
.pg-task { border: 1px solid var(--pg-border); background: var(--pg-card); border-radius: 8px; padding: 10px; }
.pg-task h3 { font-size: 0.95rem; margin: 0 0 4px; overflow-wrap: anywhere; }
.pg-task p { margin: 0 0 6px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9em; }
.pg-stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px; margin: 0 0 16px; padding: 0; list-style: none; }
.pg-stat { border: 1px solid var(--pg-border); border-radius: 10px; padding: 12px; background: var(--pg-card); }
.pg-stat-label { color: var(--pg-muted); font-size: 0.85em; display: block; }
.pg-stat-value { font-size: 1.4rem; font-weight: 600; display: block; overflow-wrap: anywhere; }
.pg-spark { width: 100%; height: 60px; display: block; color: var(--pg-accent); }
.pg-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; margin-bottom: 16px; }
.pg-qr { background: #fff; padding: 8px; display: inline-block; border-radius: 8px; justify-self: start; }
.pg-qr img { display: block; width: 200px; height: 200px; image-rendering: pixelated; }
.pg-codes { columns: 2; font-family: ui-monospace, monospace; padding-left: 20px; }
.pg-code { font-family: ui-monospace, monospace; overflow-wrap: anywhere; background: var(--pg-soft); padding: 2px 6px; border-radius: 4px; }
.pg-avatar { width: 72px; height: 72px; border-radius: 50%; object-fit: cover; background: var(--pg-soft); border: 1px solid var(--pg-border); display: inline-flex; align-items: center; justify-content: center; font-size: 1.6rem; }
.pg-row { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.pg-tabs { display: flex; gap: 4px; flex-wrap: wrap; margin-bottom: 12px; }
.pg-source { font-size: 0.75em; text-transform: uppercase; letter-spacing: 0.04em; }
.pg-setting { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px 16px; padding: 10px 0; border-bottom: 1px solid var(--pg-border); }
.pg-setting:last-of-type { border-bottom: none; }
.pg-provider-groups { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 16px; align-items: start; }
.pg-provider-group { min-width: 0; }
.pg-provider-list { display: grid; gap: 8px; list-style: none; padding: 0; margin: 0; }
.pg-hist { display: grid; grid-template-columns: repeat(4, auto); gap: 2px 12px; font-variant-numeric: tabular-nums; }
@media (max-width: 640px) {
  .pg { padding: 10px; }
  .pg-board { grid-template-columns: 1fr; }
  .pg-setting { grid-template-columns: 1fr; }
  .pg-table-stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .pg-table-stack tr { display: block; border-bottom: 1px solid var(--pg-border); padding: 6px 0; }
  .pg-table-stack td { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px; border: none; padding: 3px 4px; overflow-wrap: anywhere; }
  .pg-table-stack td::before { content: attr(data-label); flex: 0 0 38%; color: var(--pg-muted); font-size: 0.85em; }
  .pg-table-stack td > .pg-actions { flex: 1 1 0; }
  .pg-codes { columns: 1; }
}
`;
export default css;
