"""`hinge serve`: the local web app (live coaching, upload, today and history)."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("serve", help="start the local web app",
                       description="Serve the web app on this machine (http://127.0.0.1:8765 by default). "
                                   "Listening on another address needs a token.")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--token", help="require this token on every request ('auto' makes one); needed with --host")
    p.add_argument("--data-dir", type=Path, help="where uploads and their reports are kept")
    p.add_argument("--person", default="me", help="whose training log the pages show (default: me)")
    p.set_defaults(func=run)


def run(args) -> int:
    import uvicorn

    from hingecoach.errors import HingeInputError
    from hingecoach.web import security
    from hingecoach.web.server import Settings, create_app, default_data_dir

    token = security.new_token() if args.token == "auto" else args.token
    security.check_serve_options(args.host, token)
    if not 1 <= args.port <= 65535:
        raise HingeInputError(f"Expected a port between 1 and 65535, but got {args.port}.", "For example: --port 8765.")
    settings = Settings(token=token, data_dir=args.data_dir or default_data_dir(), person=args.person)
    app = create_app(settings)
    shown = "localhost" if security.is_loopback(args.host) else args.host
    url = f"http://{shown}:{args.port}/" + (f"?token={token}" if token else "")
    print(f"HingeCoach is running at {url}  (Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", ws_max_size=64 * 1024)
    return 0
