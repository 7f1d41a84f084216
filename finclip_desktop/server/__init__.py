"""The FinClip management server (optional extra ``[server]``).

Registry of orgs, users, developer keys, apps and versions; the review and release
lifecycle with audit; TUF-shaped signed distribution metadata; device API (metadata,
packages with ETag/Range/delta, stats, login codes); a server-rendered dashboard.
Entry point: :func:`finclip_desktop.server.app.create_app`.
"""
