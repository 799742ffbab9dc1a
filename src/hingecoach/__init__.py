"""HingeCoach: a movement coach for the hip hinge.

Data flows one way: sources -> PoseSequence -> kinematics -> reps -> assessment -> coaching ->
outputs. The public Python API is :func:`hingecoach.api.analyze_file` and
:func:`hingecoach.analysis.analyze`.
"""

__version__ = "0.1.0"
