"""What the runtime supports: built-in components (the compatibility table reads this)."""

from __future__ import annotations

# name -> notes ("" = supported as documented; "partial: ..." = what is missing; "no: ...")
COMPONENTS: dict[str, str] = {
    "view": "", "text": "user-select/selectable, space; decode is implicit", "block": "",
    "button": "types, sizes, plain, loading, disabled, form-type; open-type not meaningful",
    "input": "types, password, placeholder, maxlength, focus, input/focus/blur/confirm events",
    "textarea": "auto-height, maxlength, events", "image": "all modes, load/error events",
    "icon": "", "progress": "percent, show-info, colours, stroke-width",
    "rich-text": "nodes (array or HTML string), sanitised: no scripts/handlers/links",
    "checkbox": "", "checkbox-group": "", "radio": "", "radio-group": "", "switch": "",
    "slider": "", "form": "submit/reset with values", "label": "",
    "navigator": "navigate, redirect, switchTab, reLaunch, navigateBack",
    "picker": "partial: selector, multiSelector, time, date; region returns its value",
    "scroll-view": "partial: x/y, scroll-top/left, scroll-into-view, upper/lower events,"
                   " refresher (wheel pull); no enhanced/bounces options",
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

# wx APIs of kind "view" that the runtime itself implements (others answer "not supported")
VIEW_APIS: dict[str, str] = {
    "showToast": "", "hideToast": "", "showLoading": "", "hideLoading": "",
    "showModal": "editable included", "showActionSheet": "", "previewImage": "basic overlay",
    "setNavigationBarTitle": "", "setNavigationBarColor": "",
    "showNavigationBarLoading": "", "hideNavigationBarLoading": "",
    "setBackgroundColor": "", "setBackgroundTextStyle": "accepted, no effect",
    "startPullDownRefresh": "", "stopPullDownRefresh": "", "pageScrollTo": "",
    "setTabBarBadge": "", "removeTabBarBadge": "", "showTabBarRedDot": "",
    "hideTabBarRedDot": "", "setTabBarItem": "", "setTabBarStyle": "",
    "showTabBar": "", "hideTabBar": "",
    "navigateTo": "with events channel", "redirectTo": "", "navigateBack": "",
    "switchTab": "", "reLaunch": "",
    "nextTick": "", "createSelectorQuery": "boundingClientRect, scrollOffset, fields, in()",
    "createIntersectionObserver": "relativeToViewport, thresholds", "canIUse": "API names",
    "getCurrentPages": "", "getUpdateManager": "", "getLogManager": "",
    "getFileSystemManager": "",
    "createVideoContext": "play, pause, stop, seek, playbackRate, full screen",
    "createCanvasContext": "legacy drawing API recorded and replayed on draw()",
    "createInnerAudioContext": "src, autoplay, loop, volume, play/pause/stop/seek, events",
}  # fmt: skip
