"""Every feature issue 4 names, with the tests that prove it (read by scripts/gen_compat.py,
which runs these tests and writes docs/compatibility.md; tests/conformance/test_features.py
keeps the references real).

CHECKLIST rows: (section, feature, tests, note). ``tests`` are pytest node ids; a row without
one is "yes (untested)". ``note``: "" (as documented), "partial: <what is missing>" or
"no: <why>". COMPONENT_TESTS: built-in component -> the tests that exercise it (its notes
are in finclip_desktop/runtime/support.py).
"""

from __future__ import annotations

L, V, P, W, F, C, WEB = (
    f"tests/conformance/test_{name}.py::"
    for name in ("logic", "view", "pages", "widgets", "fields", "conventions", "web_view")
)
CC = "tests/runtime/test_compiler.py::"
FW = "tests/runtime/test_framework.py::"
EX = "tests/runtime/test_examples_and_edges.py::"
PACK = "tests/package/test_cli.py::"
MS = "tests/runtime/test_modules_in_shell.py::"
JC = "tests/runtime/test_jscheck.py::"
BLD = "tests/runtime/test_build.py::"
WK = "tests/runtime/test_worker.py::"

CHECKLIST: list[tuple[str, str, list[str], str]] = [
    # ---------------------------------------------------------------- compiler: WXML
    (
        "WXML",
        "{{ }} bindings in text and attributes",
        [
            CC + "test_text_and_attribute_bindings",
            CC + "test_single_binding_keeps_its_type",
            L + "test_set_data_paths_and_sync_data",
        ],
        "",
    ),
    (
        "WXML",
        "expressions parsed into a safe subset (literals, paths, member/index access, "
        "arithmetic, comparison, logic, ternary, object/array literals and spread, WXS calls), "
        "never eval'd",
        [
            CC + "test_expressions_compile_to_safe_js",
            CC + "test_names_never_reach_globals",
            CC + "test_framework_uses_no_eval",
        ],
        "",
    ),
    (
        "WXML",
        "template expressions cannot change logic data (mutating calls run on copies)",
        [C + "test_template_calls_cannot_change_logic_data"],
        "",
    ),
    (
        "WXML",
        "wx:if / wx:elif / wx:else",
        [CC + "test_if_elif_else_chain", L + "test_conditionals_and_hidden"],
        "",
    ),
    ("WXML", "hidden", [L + "test_conditionals_and_hidden"], ""),
    (
        "WXML",
        "wx:for with wx:for-item, wx:for-index, wx:key (including *this)",
        [
            CC + "test_for_with_item_index_and_key",
            L + "test_list_rendering",
            FW + "test_keyed_list_reuses_nodes",
        ],
        "",
    ),
    (
        "WXML",
        "block",
        [CC + "test_block_renders_only_children", L + "test_conditionals_and_hidden"],
        "",
    ),
    ("WXML", "template name / is / data (dynamic is)", [L + "test_templates_import_include"], ""),
    (
        "WXML",
        "import src / include src with scoping rules (import is not transitive)",
        [CC + "test_templates_import_include", L + "test_templates_import_include"],
        "",
    ),
    (
        "WXML",
        "events bind*, catch*, capture-bind*, capture-catch*, mut-bind*, bind:tap forms",
        [CC + "test_events_all_forms", L + "test_events_bubbling_catch_capture_mut_dataset"],
        "",
    ),
    (
        "WXML",
        "data-* attributes -> dataset (data-a-b -> aB)",
        [L + "test_events_bubbling_catch_capture_mut_dataset"],
        "",
    ),
    (
        "WXML",
        "model:value two-way binding",
        [CC + "test_model_binding", L + "test_model_two_way_binding"],
        "partial: input/textarea value and other built-ins' change; not on custom components",
    ),
    (
        "WXML",
        "slot (default and named)",
        [CC + "test_slots_default_and_named", L + "test_components"],
        "",
    ),
    (
        "WXML",
        "wxs module src and inline wxs",
        [CC + "test_wxs_inline_and_src", L + "test_wxs_modules"],
        "",
    ),
    # ---------------------------------------------------------------- compiler: WXSS, WXS
    (
        "WXSS",
        "rpx (750 rpx = window width, WeChat's rounding)",
        [L + "test_wxss_rpx_page_and_import", FW + "test_rpx_uses_wechat_rounding"],
        "",
    ),
    ("WXSS", "rpx updated on resize", [P + "test_page_scroll_reach_bottom_resize_and_rpx"], ""),
    (
        "WXSS",
        "@import",
        [CC + "test_import_media_and_keyframes", L + "test_wxss_rpx_page_and_import"],
        "",
    ),
    (
        "WXSS",
        "page and app style layering",
        [CC + "test_page_styles_are_scoped_to_their_page", L + "test_wxss_rpx_page_and_import"],
        "",
    ),
    (
        "WXSS",
        "component style isolation (styleIsolation options)",
        [
            CC + "test_component_classes_are_prefixed",
            L + "test_components",
            EX + "test_apply_shared_style_isolation",
            MS + "test_component_styles_never_restyle_the_page_or_other_components",
            BLD + "test_component_style_isolation_from_json",
        ],
        "partial: isolated, apply-shared, shared (its stylesheet global only from the JSON), "
        "addGlobalClass; no page-* values; id and attribute selectors dropped in components",
    ),
    (
        "WXSS",
        "the page selector",
        [CC + "test_tags_and_page_selector", L + "test_wxss_rpx_page_and_import"],
        "",
    ),
    (
        "WXS",
        "WXS modules compiled with WeChat's restricted globals",
        [CC + "test_wxs_cannot_see_logic_layer_globals", L + "test_wxs_modules"],
        "partial: runs in the logic worker (strict mode, logic-layer globals hidden), "
        "not in the view",
    ),
    (
        "Errors",
        "compile errors name the file, line and column and what was expected",
        [
            CC + "test_expression_errors_name_line_and_column",
            CC + "test_wxml_errors_name_file_line_and_column",
            CC + "test_wxss_errors",
            CC + "test_compile_error_has_fields",
            EX + "test_syntax_error_in_app_js_is_reported_with_its_file",
        ],
        "",
    ),
    (
        "Errors",
        "finclip pack refuses an app that does not compile",
        [PACK + "test_pack_refuses_invalid_app"],
        "",
    ),
    # ---------------------------------------------------------------- framework
    (
        "App",
        "App() onLaunch / onShow, getApp(), globalData",
        [L + "test_app_and_page_lifecycle"],
        "",
    ),
    (
        "App",
        "App onHide / onShow when the window is hidden and shown",
        [P + "test_app_show_hide_on_host_events_and_unhandled_rejection"],
        "",
    ),
    ("App", "App onError", [EX + "test_handler_errors_reach_app_on_error"], ""),
    (
        "App",
        "App onPageNotFound (entry page)",
        [
            L + "test_component_as_page_and_page_not_found",
            EX + "test_unknown_entry_page_falls_back_and_reports",
        ],
        "",
    ),
    (
        "App",
        "App onUnhandledRejection",
        [P + "test_app_show_hide_on_host_events_and_unhandled_rejection"],
        "",
    ),
    (
        "Page",
        "Page() data, onLoad(query) / onShow / onReady / onHide / onUnload order",
        [
            L + "test_app_and_page_lifecycle",
            L + "test_routing_navigate_redirect_back_relaunch",
            FW + "test_lifecycle_order_and_routing",
        ],
        "",
    ),
    ("Page", "onPullDownRefresh", [V + "test_view_apis"], ""),
    (
        "Page",
        "onReachBottom (onReachBottomDistance), onPageScroll, onResize",
        [P + "test_page_scroll_reach_bottom_resize_and_rpx"],
        "",
    ),
    ("Page", "onTabItemTap", [P + "test_switch_tab_to_the_shown_tab_changes_nothing"], ""),
    (
        "Page",
        "this.route, this.options, getCurrentPages()",
        [P + "test_page_stack_limit_of_ten", L + "test_routing_navigate_redirect_back_relaunch"],
        "",
    ),
    (
        "Component",
        "properties (types, defaults, observers), data, methods",
        [L + "test_components", FW + "test_custom_component_properties_observers_slots_events"],
        "",
    ),
    (
        "Component",
        "lifetimes and pageLifetimes",
        [L + "test_components", FW + "test_custom_component_properties_observers_slots_events"],
        "partial: no moved lifetime",
    ),
    ("Component", "observers (fields, a.b, **)", [L + "test_components"], ""),
    (
        "Component",
        "behaviors / Behavior(), wx://form-field",
        [L + "test_components", L + "test_form_field_export_and_pure_data"],
        "",
    ),
    (
        "Component",
        "relations",
        [L + "test_component_relations"],
        "partial: parent/child and ancestor/descendant by path; no target (behaviour) matching",
    ),
    ("Component", "externalClasses", [L + "test_components"], ""),
    (
        "Component",
        "options: multipleSlots, styleIsolation, pureDataPattern",
        [L + "test_components", L + "test_form_field_export_and_pure_data"],
        "",
    ),
    ("Component", "triggerEvent with bubbles / composed", [L + "test_components"], ""),
    (
        "Component",
        "triggerEvent with capturePhase",
        [L + "test_capture_phase_select_all_components_and_query_in"],
        "",
    ),
    (
        "Component",
        "selectComponent / selectAllComponents, export(), selectOwnerComponent",
        [
            L + "test_components",
            L + "test_capture_phase_select_all_components_and_query_in",
            L + "test_form_field_export_and_pure_data",
        ],
        "",
    ),
    (
        "Component",
        "usingComponents in app / page / component JSON (relative and absolute paths)",
        [L + "test_components", EX + "test_examples_render"],
        "",
    ),
    (
        "Component",
        "Component() used as a page (onLoad once, properties from the query)",
        [L + "test_component_as_page_and_page_not_found"],
        "",
    ),
    (
        "setData",
        "setData(obj, cb) with path keys ('a.b[2].c')",
        [L + "test_set_data_paths_and_sync_data", FW + "test_set_data_path_keys_and_callback"],
        "",
    ),
    (
        "setData",
        "minimal diffs worker -> view, batched per frame; callback after the view applied them",
        [
            FW + "test_set_data_path_keys_and_callback",
            FW + "test_keyed_list_reuses_nodes",
            FW + "test_set_data_reaches_dom_with_big_list",
        ],
        "",
    ),
    (
        "setData",
        "this.data synchronous in the logic layer",
        [L + "test_set_data_paths_and_sync_data"],
        "",
    ),
    ("Routing", "page stack (limit 10)", [P + "test_page_stack_limit_of_ten"], ""),
    (
        "Routing",
        "navigateTo / redirectTo / navigateBack / reLaunch with query strings and the "
        "events channel",
        [L + "test_routing_navigate_redirect_back_relaunch"],
        "",
    ),
    (
        "Routing",
        "switchTab (the shown tab: no onHide / onShow)",
        [
            V + "test_tab_bar_and_apis",
            FW + "test_tab_bar_and_switch_tab",
            P + "test_switch_tab_to_the_shown_tab_changes_nothing",
        ],
        "",
    ),
    ("Routing", "navigator", [V + "test_icon_progress_text_navigator"], ""),
    (
        "Routing",
        "tabBar from app.json (text, icons, selected colours, position)",
        [V + "test_tab_bar_and_apis", P + "test_switch_tab_to_the_shown_tab_changes_nothing"],
        "partial: no custom tabBar (tabBar.custom)",
    ),
    (
        "Routing",
        "window config per app / page: navigation bar title and colours, background, "
        "enablePullDownRefresh, onReachBottomDistance, navigationStyle: custom",
        [
            FW + "test_lifecycle_order_and_routing",
            V + "test_tab_bar_and_apis",
            V + "test_view_apis",
            P + "test_page_scroll_reach_bottom_resize_and_rpx",
        ],
        "",
    ),
    (
        "Routing",
        "navigation bar changes (setNavigationBarTitle / Color) stay with their page",
        [P + "test_navigation_bar_changes_stay_with_their_page"],
        "",
    ),
    ("Routing", "page transitions", [], "partial: a short slide-in on navigateTo only"),
    (
        "Routing",
        "entry page from the host's launch options (path, query)",
        [L + "test_launch_options_choose_the_entry_page"],
        "",
    ),
    (
        "Routing",
        "subpackages, loaded on first navigation into them",
        [L + "test_subpackages_load_on_first_navigation"],
        "",
    ),
    (
        "Routing",
        "preloadRule",
        [P + "test_preload_rule_loads_the_subpackage_when_its_page_shows"],
        "",
    ),
    (
        "Modules",
        "require() / module.exports / exports for the app's own modules (relative paths)",
        [L + "test_subpackages_load_on_first_navigation", L + "test_wxs_modules"],
        "",
    ),
    (
        "Modules",
        "ES features Chromium supports natively (arrow functions, destructuring, classes, ...)",
        [JC + "test_modern_javascript_is_accepted", C + "test_view_api_arguments_are_checked"],
        "",
    ),
    (
        "Modules",
        "ES module syntax (import, export, import()) in the app's own modules",
        [
            MS + "test_es_modules_run_as_commonjs",
            JC + "test_esm_rewrite_keeps_every_line_in_place",
            JC + "test_unsupported_esm_forms_are_compile_errors",
        ],
        "partial: rewritten to CommonJS, imported names bound once (not live); destructuring "
        "in export const, import.meta and import attributes are compile errors",
    ),
    (
        "Modules",
        "npm packages: require('pkg') and usingComponents from miniprogram_npm",
        [
            MS + "test_npm_components_and_modules_come_from_miniprogram_npm",
            BLD + "test_usingcomponents_find_npm_packages_in_miniprogram_npm",
        ],
        "partial: miniprogram_npm folders only (node_modules is not read)",
    ),
    (
        "Modules",
        "a module the engine refuses does not stop the others (reported with its file:line)",
        [MS + "test_a_module_the_engine_refuses_does_not_stop_the_app"],
        "",
    ),
    (
        "Errors",
        "an uncaught error in app code is reported once (console, App.onError), not again by "
        "the page",
        [WK + "test_an_uncaught_error_is_reported_once"],
        "",
    ),
    (
        "Modules",
        "the logic layer has no WebRTC or WebTransport (their sockets would pass the domain rules)",
        [WK + "test_the_logic_layer_has_no_webrtc_or_webtransport"],
        "",
    ),
    (
        "Events",
        "event objects: type, timeStamp, target / currentTarget (id, dataset), detail, "
        "touches / changedTouches",
        [L + "test_events_bubbling_catch_capture_mut_dataset", L + "test_touch_and_longpress"],
        "",
    ),
    ("Events", "tap and longpress from mouse and touch", [L + "test_touch_and_longpress"], ""),
    (
        "Queries",
        "wx.createSelectorQuery(): boundingClientRect, scrollOffset, fields, in(component)",
        [
            L + "test_selector_query_and_next_tick",
            L + "test_capture_phase_select_all_components_and_query_in",
        ],
        "",
    ),
    (
        "Queries",
        "wx.createIntersectionObserver (thresholds, relativeToViewport, relativeTo)",
        [EX + "test_intersection_observer", MS + "test_intersection_observer_root_and_margins"],
        "partial: relativeTo needs a node that contains the observed ones",
    ),
    ("Queries", "wx.nextTick", [L + "test_selector_query_and_next_tick"], ""),
    (
        "wx",
        "success is an errMsg '<api>:ok' (a fail whose reason ends in 'ok' stays a fail)",
        [C + "test_success_needs_an_ok_errmsg"],
        "",
    ),
    (
        "wx",
        "view APIs check their arguments (the registry's schema format and wording)",
        [C + "test_view_api_arguments_are_checked"],
        "",
    ),
    (
        "wx",
        "wx.canIUse: APIs, their arguments and allowed values, declared result fields "
        "(return / success / callback), object methods and built-in components",
        [C + "test_can_i_use_answers_from_declared_arguments_and_results"],
        "partial: result fields are declared for the system information APIs only; component "
        "attributes (`button.open-type`) are not declared and answer false",
    ),
    (
        "wx",
        "wx.reportEvent(eventId, data) (WeChat's form) and the object form; data up to what "
        "the server keeps of an event",
        [C + "test_report_event_takes_wechats_positional_form"],
        "",
    ),
    (
        "wx",
        "sync and async wx calls over the bridge (Promise when no callback)",
        [L + "test_storage_through_the_bridge"],
        "",
    ),
    (
        "Size",
        "framework files stay small (measured: raw and gzip sizes above)",
        [V + "test_framework_is_small"],
        "partial: sizes are of the source files: they are shipped unminified",
    ),
    (
        "Done when",
        "a multi-page example with tabBar, custom components, templates, WXS and lists renders",
        [EX + "test_examples_render", EX + "test_tabbed_list_uses_template_and_wxs"],
        "",
    ),
]

COMPONENT_TESTS: dict[str, list[str]] = {
    "view": [L + "test_conditionals_and_hidden", V + "test_hover_class"],
    "text": [F + "test_text_space_and_decode", V + "test_icon_progress_text_navigator"],
    "block": [L + "test_conditionals_and_hidden"],
    "button": [F + "test_button_types_sizes_loading_disabled", V + "test_button_form_and_fields"],
    "input": [
        F + "test_input_password_maxlength_focus_and_textarea",
        V + "test_button_form_and_fields",
    ],
    "textarea": [F + "test_input_password_maxlength_focus_and_textarea"],
    "image": [V + "test_image_modes_and_events", W + "test_image_crop_modes_and_lazy_load"],
    "icon": [V + "test_icon_progress_text_navigator"],
    "progress": [V + "test_icon_progress_text_navigator"],
    "rich-text": [V + "test_rich_text_is_sanitised"],
    "checkbox": [V + "test_button_form_and_fields", F + "test_label_targets_its_control"],
    "checkbox-group": [V + "test_button_form_and_fields"],
    "radio": [V + "test_button_form_and_fields", F + "test_label_targets_its_control"],
    "radio-group": [V + "test_button_form_and_fields"],
    "switch": [V + "test_button_form_and_fields", L + "test_model_two_way_binding"],
    "slider": [V + "test_button_form_and_fields"],
    "form": [V + "test_button_form_and_fields", L + "test_form_field_export_and_pure_data"],
    "label": [F + "test_label_targets_its_control"],
    "navigator": [V + "test_icon_progress_text_navigator"],
    "picker": [
        V + "test_picker_selector",
        W + "test_picker_multi_selector_time_and_date",
        W + "test_picker_region",
    ],
    "scroll-view": [
        V + "test_scroll_view_and_swiper",
        V + "test_scroll_view_refresher",
        W + "test_scroll_into_view_both_axes_and_swiper_autoplay",
    ],
    "swiper": [
        V + "test_scroll_view_and_swiper",
        W + "test_scroll_into_view_both_axes_and_swiper_autoplay",
    ],
    "swiper-item": [V + "test_scroll_view_and_swiper"],
    "video": [W + "test_cover_view_cover_image_video_and_audio", V + "test_media_contexts"],
    "audio": [W + "test_cover_view_cover_image_video_and_audio"],
    "canvas": [V + "test_canvas_2d", V + "test_legacy_canvas_context"],
    "cover-view": [W + "test_cover_view_cover_image_video_and_audio"],
    "cover-image": [W + "test_cover_view_cover_image_video_and_audio"],
    "movable-area": [V + "test_picker_view_and_movable_view"],
    "movable-view": [V + "test_picker_view_and_movable_view"],
    "picker-view": [V + "test_picker_view_and_movable_view"],
    "picker-view-column": [V + "test_picker_view_and_movable_view"],
    "web-view": [
        WEB + "test_web_view_shows_an_allowed_page",
        WEB + "test_web_view_refuses_unlisted_hosts_and_other_schemes",
        WEB + "test_web_view_http_localhost_in_developer_mode",
    ],
}

# what scripts/gen_compat.py runs to fill in the statuses
SUITE = ["tests/conformance", "tests/runtime", PACK + "test_pack_refuses_invalid_app"]
