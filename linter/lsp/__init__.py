"""The language server (`mldeploy-lint lsp`): the only place pygls is imported."""

from __future__ import annotations

__all__ = ["serve"]


def serve(tcp: tuple[str, int] | None = None) -> None:
    """Run the language server on standard input and output, or on `tcp` (host, port), until the client exits."""
    from linter.lsp.server import create_server

    server = create_server()
    if tcp is None:
        server.start_io()
    else:
        server.start_tcp(*tcp)
