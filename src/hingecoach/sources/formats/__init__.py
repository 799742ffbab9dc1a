"""Keypoint files written by other tools, mapped onto BlazePose-33: one module per format.

* :mod:`~hingecoach.sources.formats.coco`: COCO-17 keypoint JSON (results or dataset),
* :mod:`~hingecoach.sources.formats.openpose`: OpenPose JSON (a file or a folder of frames),
* :mod:`~hingecoach.sources.formats.trc`: Sports2D/Pose2Sim/OpenSim ``.trc`` markers,
* :mod:`~hingecoach.sources.formats.mediapipe`: MediaPipe-style CSV and JSON,

with the helpers they share in :mod:`~hingecoach.sources.formats.common`. Each registers its
loader(s) with :func:`hingecoach.sources.registry.register_loader`; JSON flavours share
``.json`` and are told apart by their ``sniff``.

Where a file holds several people in a frame, the loader keeps one (the highest score, else
the largest) and says so in ``meta``. Options every loader accepts: ``fps`` (frames per
second, overrides the file's) and ``image_size`` ((width, height) in pixels). Defaults used
in place of missing facts are written to ``history``.

Importing this package registers every format, in this order (the order sniffs run in among
loaders of equal priority), whichever format module is imported first.
"""

from hingecoach.sources.formats import coco, openpose, trc, mediapipe  # noqa: I001 (registration order)

__all__ = ["coco", "mediapipe", "openpose", "trc"]
