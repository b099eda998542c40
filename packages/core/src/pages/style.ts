/**
 * The one stylesheet every page shares. Colours keep a contrast ratio of at least 4.5:1 against their
 * background in both schemes; focus is always visible; wide tables scroll inside their own box on a phone.
 */
export const PAGE_CSS = `
:root{--fg:#1a1a1a;--muted:#555;--bg:#fff;--panel:#f4f5f7;--line:#d0d4da;--link:#0645ad;--ok:#0b6b2b;--bad:#b00020;--accent:#1f5fbf;--warn:#8a5a00}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--muted:#b0b0b0;--bg:#121417;--panel:#1d2026;--line:#3a3f47;--link:#8ab4f8;--ok:#6fdc8c;--bad:#ff8a80;--accent:#8ab4f8;--warn:#f0c060}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
header.top{background:var(--panel);border-bottom:1px solid var(--line);padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;align-items:baseline}
header.top h1{font-size:1.15rem;margin:0}
header.top nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem .9rem}
header.top .facts{color:var(--muted);font-size:.9rem}
main{padding:.8rem 1rem 2rem;max-width:80rem}
h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
h3{font-size:.95rem;margin:.8rem 0 .3rem}
.scroll{overflow-x:auto;max-width:100%;position:relative}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;min-width:100%}
th,td{text-align:left;padding:.3rem .55rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600}
thead th{background:var(--panel)}
td.num,th.num{text-align:right;white-space:nowrap}
.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}.muted{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:.7rem}
.card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.5rem .7rem}
dl.inventory{display:flex;flex-wrap:wrap;gap:.2rem 1.5rem;margin:.3rem 0 .6rem}
dl.inventory div{display:flex;gap:.4rem;min-width:0}
dl.inventory dt{color:var(--muted)}
dl.inventory dd{margin:0;overflow-wrap:anywhere}
.card.alert{border-color:var(--bad);border-width:2px}
.card.alert h2{margin:.2rem 0 .4rem}
.card.alert ul{margin:.2rem 0;padding-left:1.2rem;overflow-wrap:anywhere}
.card .value{font-size:1.25rem;font-weight:600}
.card .label{color:var(--muted);font-size:.85rem}
figure.spark{margin:0}
figure.spark svg{display:block;width:100%;height:36px}
figure.spark path.line{fill:none;stroke:var(--accent);stroke-width:1.5}
figure.spark path.area{fill:var(--accent);opacity:.15}
figure.spark figcaption{display:flex;flex-wrap:wrap;justify-content:space-between;gap:0 .5rem;font-size:.75rem;color:var(--muted)}
.bar{height:.55rem;background:var(--line);border-radius:3px;min-width:5rem}
.bar span{display:block;height:100%;background:var(--accent);border-radius:3px}
.bar.high span{background:var(--bad)}
form.controls{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.4rem 0 .7rem}
form.controls label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
form.controls label.check{flex-direction:row;align-items:center;gap:.4rem;min-height:2.2rem}
form.controls label.check input{min-height:auto;width:1.2rem;height:1.2rem}
input,select,button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--muted);border-radius:4px;padding:.3rem .5rem;min-height:2.2rem}
button{cursor:pointer}
button.danger{color:var(--bad);border-color:var(--bad)}
.pager{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;margin:.6rem 0}
.labels code{background:var(--panel);border:1px solid var(--line);border-radius:3px;padding:0 .25rem;margin:0 .2rem .15rem 0;display:inline-block;overflow-wrap:anywhere}
details>summary{cursor:pointer}
pre{background:var(--panel);border:1px solid var(--line);padding:.5rem;overflow-x:auto;max-height:24rem;font-size:.85rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:40rem){main{padding:.6rem .5rem 1.5rem}th,td{padding:.25rem .35rem}
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.stack tr{display:block;border-bottom:1px solid var(--line);padding:.3rem 0}
table.stack td,table.stack tbody th{display:block;border:0;text-align:left}
table.stack td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:.85rem}}
`;
