"""UI, routing and page APIs the runtime implements inside the view (descriptors only)."""

from __future__ import annotations

from finclip_desktop.capabilities.registry import view

CAPABILITIES = view(
    # interaction
    "showToast", "hideToast", "showLoading", "hideLoading", "showModal", "showActionSheet",
    # navigation bar and background
    "setNavigationBarTitle", "setNavigationBarColor", "showNavigationBarLoading",
    "hideNavigationBarLoading", "setBackgroundColor", "setBackgroundTextStyle",
    # tab bar
    "setTabBarBadge", "removeTabBarBadge", "showTabBarRedDot", "hideTabBarRedDot",
    "setTabBarItem", "setTabBarStyle", "showTabBar", "hideTabBar",
    # page
    "startPullDownRefresh", "stopPullDownRefresh", "pageScrollTo",
    # routing
    "navigateTo", "redirectTo", "navigateBack", "switchTab", "reLaunch",
)  # fmt: skip
