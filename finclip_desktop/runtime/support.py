"""What the runtime supports: built-in components and view APIs (the compatibility table
reads this), and the argument schemas of the view APIs (checked in the logic worker)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from finclip_desktop.capabilities.schema import Arg, Schema

# name -> notes ("" = supported as documented; "partial: ..." = what is missing; "no: ...")
COMPONENTS: dict[str, str] = {
    "view": "hover-class", "block": "",
    "text": "user-select/selectable, space (ensp, emsp, nbsp), decode (&nbsp; &lt; &gt; &amp;"
            " &apos; &ensp; &emsp;, in written and bound text; without decode text shows as"
            " written)",
    "button": "types, sizes, plain, loading, disabled, form-type; open-type not meaningful",
    "input": "types, password, placeholder, maxlength, focus, input/focus/blur/confirm events",
    "textarea": "auto-height (from the first render), maxlength, events",
    "image": "modes scaleToFill, aspectFit, aspectFill, widthFix, heightFix and the nine crop"
             " modes; lazy-load (loads within three screens of the page's viewport);"
             " load/error events",
    "icon": "", "progress": "percent, show-info, colours, stroke-width",
    "rich-text": "nodes (array or HTML string), sanitised: no scripts/handlers/links",
    "checkbox": "", "checkbox-group": "", "radio": "", "radio-group": "", "switch": "",
    "slider": "", "form": "submit/reset with values", "label": "",
    "navigator": "navigate, redirect, switchTab, reLaunch, navigateBack",
    "picker": "partial: selector, multiSelector (columnchange), time, date (start/end), region:"
              " province/city/district columns (level, custom-item; detail.code the 6-digit"
              " division codes) from a built-in list: the 34 provincial-level divisions with 367"
              " second-level and 3,439 third-level entries (the National Bureau of Statistics'"
              " 2023 division codes, via the china-division package; Hong Kong, Macao and Taiwan"
              " by name, coded at province level only); no postcode, no sub-district level; the"
              " date picker's fields (year/month) is ignored",
    "scroll-view": "partial: x/y, scroll-top/left, scroll-into-view (either axis), upper/lower"
                   " events, refresher (wheel pull); no enhanced/bounces options, no"
                   " scroll-with-animation",
    "swiper": "partial: current, autoplay, interval, circular, dots, vertical, change; no easing",
    "swiper-item": "", "video": "partial: HTML5 video (src, controls, autoplay, loop, poster)",
    "audio": "partial: HTML5 audio",
    "canvas": "type=2d via SelectorQuery node(), legacy canvas-id + wx.createCanvasContext",
    "cover-view": "as view", "cover-image": "as image",
    "movable-area": "", "movable-view": "partial: x/y, direction, disabled, out-of-bounds,"
                                          " change; no inertia, damping or scale",
    "picker-view": "partial: value, change on scroll snap; no indicator/mask styles",
    "picker-view-column": "",
    "web-view": "partial: src (https; http://localhost only in developer mode when policy"
                " allows it), fills the page, bindload {src}, binderror"
                " {url, fullUrl} when refused; hosts must be on the app's domain lists; no"
                " bindmessage or JSSDK (wx.miniProgram.*); network errors of an allowed page"
                " show the engine's error page and fire bindload",
    "map": "no:", "camera": "no:", "editor": "no:",
}  # fmt: skip

BUILTIN_TAGS: frozenset[str] = frozenset(COMPONENTS) | {
    "page",
    "slot",
    "live-player",
    "live-pusher",
    "ad",
    "open-data",
    "official-account",
    "page-meta",
    "navigation-bar",
    "match-media",
    "root-portal",
    "page-container",
    "functional-page-navigator",
    "keyboard-accessory",
    "share-element",
}

# wx APIs of kind "view" that the runtime itself implements (others answer "not supported");
# their arguments are checked against VIEW_SCHEMAS below
VIEW_APIS: dict[str, str] = {
    "showToast": "", "hideToast": "", "showLoading": "", "hideLoading": "",
    "showModal": "editable included", "showActionSheet": "", "previewImage": "basic overlay",
    "setNavigationBarTitle": "kept per page",
    "setNavigationBarColor": "kept per page; no animation",
    "showNavigationBarLoading": "kept per page", "hideNavigationBarLoading": "",
    "setBackgroundColor": "kept per page", "setBackgroundTextStyle": "accepted, no effect",
    "startPullDownRefresh": "", "stopPullDownRefresh": "", "pageScrollTo": "",
    "setTabBarBadge": "", "removeTabBarBadge": "", "showTabBarRedDot": "",
    "hideTabBarRedDot": "", "setTabBarItem": "", "setTabBarStyle": "",
    "showTabBar": "", "hideTabBar": "",
    "navigateTo": "with events channel", "redirectTo": "", "navigateBack": "",
    "switchTab": "", "reLaunch": "",
    "nextTick": "", "createSelectorQuery": "boundingClientRect, scrollOffset, fields, in()",
    "createIntersectionObserver": "relativeTo (an ancestor), relativeToViewport, margins,"
                                  " thresholds",
    "canIUse": "APIs, arguments and values, declared result fields, components",
    "getCurrentPages": "", "getUpdateManager": "", "getLogManager": "",
    "getFileSystemManager": "",
    "createVideoContext": "play, pause, stop, seek, playbackRate, full screen",
    "createCanvasContext": "legacy drawing API recorded and replayed on draw()",
    "createInnerAudioContext": "src, autoplay, loop, volume, play/pause/stop/seek, events",
}  # fmt: skip

_S, _N, _B, _O, _A = Arg("String"), Arg("Number"), Arg("Boolean"), Arg("Object"), Arg("Array")
_TAB = {"index": Arg("Number", required=True, min=0)}
_URL = {"url": Arg("String", required=True)}

# argument schemas of view APIs, in the capability registry's format (capabilities/schema.py);
# the worker checks them before the view runs the call and fails with the same wording
VIEW_SCHEMAS: dict[str, Schema] = {
    "showToast": {"title": Arg("String", required=True),
                  "icon": Arg("String", enum=("success", "error", "loading", "none")),
                  "image": _S, "duration": Arg("Number", min=0), "mask": _B},
    "showLoading": {"title": Arg("String", required=True), "mask": _B},
    "showModal": {"title": _S, "content": _S, "showCancel": _B, "cancelText": _S,
                  "cancelColor": _S, "confirmText": _S, "confirmColor": _S, "editable": _B,
                  "placeholderText": _S},
    "showActionSheet": {"itemList": Arg("Array", required=True, max_len=6), "itemColor": _S,
                        "alertText": _S},
    "setNavigationBarTitle": {"title": Arg("String", required=True)},
    "setNavigationBarColor": {"frontColor": Arg("String", required=True,
                                                enum=("#ffffff", "#000000")),
                              "backgroundColor": Arg("String", required=True), "animation": _O},
    "setBackgroundColor": {"backgroundColor": _S, "backgroundColorTop": _S,
                           "backgroundColorBottom": _S},
    "setBackgroundTextStyle": {"textStyle": Arg("String", required=True, enum=("dark", "light"))},
    "pageScrollTo": {"scrollTop": _N, "duration": Arg("Number", min=0), "selector": _S,
                     "offsetTop": _N},
    "setTabBarBadge": {**_TAB, "text": Arg("String", required=True)},
    "removeTabBarBadge": _TAB, "showTabBarRedDot": _TAB, "hideTabBarRedDot": _TAB,
    "setTabBarItem": {**_TAB, "text": _S, "iconPath": _S, "selectedIconPath": _S},
    "setTabBarStyle": {"color": _S, "selectedColor": _S, "backgroundColor": _S,
                       "borderStyle": Arg("String", enum=("black", "white"))},
    "showTabBar": {"animation": _B}, "hideTabBar": {"animation": _B},
    "previewImage": {"urls": Arg("Array", required=True), "current": _S},
    "navigateTo": {**_URL, "events": _O}, "redirectTo": _URL, "switchTab": _URL,
    "reLaunch": _URL, "navigateBack": {"delta": _N},
}  # fmt: skip


def wire_schemas() -> dict[str, dict[str, dict[str, Any]]]:
    """VIEW_SCHEMAS as JSON for the worker: each Arg's fields that differ from the default."""
    default = asdict(Arg())
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for api, schema in VIEW_SCHEMAS.items():
        out[api] = {}
        for name, arg in schema.items():
            if arg.max_bytes is not None:
                raise ValueError(f"{api}.{name}: max_bytes is not checked by the runtime")
            fields = {k: v for k, v in asdict(arg).items() if v != default[k] or k == "type"}
            if "enum" in fields:
                fields["enum"] = list(fields["enum"])
            out[api][name] = fields
    return out
