/// The dashboard's stylesheet: a light and a dark scheme following the
/// system setting, readable from 390 px wide up.
enum DashboardStylesheet {
    static let css = ##"""
:root {
  color-scheme: light dark;
  --bg: #f7f7f5; --fg: #1b1d21; --muted: #5d636e; --card: #ffffff; --line: #d9dce1;
  --accent: #1f5fbf; --accent-fg: #ffffff; --danger: #b3261e; --ok: #1e7b34; --warn: #9a6400;
  --bar: #e7ebf2; --focus: #ffbf47;
  --s1: #1f5fbf; --s2: #d9822b; --s3: #2f9e5b; --s4: #9c4dc4; --s5: #c43d63; --s6: #3d8fc4; --s7: #7a7f87;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14161a; --fg: #e9eaec; --muted: #a4a9b3; --card: #1d2026; --line: #343942;
    --accent: #6ea2ff; --accent-fg: #0d1420; --danger: #ff8a80; --ok: #6fd38f; --warn: #f2c14e;
    --bar: #2a3039; --focus: #ffbf47;
    --s1: #6ea2ff; --s2: #f0a35e; --s3: #6fd38f; --s4: #c792ea; --s5: #ff7b9c; --s6: #7fd1ff; --s7: #a4a9b3;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; }
.skip:focus { left: 8px; top: 8px; background: var(--card); padding: 6px 10px; z-index: 10; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; padding: 10px 20px; background: var(--card); border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 18px; }
.bar nav { display: flex; gap: 12px; flex: 1; }
.bar nav a { text-decoration: none; padding: 4px 6px; border-radius: 4px; }
.bar nav a[aria-current="page"] { background: var(--bar); color: var(--fg); }
.who { color: var(--muted); font-size: 13px; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 20px 48px; }
h1 { font-size: 22px; margin: 8px 0 14px; }
h2 { font-size: 17px; margin: 0 0 10px; }
.muted { color: var(--muted); }
ul.tree { list-style: none; margin: 4px 0; padding-left: 18px; border-left: 1px solid var(--line); }
ul.tree li { margin: 4px 0; overflow-wrap: anywhere; }
.grid { display: grid; gap: 14px; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); margin-bottom: 16px; }
.card, section.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
section.panel { margin-bottom: 16px; overflow-x: auto; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 20px; font-variant-numeric: tabular-nums; text-align: right; }
.card .sub { font-size: 12px; color: var(--muted); text-align: right; }
.cols { display: grid; gap: 16px; grid-template-columns: 2fr 1fr; }
.cols > * { min-width: 0; }
@media (max-width: 900px) { .cols { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; color: var(--muted); white-space: nowrap; }
th button { all: unset; cursor: pointer; }
th button:focus-visible { outline: 3px solid var(--focus); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.cur { color: var(--muted); font-size: 12px; margin-left: 3px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; border: 1px solid currentColor; }
.badge.active, .badge.captured, .badge.enabled, .badge.paid { color: var(--ok); }
.badge.suspended, .badge.frozen, .badge.pending, .badge.open { color: var(--warn); }
.badge.revoked, .badge.disabled, .badge.failed { color: var(--danger); }
.badge.delivered { color: var(--ok); }
.webhook .url { word-break: break-all; }
form.inline { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-end; }
label { display: flex; flex-direction: column; gap: 3px; font-size: 13px; color: var(--muted); }
input, select, textarea, button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; }
textarea { width: 100%; min-height: 150px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
button { cursor: pointer; background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
button.secondary { background: transparent; color: var(--accent); }
button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
button[disabled] { opacity: .5; cursor: not-allowed; }
.error { color: var(--danger); font-size: 13px; min-height: 1em; }
.okmsg { color: var(--ok); font-size: 13px; }
.meter { position: relative; height: 10px; background: var(--bar); border-radius: 5px; min-width: 80px; overflow: hidden; }
.meter > span { position: absolute; left: 0; top: 0; bottom: 0; background: var(--accent); }
.meter.over > span { background: var(--danger); }
.limit { margin-bottom: 10px; }
.limit .row { display: flex; justify-content: space-between; gap: 8px; font-size: 13px; }
.chart svg { width: 100%; height: auto; display: block; }
.chart text { fill: var(--muted); font-size: 10px; }
.chart .axis { stroke: var(--line); }
.legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 12px; margin-top: 6px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
.toolbar > * { min-width: 0; }
.toolbar { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-end; margin-bottom: 10px; }
.secret { font-family: ui-monospace, Menlo, Consolas, monospace; background: var(--bar); padding: 6px 8px; border-radius: 6px; word-break: break-all; }
.toast { position: fixed; bottom: 16px; right: 16px; max-width: 360px; }
.toast:not(:empty) { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; box-shadow: 0 2px 8px rgba(0,0,0,.2); }
dialog { border: 1px solid var(--line); border-radius: 8px; background: var(--card); color: var(--fg); max-width: 420px; }
dialog .actions { display: flex; gap: 10px; justify-content: flex-end; }
.signin { max-width: 420px; margin: 40px auto; }
.signin form { display: flex; flex-direction: column; gap: 12px; }
.pager { display: flex; gap: 8px; justify-content: flex-end; margin-top: 8px; }
pre.policy { white-space: pre-wrap; font-size: 12px; background: var(--bar); padding: 8px; border-radius: 6px; }
@media (max-width: 600px) {
  main { padding: 10px; }
  .bar { padding: 8px 10px; }
  table.wide .opt { display: none; }
  .card .value { font-size: 17px; }
}
"""##
}
