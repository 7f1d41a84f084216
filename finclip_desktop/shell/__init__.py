"""The Qt host: containers per mini-app, the finclip:// scheme, the bridge, the launcher.

Import Qt-free pieces freely; Qt starts only through :func:`qtapp.application`.
"""
