"""The web app behind ``eula serve``: :func:`eula_parse.web.app.create_app` over a ClauseIndex.

Nothing else in the package imports this one, so the other commands never load
Starlette, Jinja2 or uvicorn.
"""
