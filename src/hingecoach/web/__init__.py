"""The local web app: live coaching in the browser, video upload, today's plan and history.

The browser runs the pose model (npm ``@mediapipe/pose``, served from ``static/vendor`` after
``build.sh``) and streams landmarks over a WebSocket; the server runs the same Python engine as
the CLI (:mod:`hingecoach.live`). ``create_app`` lives in :mod:`hingecoach.web.server`.
"""
