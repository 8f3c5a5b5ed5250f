"""The report's style sheet: inline in the page, so the page needs nothing from the network."""

CSS = """
:root { --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --accent:#1d4ed8;
        --quote:#c2410c; --outlet:#b45309; --ins:#dafbe1; --del:#ffebe9; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
       color:var(--ink); background:#fff; }
main { max-width:1280px; margin:0 auto; padding:24px 28px 64px; }
h1 { font-size:26px; margin:0 0 4px; } h2 { font-size:20px; margin:40px 0 12px;
     padding-bottom:6px; border-bottom:1px solid var(--line); }
h3 { font-size:16px; margin:24px 0 8px; } h3 .muted, h4 .muted { font-weight:400; }
h4 { font-size:14.5px; margin:18px 0 6px; }
.sub { color:var(--muted); margin:0 0 20px; }
code, .id { font-family: ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:0.9em; }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(118px,1fr)); gap:8px; margin:0; }
.cards div { background:var(--bg); border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.cards dt { color:var(--muted); font-size:13px; } .cards dd { margin:0; font-size:22px; font-weight:600; }
.cards dd.small { font-size:13px; font-weight:500; word-break:break-all; }
table { border-collapse:collapse; width:100%; margin:8px 0 16px; font-size:14px; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:var(--bg); font-weight:600; } td.num { text-align:right; font-variant-numeric:tabular-nums; }
.muted { color:var(--muted); } .inferred { color:var(--muted); font-style:italic; }
.tag { display:inline-block; padding:0 7px; border-radius:10px; font-size:12px; font-weight:600;
       background:#dbeafe; color:var(--accent); }
.tag.quotes { background:#ffedd5; color:var(--quote); } .tag.unknown { background:#e5e7eb; color:#374151; }
.graph-wrap { overflow:auto; border:1px solid var(--line); border-radius:8px; background:#fcfcfd; }
svg.graph.fit { max-width:100%; height:auto; }
svg.graph { display:block; font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
svg.graph text { font-size:12px; fill:var(--ink); }
svg.graph .legend text { font-size:12px; fill:var(--muted); }
svg.graph .node.doc rect, svg.graph .swatch.doc rect { fill:#fff; stroke:#8c959f; stroke-width:1.2; }
svg.graph .node.doc.canonical > a > rect:first-of-type, svg.graph .swatch.canonical rect
  { stroke:var(--accent); stroke-width:2.6; }
svg.graph .node.doc text.id { font:600 12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
svg.graph .node.doc text.title { font-size:12.5px; }
svg.graph .node.doc text.missing { fill:var(--muted); font-style:italic; }
svg.graph .node.doc text.meta { font-size:11px; fill:var(--muted); }
svg.graph rect.badge { fill:#dbeafe; stroke:none; } svg.graph text.badge { font-size:10.5px; font-weight:600;
  fill:var(--accent); }
svg.graph .cluster rect, svg.graph .swatch.cluster rect { fill:#eef4ff; stroke:#93b4f0; stroke-width:1.2; }
svg.graph .cluster text { font-size:11.5px; font-weight:600; fill:#3b5ba9; }
svg.graph .cluster text.more { font-weight:400; font-style:italic; }
svg.graph .node.outlet rect, svg.graph .swatch.outlet rect { fill:#fef3c7; stroke:var(--outlet); stroke-dasharray:4 3; }
svg.graph .node.outlet text { fill:#78350f; }
svg.graph .edge path, svg.graph .swatch path { fill:none; }
svg.graph .edge path.hit { stroke:transparent; stroke-width:12; }
svg.graph .edge.quotes path:not(.hit), svg.graph .swatch.quotes path { stroke:var(--quote); stroke-width:2.4; }
svg.graph .edge.unknown path:not(.hit), svg.graph .swatch.unknown path
  { stroke:#6b7280; stroke-width:2; stroke-dasharray:7 5; }
svg.graph .edge.cites path:not(.hit), svg.graph .swatch.cites path
  { stroke:#b8bfc8; stroke-width:1.2; stroke-dasharray:2 3; }
svg.graph .edge:hover path:not(.hit) { stroke-width:3.5; }
svg.graph text.edge-label { font-size:11.5px; font-weight:600; paint-order:stroke; stroke:#fff;
  stroke-width:4px; stroke-linejoin:round; }
svg.graph text.edge-label.quotes { fill:var(--quote); } svg.graph text.edge-label.unknown { fill:#4b5563; }
svg.graph text.edge-label.cites { fill:#6b7280; font-weight:400; }
.caption { color:var(--muted); font-size:13px; margin:6px 0 0; }
.pair { display:grid; grid-template-columns:1fr 1fr; gap:14px; margin:10px 0; }
.pair figure { margin:0; border:1px solid var(--line); border-radius:8px; overflow:hidden; }
.pair figcaption { background:var(--bg); padding:6px 12px; font-size:13px; border-bottom:1px solid var(--line); }
.passage { padding:10px 14px; white-space:pre-wrap; font-size:14.5px; line-height:1.6; margin:0; }
ins { background:var(--ins); text-decoration:none; border-radius:2px; }
del { background:var(--del); text-decoration:line-through; text-decoration-color:#cf222e; border-radius:2px; }
.minor { text-decoration:underline dotted #8c959f; }
.reuse { border-left:4px solid var(--quote); padding:2px 0 2px 16px; margin:24px 0 32px; }
.reuse.unknown { border-left-color:#9ca3af; }
.evidence li { margin:2px 0; }
.gap-text { background:var(--del); padding:1px 3px; border-radius:3px; }
.keys { font-size:13px; color:var(--muted); }
@media (max-width:800px) { .pair { grid-template-columns:1fr; } }

/* evidence strength: each kind of edge is drawn its own way */
svg.graph .edge.attributed path:not(.hit), svg.graph .swatch.attributed path { stroke:var(--quote); stroke-width:2.6; }
svg.graph .edge.credited path:not(.hit), svg.graph .swatch.credited path { stroke:#7c3aed; stroke-width:2.2; }
svg.graph .edge.inferred path:not(.hit), svg.graph .swatch.inferred path
  { stroke:#b45309; stroke-width:1.6; stroke-dasharray:10 4 2 4; }
svg.graph marker.attributed path { fill:var(--quote); } svg.graph marker.credited path { fill:#7c3aed; }
svg.graph marker.inferred path { fill:#b45309; }
svg.graph marker.cites path { fill:none; stroke:#9ca3af; stroke-width:1.5; }
svg.graph text.edge-label.credited { fill:#7c3aed; }
svg.graph text.edge-label.inferred { fill:#b45309; font-weight:400; }
.tag.attributed { background:#ffedd5; color:var(--quote); } .tag.credited { background:#ede9fe; color:#6d28d9; }
.tag.inferred { background:#fef3c7; color:#92400e; } .tag.undirected, .tag.common { background:#e5e7eb; color:#374151; }
.tag.wire { background:#e0f2fe; color:#075985; } .tag.speaker { background:#fce7f3; color:#9d174d; }
.reuse.inferred { border-left-color:#d97706; } .reuse.credited { border-left-color:#7c3aed; }
nav.toc { margin:14px 0 0; font-size:14px; } nav.toc a { margin-right:14px; white-space:nowrap; }
.overview { display:grid; grid-template-columns:minmax(0,11fr) minmax(0,9fr); gap:24px; }
.overview h2 { margin-top:18px; font-size:18px; } .overview .caption { margin:0 0 4px; }
.overview table { font-size:13px; } .overview td, .overview th { padding:4px 7px; }
.cards.meta { grid-template-columns:repeat(3,auto); justify-content:start; gap:4px 18px; margin-top:6px; }
.cards.meta div { background:none; border:0; padding:0; } .cards.meta dt { display:inline; }
.cards.meta dt::after { content:": "; } .cards.meta dd { display:inline; font-size:13px; font-weight:500; }
.cards div { padding:4px 10px; } .cards dd { font-size:18px; } .cards dt { font-size:12px; white-space:nowrap; }
h1 { font-size:24px; } .sub { margin-bottom:12px; } main { padding-top:16px; }
details > summary { cursor:pointer; } details.group, details.source { margin:10px 0; }
details.group > summary, details.source > summary { font-weight:600; }
.source .passage { background:var(--bg); border-radius:6px; }
.more { color:var(--muted); font-size:13px; }
@media (max-width:1000px) { .overview { grid-template-columns:1fr; } }
"""
