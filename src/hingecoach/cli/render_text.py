"""Plain-text rendering of an analysis for the terminal."""

from __future__ import annotations

import math

from hingecoach.analysis import Analysis
from hingecoach.coaching import advice


def _fmt(v: float | None, nd: int = 0) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return f"{v:.{nd}f}"


def rep_table(result: Analysis) -> list[str]:
    per_rep = result.exercise.per_rep
    mixed = len({e for e in per_rep if e}) > 1  # a set that mixes exercises shows each rep's
    lines = [f"{'rep':>4} {'start':>6} {'bottom':>6} {'end':>6} {'depth':>6} {'knee':>5} "
             f"{'shin':>5} {'pattern':<7} {'score':>5}  " + ("exercise             " if mixed else "") + "faults"]
    for i, (rep, a) in enumerate(zip(result.reps, result.assessments, strict=True)):
        m = a.measures
        faults = ", ".join(f"{f.code}({f.severity[:3]})" for f in a.faults) or "-"
        tag = f"{rep.index}{'*' if rep.partial else ''}"
        lines.append(
            f"{tag:>4} {rep.start_s:6.2f} {rep.bottom_s:6.2f} {rep.end_s:6.2f} "
            f"{_fmt(rep.depth_hip_angle_deg):>5}° {_fmt(m.get('knee_flexion_bottom_deg')):>4}° "
            f"{_fmt(m.get('shin_angle_bottom_deg')):>4}° {a.seen_pattern or '-':<7} {_fmt(a.score):>5}  "
            + (f"{(per_rep[i] if i < len(per_rep) and per_rep[i] else '-'):<21}" if mixed else "") + faults)
    return lines


def explain_rep(result: Analysis, i: int) -> list[str]:
    rep, a = result.reps[i], result.assessments[i]
    seen = f"{a.pattern} (confidence {a.pattern_confidence:.2f})" if a.pattern_seen else \
        "pattern not seen from this camera"
    lines = [f"rep {rep.index}: {seen}, "
             f"frames {rep.start_frame}-{rep.end_frame}, bottom at {rep.bottom_s:.2f} s"]
    for f in a.faults:
        adv = advice(f.code)
        lines.append(f"  - {f.code} [{f.severity}]: {f.measure} = {f.value:.3g} "
                     f"(limit {f.threshold:g}), frames {f.frames[0]}-{f.frames[1]}; {adv['title']}")
    keys = ("hip_angle_bottom_deg", "knee_flexion_bottom_deg", "shin_angle_bottom_deg",
            "trunk_angle_bottom_deg", "hip_back_bottom_frac_leg", "hip_down_bottom_frac_leg",
            "hips_back_early_frac", "com_foot_bottom_frac", "back_bend_bottom_deg",
            "lockout_hip_angle_deg")
    lines.append("    " + "  ".join(f"{k}={_fmt(a.measures.get(k), 2)}" for k in keys))
    return lines


def exercise_line(result: Analysis) -> str:
    """The exercise, where the call came from, and the standard the reps were graded by."""
    ex = result.exercise
    if ex.name is None:
        return "exercise: not recognised (no completed rep)"
    how = {"given": "as given", "level": f"from the level {result.level}"}.get(
        ex.source, f"recognised, confidence {ex.confidence:.2f}")
    standard = (result.standard or "default").replace("_", " ")
    return f"exercise: {ex.name.replace('_', ' ')} ({how}); graded by the {standard} standard"


def tempo_line(result: Analysis) -> str | None:
    """The set's mean tempo, ascent speed and speed loss, with the velocity note when it applies."""
    t = result.summary.tempo
    if not t or t.get("ascent_s") is None:
        return None
    speed = t.get("ascent_speed_leg_per_s")
    metres = result.speed_m_per_s(speed)
    line = (f"tempo: down {_fmt(t.get('descent_s'), 1)} s, pause {_fmt(t.get('bottom_pause_s'), 1)} s, "
            f"up {_fmt(t.get('ascent_s'), 1)} s; hips rise at {_fmt(speed, 2)} leg lengths/s"
            + (f" ({metres:.2f} m/s)" if metres is not None else ""))
    if t.get("speed_loss_pct") is not None:
        line += f"; speed loss {t['speed_loss_pct']:.0f}%"
    if t.get("note"):
        line += f"\n  note: {t['note']}"
    return line


def print_analysis(result: Analysis, explain: bool = False) -> None:
    pose = result.pose
    s = result.summary
    print(f"{pose.source}: {pose.n_frames} frames, {pose.duration_s:.1f} s at {pose.fps:.1f} fps, "
          f"view {pose.view} (facing {pose.facing})")
    for w in result.warnings:
        print(f"warning: {w}")
    if result.reps:
        print()
        print("\n".join(rep_table(result)))
        if any(r.partial for r in result.reps):
            print("  * partial rep (did not return to standing): not counted")
    if explain:
        print()
        for i in range(len(result.reps)):
            print("\n".join(explain_rep(result, i)))
    print()
    score = "-" if s.score is None else f"{s.score:.0f}/100"
    print(f"reps: {s.reps}   pattern: {s.pattern or '-'}   set score: {score}   "
          f"reps free of major faults: {s.clean_reps}/{s.reps}")
    print(exercise_line(result))
    tempo = tempo_line(result)
    if tempo:
        print(tempo)
    for text in s.went_well:
        print(f"  + {text}")
    if s.fix_first:
        a = advice(s.fix_first)
        print(f"fix first: {a['title']}. {a['fix']}")
        print(f"  cue: \"{a['cue']}\"   drill: {a['drill']}")
