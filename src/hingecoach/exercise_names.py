"""The exercises HingeCoach names, apart from the recognition that names them
(:mod:`hingecoach.assess.exercise`), so the command line can offer them without importing the
analysis (SciPy and the rest: ~0.7 CPU-s that `hinge analyze` spends while the pose runs)."""

#: Every exercise the recognition can name (the keys of ``[exercise.standard]``).
EXERCISES = ("deadlift", "romanian_deadlift", "kettlebell_deadlift", "kettlebell_swing", "good_morning",
             "kneeling_hinge", "wall_tap", "dowel_hinge", "band_hinge", "squat")
