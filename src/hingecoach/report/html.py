"""The HTML report: one self-contained file (images embedded as base64, no scripts, no
network), readable on a phone. Sections: summary, rep-by-rep table, angle curves, hip path,
key frames of the best and worst rep with the overlay, and each fault in plain words with the
guide's fix. Every string that comes from outside (file names, fault codes) is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach import __version__, atomic
from hingecoach.analysis import Analysis
from hingecoach.assess.specs import fault_specs
from hingecoach.coaching import advice, issues_of
from hingecoach.config import section
from hingecoach.report import plots
from hingecoach.report.html_parts import data_uri, fmt, img, pill, title_of
from hingecoach.report.key_frames import bottom_frames, gallery_html, key_frames_html

_CSS = """
:root { --ink:#1d2433; --muted:#5b6475; --line:#e3e6ec; --bg:#f6f7f9; --card:#fff;
        --hinge:#2e9e5b; --squat:#d9822b; --stoop:#c23b3b; --minor:#b7791f; --major:#c53030; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); line-height:1.45;
       font:16px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width:880px; margin:0 auto; padding:14px; }
header h1 { font-size:1.5rem; margin:.2rem 0; }
header p { margin:.1rem 0; color:var(--muted); font-size:.9rem; word-break:break-all; }
section { background:var(--card); border:1px solid var(--line); border-radius:12px;
          padding:14px 16px; margin:14px 0; }
h2 { font-size:1.15rem; margin:.1rem 0 .6rem; }
h3 { font-size:1rem; margin:.2rem 0 .3rem; }
.stats { display:grid; grid-template-columns:repeat(auto-fit, minmax(120px, 1fr)); gap:10px; }
.stat { background:var(--bg); border-radius:10px; padding:10px; text-align:center; }
.stat b { display:block; font-size:1.7rem; line-height:1.2; }
.stat span { color:var(--muted); font-size:.85rem; }
.fix { border-left:5px solid var(--major); background:#fff6f5; padding:10px 12px;
       border-radius:8px; margin-top:12px; }
.fix.ok { border-color:var(--hinge); background:#f2fbf5; }
.cue { font-weight:600; }
ul.well { margin:.5rem 0 0; padding-left:1.2rem; }
.warn { background:#fff8e6; border:1px solid #f2d48a; border-radius:8px; padding:8px 10px; margin:8px 0 0; }
.scroll { overflow-x:auto; -webkit-overflow-scrolling:touch; }
table { border-collapse:collapse; width:100%; font-size:.9rem; }
th, td { padding:6px 8px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
th { background:var(--bg); font-weight:600; }
td.l, th.l { text-align:left; white-space:normal; min-width:9rem; }
tr.partial td { color:var(--muted); font-style:italic; }
.pill { display:inline-block; padding:1px 8px; border-radius:999px; color:#fff; font-size:.8rem; }
.pill.hinge { background:var(--hinge); } .pill.squat { background:var(--squat); }
.pill.stoop { background:var(--stoop); }
.stat span.pill { color:#fff; font-size:1.1rem; padding:2px 12px; margin:6px 0 4px; }
.sev { display:inline-block; padding:0 6px; border-radius:6px; font-size:.78rem; margin:1px 2px; white-space:nowrap;
       border:1px solid currentColor; }
.sev.minor { color:var(--minor); } .sev.major { color:var(--major); }
img { max-width:100%; height:auto; display:block; margin:0 auto; border-radius:6px; }
.wide { overflow-x:auto; -webkit-overflow-scrolling:touch; }
.wide img { min-width:560px; }
figure { margin:0; } figcaption { color:var(--muted); font-size:.85rem; margin-top:6px; }
.frames { display:grid; grid-template-columns:repeat(auto-fit, minmax(240px, 1fr)); gap:12px; }
.gallery { display:flex; gap:10px; overflow-x:auto; -webkit-overflow-scrolling:touch; padding-bottom:6px; }
.rep-card { flex:0 0 auto; width:150px; }
.rep-card img.thumb { width:150px; height:200px; object-fit:contain; background:#222; }
.rep-card figcaption { white-space:normal; }
.ghost-words { color:var(--ink); }
.fault { border-top:1px solid var(--line); padding:10px 0 4px; }
.fault:first-of-type { border-top:0; }
.fault p { margin:.25rem 0; }
.muted { color:var(--muted); font-size:.85rem; }
footer { color:var(--muted); font-size:.8rem; text-align:center; margin:18px 0 30px; }
"""


# -- pieces -------------------------------------------------------------------------------------
def source_name(analysis: Analysis) -> str:
    return Path(analysis.pose.source).name if analysis.pose.source else "(unnamed input)"


def default_video(analysis: Analysis) -> Path | None:
    """The analysed video when the input was one that still exists (else key frames are drawn
    on a blank canvas)."""
    from hingecoach.sources.suffixes import is_video

    src = Path(analysis.pose.source) if analysis.pose.source else None
    if src and is_video(src) and src.is_file():
        return src
    return None


# -- sections -----------------------------------------------------------------------------------
def header_html(analysis: Analysis) -> str:
    pose = analysis.pose
    facts = [f"{pose.duration_s:.1f} s", f"{pose.fps:.0f} fps", f"{pose.image_size[0]}×{pose.image_size[1]}",
             f"view: {pose.view}", f"facing: {pose.facing}"]
    if analysis.level:
        facts.append(f"level: {analysis.level.replace('_', ' ')}")
    ex = analysis.exercise
    if ex.name:
        how = "recognised" if ex.source == "recognised" else ("as given" if ex.source == "given" else "from the level")
        sure = f", confidence {ex.confidence:.2f}" if ex.source == "recognised" else ""
        facts.append(f"exercise: {ex.name.replace('_', ' ')} ({how}{sure})")
    facts.append(f"graded by the {(analysis.standard or 'default').replace('_', ' ')} standard")
    return (f"<header><h1>Your hip hinge</h1><p>{escape(source_name(analysis))}</p>"
            f"<p>{escape(' · '.join(facts))} · {datetime.now():%Y-%m-%d %H:%M}</p></header>")


def summary_html(analysis: Analysis) -> str:
    s = analysis.summary
    score = "–" if s.score is None else f"{s.score:.0f}"
    stats = [(str(s.reps), "reps counted"), (pill(s.pattern), "pattern"), (score, "score / 100"),
             (f"{s.clean_reps}/{s.reps}", "reps free of major faults")]
    cards = "".join(f'<div class="stat"><b>{v}</b><span>{escape(k)}</span></div>' for v, k in stats)
    parts = [f'<section id="summary"><h2>Summary</h2><div class="stats">{cards}</div>']
    if s.partial_reps:
        parts.append(f'<p class="muted">{s.partial_reps} partial rep(s) did not return to standing '
                     "and are not counted.</p>")
    if s.fix_first:
        a = advice(s.fix_first)
        parts.append(
            f'<div class="fix"><h3>Fix this first: {escape(a["title"])}</h3>'
            f"<p>{escape(a['fix'])}</p><p class=\"cue\">Cue: “{escape(a['cue'])}”</p>"
            f"<p><b>Drill:</b> {escape(a['drill'])}</p></div>")
    elif s.reps:
        parts.append('<div class="fix ok"><h3>Nothing to fix: clean hinges.</h3>'
                     "<p>Keep the same form and add reps, or move up a level.</p></div>")
    tempo = s.tempo or {}
    if tempo.get("ascent_s") is not None:
        speed = tempo.get("ascent_speed_leg_per_s")
        metres = analysis.speed_m_per_s(speed)
        loss = tempo.get("speed_loss_pct")
        parts.append(f'<p id="tempo"><b>Tempo:</b> down {fmt(tempo.get("descent_s"), 1)} s, pause '
                     f'{fmt(tempo.get("bottom_pause_s"), 1)} s, up {fmt(tempo.get("ascent_s"), 1)} s; the hips rise at '
                     f'{fmt(speed, 2)} leg lengths/s' + (f" ({metres:.2f} m/s)" if metres is not None else "")
                     + (f"; speed loss {loss:.0f}%" if loss is not None else "") + "</p>")
        if tempo.get("note"):
            parts.append(f'<p class="muted">{escape(tempo["note"])}</p>')
    if s.went_well:
        items = "".join(f"<li>{escape(t)}</li>" for t in s.went_well)
        parts.append(f'<h3 style="margin-top:12px">What went well</h3><ul class="well">{items}</ul>')
    for w in analysis.warnings:
        parts.append(f'<p class="warn">{escape(w)}</p>')
    parts.append("</section>")
    return "".join(parts)


def _fault_chips(a) -> str:
    chips = [f'<span class="sev {escape(f.severity)}" title="{escape(title_of(f.code))} ({escape(f.severity)})">'
             f"{escape(f.code.replace('_', ' '))}</span>" for f in a.faults]
    return "".join(chips) or "–"


def rep_table_html(analysis: Analysis) -> str:
    head = ("<tr><th>Rep</th><th>Time (s)</th><th>Hip at bottom</th><th>Knee bend</th><th>Shin</th>"
            "<th>Hips back</th><th>Pattern</th><th>Score</th><th class=\"l\">Faults</th></tr>")
    rows = []
    for rep, a in zip(analysis.reps, analysis.assessments, strict=True):
        m = a.measures
        cls = ' class="partial"' if rep.partial else ""
        tag = f"{rep.index}{' (partial)' if rep.partial else ''}"
        rows.append(
            f"<tr{cls}><td>{tag}</td><td>{rep.start_s:.1f}–{rep.end_s:.1f}</td>"
            f"<td>{fmt(rep.depth_hip_angle_deg, 0, '°')}</td>"
            f"<td>{fmt(m.get('knee_flexion_bottom_deg'), 0, '°')}</td>"
            f"<td>{fmt(m.get('shin_angle_bottom_deg'), 0, '°')}</td>"
            f"<td>{fmt(m.get('hip_back_bottom_frac_leg'), 2)}</td>"
            f"<td>{pill(a.seen_pattern)}</td><td>{fmt(a.score)}</td><td class=\"l\">{_fault_chips(a)}</td></tr>")
    if not rows:
        rows.append('<tr><td colspan="9" class="l">No repetition found.</td></tr>')
    return (f'<section id="reps"><h2>Rep by rep</h2><div class="scroll"><table id="rep-table">'
            f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></div>"
            '<p class="muted">Hip at bottom: 180° is standing tall. Knee bend: degrees of knee '
            f"flexion at the bottom ({_knee_legend(analysis)}). Shin: degrees from vertical. "
            "Hips back: how far the hips travelled back, in leg lengths. Faults: yellow minor, red major "
            "(explained below).</p></section>")


def _knee_legend(analysis: Analysis) -> str:
    """What the knee bend should be at this exercise's standard, as the grading reads it."""
    spec = fault_specs(analysis.standard).get("knees_too_bent")
    if spec is None or not spec.in_standard:
        return "not graded at this exercise"
    if spec.patterns is not None and "hinge" not in spec.patterns:
        return "a lift from the floor bends the knees to reach the load; only a squat is too much"
    limit = next((s.minor for s in spec.signals if s.measure == "knee_flexion_bottom_deg"), None)
    return ("a hinge keeps the knees soft" + (f", under {limit:.0f}°" if limit is not None else ""))


def checklist_html(analysis: Analysis) -> str:
    """Every check of the exercise's standard: named, passed or not checked, with the reason."""
    checks = analysis.summary.checks
    if not checks:
        return ""
    mark = {"named": ("✗", "named"), "passed": ("✓", "passed"), "not checked": ("–", "not checked")}
    rows = []
    for c in checks:
        sym, label = mark[c["status"]]
        detail = c["reason"] or (f"on {c['reps_named']} of {analysis.rep_count} reps" if c["reps_named"] else "")
        rows.append(f'<tr class="check {escape(c["status"].replace(" ", "-"))}"><td>{sym}</td>'
                    f'<td class="l">{escape(c["title"])}</td><td>{escape(label)}</td>'
                    f'<td class="l muted">{escape(detail)}</td></tr>')
    return ('<section id="checklist"><h2>What was checked</h2><div class="scroll"><table id="check-table">'
            "<thead><tr><th></th><th class=\"l\">Check</th><th>Result</th><th class=\"l\">Detail</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
            '<p class="muted">A check is named only on strong evidence (a third of the reps, or a clear '
            "major reading). Not checked: what this camera view, the hands' position or this exercise's "
            "standard does not let the coach judge.</p></section>")


def curves_html(analysis: Analysis) -> str:
    axes = plots.plot_angle_curves(analysis.kinematics, analysis.reps, analysis.assessments,
                                   level=analysis.standard)
    uri = data_uri(plots.figure_png(axes[0].figure), "image/png")
    return ('<section id="curves"><h2>Angles over time</h2>'
            f"<figure><div class=\"wide\">{img(uri, 'Hip, knee, shin and trunk angles over time', 'angle-curves')}</div>"
            "<figcaption>Each shaded span is a rep (green: hinge, orange: squat, red: stoop), numbered "
            "at the top; dots mark the bottom. Yellow and red bands are where a fault's limit is "
            "passed. On a phone, swipe the plot sideways.</figcaption></figure></section>")


def path_html(analysis: Analysis) -> str:
    ax = plots.plot_hip_path(analysis.kinematics, analysis.reps, analysis.assessments, level=analysis.standard)
    uri = data_uri(plots.figure_png(ax.figure), "image/png")
    return ('<section id="hip-path"><h2>Hips back or hips down?</h2>'
            f"<figure>{img(uri, 'Path of the hips in each rep', 'hip-path-plot')}"
            "<figcaption>The path of your hips in each rep, from standing. A hinge sends the hips "
            "back (to the right); a squat sends them down. Numbers mark each rep's bottom."
            "</figcaption></figure></section>")


#: Exercises whose hands carry the load but float it forward by design: their path is drawn
#: without a limit (the check is off for them). The drills and the good morning hold nothing in
#: the hands below the shoulders: no path is drawn.
LOAD_PATH_WITHOUT_LIMIT = ("kettlebell_swing",)


def foot_length_cm(analysis: Analysis) -> float | None:
    """The heel-to-toe length in cm, from the person's height (the leg's share of it, as the
    speeds in m/s take it); None without the height."""
    kin = analysis.kinematics
    if not analysis.height_cm or not kin.leg_length > 0 or not analysis.reps:
        return None
    foot = float(np.nanmedian([plots.hands_path(kin, r)[2] for r in analysis.reps]))
    return foot / kin.leg_length * section("tempo")["leg_length_frac_height"] * analysis.height_cm


def load_path_html(analysis: Analysis) -> str:
    """The load's path (the hands') against the mid-foot per rep, from the side, with the
    load_far_from_body limits where the analysis's standard checks it; "" for other exercises
    and views (foot lengths are foreshortened from an angle)."""
    limits = plots.load_limits(analysis.standard)
    if analysis.pose.view != "side" or not (limits or analysis.exercise.name in LOAD_PATH_WITHOUT_LIMIT):
        return ""
    ax = plots.plot_load_path(analysis.kinematics, analysis.reps, analysis.assessments,
                              limits=limits, cm_per_foot=foot_length_cm(analysis))
    uri = data_uri(plots.figure_png(ax.figure), "image/png")
    limit_words = ("Dashed lines: how far ahead the hands may sit from the bottom through the first half of "
                   "the way up (yellow: a minor fault, red: a major one); a rep drawn in yellow or red passed "
                   "one." if limits else "A swing floats the bell forward by design: no limit is drawn.")
    return ('<section id="load-path"><h2>Where the weight travels</h2>'
            f"<figure>{img(uri, 'Path of the hands in each rep against the mid-foot', 'load-path-plot')}"
            "<figcaption>The path of your hands (and the weight in them) in each rep, seen from the side; "
            "numbers mark each rep's bottom. Keep the weight close: it should ride over the middle of "
            f"your foot, dragged along your legs. {limit_words}</figcaption></figure></section>")


_MEASURE_WORDS = {
    "back_bend_bottom_deg": ("back outline bend at the bottom", "°"),
    "shoulder_drop_bottom_frac_torso": ("upper back out of line (fraction of torso)", ""),
    "hips_back_early_frac": ("share of the hip travel done when the trunk was half-way down", ""),
    "knee_flexion_bottom_deg": ("knee bend at the bottom", "°"),
    "knee_to_hip_flexion_ratio": ("knee bend per degree of hip bend", ""),
    "shin_angle_bottom_deg": ("shin angle at the bottom", "°"),
    "depth_hip_angle_deg": ("hip angle at the bottom", "°"),
    "com_foot_bottom_frac": ("weight along the foot (0 heel, 1 toe)", ""),
    "heel_lift_frac_foot": ("heel lift (fraction of foot length)", ""),
    "hip_forward_shift_bottom_frac_leg": ("hips sliding forward at the bottom (leg lengths)", ""),
    "lockout_hip_angle_deg": ("hip angle at the top", "°"),
    "lockout_trunk_angle_deg": ("trunk angle at the top", "°"),
    "upright_shortfall_deg": ("trunk short of your upright line at the top", "°"),
    "lean_back_lockout_deg": ("trunk behind your upright line at the top", "°"),
    "com_foot_lockout_vs_setup_frac": ("weight forward of your set-up stance, standing (foot lengths)", ""),
    "com_foot_bottom_vs_setup_frac": ("weight forward of your set-up stance, at the bottom (foot lengths)", ""),
    "lockout_hip_short_of_setup_deg": ("hip angle at the top, short of your own standing", "°"),
    "hip_hold_frac_rep": ("share of the rep with the hips already at full bend", ""),
    "knee_soft_bend_deg": ("knee bend over the rep (mean of start, bottom, deepest)", "°"),
    "knee_flexion_start_deg": ("knee bend when standing", "°"),
    "stance_width_ratio": ("ankle spacing / shoulder width", ""),
}


def _issue_reps(analysis: Analysis) -> dict[str, list[int]]:
    """Issue code -> indices of the reps (completed first) showing it, in coaching order."""
    out: dict[str, list[int]] = {}
    for i, (rep, a) in enumerate(zip(analysis.reps, analysis.assessments, strict=True)):
        if rep.partial:
            continue
        for code, _ in issues_of(a):
            out.setdefault(code, []).append(i)
    return out


def _evidence(analysis: Analysis, code: str, reps: Iterable[int]) -> str:
    """'knee bend at the bottom: typically 82° (limit 45°)' from the reps' faults."""
    hits = [f for i in reps for f in analysis.assessments[i].faults if f.code == code]
    if not hits:
        return ""
    measure, set_median, _ = hits[0].measure.partition(" (set median)")
    words, unit = _MEASURE_WORDS.get(measure, (measure.replace("_", " "), ""))
    if set_median:
        words += ", set median"
    values = [f.value for f in hits if f.measure == hits[0].measure]
    nd = 0 if unit else 2
    limit_nd = nd if float(hits[0].threshold).is_integer() or not unit else 1  # 2.5°, not 2°
    return (f"Measured: {escape(words)} typically {fmt(float(np.median(values)), nd, unit)} "
            f"(limit {fmt(hits[0].threshold, limit_nd, unit)}).")


def faults_html(analysis: Analysis) -> str:
    issues = _issue_reps(analysis)
    n = analysis.rep_count
    if not issues:
        return ""
    specs = fault_specs(analysis.standard)
    order = sorted(issues, key=lambda c: (c != analysis.summary.fix_first, -len(issues[c])))
    items = []
    for code in order:
        a = advice(code)
        idx = issues[code]
        rep_list = ", ".join(str(analysis.reps[i].index) for i in idx)
        guide = specs[code].guide if code in specs else ("The guide: a hinge sends the hips back, not down"
                                                         if code.startswith("pattern:") else "")
        items.append(
            f'<div class="fault" id="fault-{escape(code.replace(":", "-"))}"><h3>{escape(a["title"])}</h3>'
            f'<p class="muted">Seen in {len(idx)} of {n} reps (rep {escape(rep_list)}).'
            f"{' ' + escape(guide) + '.' if guide else ''}</p>"
            f"<p>{escape(a['why'])}</p><p><b>How to fix it:</b> {escape(a['fix'])}</p>"
            f"<p class=\"cue\">Cue: “{escape(a['cue'])}”</p><p><b>Drill:</b> {escape(a['drill'])}</p>"
            f"<p class=\"muted\">{_evidence(analysis, code, idx)}</p></div>")
    return f'<section id="faults"><h2>What to work on</h2>{"".join(items)}</section>'


# -- the document -------------------------------------------------------------------------------
def report_html(analysis: Analysis, video_path: Path | str | None = "auto", ghost: bool = True,
                height_cm: float | None = None, usual_depth_hip_angle_deg: float | None = None) -> str:
    """The whole report as one HTML string. ``video_path`` gives the key frames their picture:
    "auto" (default) uses the analysed video when the input was one and it still exists;
    None draws them on a blank canvas. ``ghost``: the ghost beside every rep's bottom (its
    options: :func:`hingecoach.report.ghost.overlay_with_ghost`)."""
    from hingecoach.report.ghost import overlay_with_ghost

    video = default_video(analysis) if video_path == "auto" else (Path(video_path) if video_path else None)
    body = [header_html(analysis), summary_html(analysis), checklist_html(analysis), rep_table_html(analysis)]
    if analysis.kinematics.n_frames > 1:
        body += [curves_html(analysis), path_html(analysis) if analysis.reps else "",
                 load_path_html(analysis) if analysis.reps else ""]
    if analysis.reps:
        plan, g = overlay_with_ghost(analysis, ghost, height_cm, usual_depth_hip_angle_deg)
        images = bottom_frames(analysis, plan, video, [r.bottom_frame for r in analysis.reps])
        body += [gallery_html(analysis, plan, g, images), key_frames_html(analysis, video, plan, g, images)]
    body += [faults_html(analysis)]
    title = f"HingeCoach report: {source_name(analysis)}"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>"
            + "".join(body)
            + f"<footer>HingeCoach {escape(__version__)} · this report is a coaching aid, not "
              "medical advice.</footer></main></body></html>\n")


def write_report(analysis: Analysis, path: Path | str, video_path: Path | str | None = "auto",
                 **ghost_options: Any) -> Path:
    """Write the report to ``path`` (atomically: a temporary file, then a rename);
    ``ghost_options``: ``ghost``, ``height_cm``, ``usual_depth_hip_angle_deg`` (:func:`report_html`)."""
    from hingecoach.errors import HingeInputError

    path = Path(path)
    if path.is_dir():
        raise HingeInputError(f"Cannot write {path}: it is a folder.", "Give a file name, e.g. report.html.")
    if not path.parent.is_dir():
        raise HingeInputError(f"Cannot write {path}: the folder {path.parent} does not exist.",
                              "Create the folder or choose another output path.")
    text = report_html(analysis, video_path, **ghost_options)
    return atomic.write_text(path, text)
