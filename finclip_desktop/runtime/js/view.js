/* FinClip view layer: applies DOM patches from the logic worker, draws the navigation bar and
   tabBar, implements view APIs (toast, modal, ...) and built-in components, forwards events. */
(function () {
  'use strict';
  var APP = self.__fcApp, appCfg = APP.app, win = appCfg.window || {}, tabBar = appCfg.tabBar;
  var nodes = new Map(), pages = {}, painted = {}, curPid = 0, worker;
  var doc = document, body = doc.body;
  function el(tag, cls, parent) { var e = doc.createElement(tag); if (cls) e.className = cls; if (parent) parent.appendChild(e); return e; }

  /* ------------------------------------------------------------ styles (rpx) */
  var styleEl = el('style', '', doc.head);
  function rpx(v, w) {
    if (v === 0) return 0;
    var px = Math.floor(v / 750 * w + 1e-4);
    if (px === 0) return v < 0 ? -1 : 1;
    return px;
  }
  function windowWidth() { return doc.documentElement.clientWidth || 375; }
  function applyCss() {
    var w = windowWidth(), out = '';
    APP.css.forEach(function (p) { out += typeof p === 'number' ? rpx(p, w) + 'px' : p; });
    styleEl.textContent = out;
  }
  function inlineStyle(s) {
    if (s == null) return '';
    var w = windowWidth();
    return String(s).replace(/(-?(?:\d+\.?\d*|\.\d+))rpx\b/g, function (_, n) { return rpx(parseFloat(n), w) + 'px'; });
  }
  applyCss();

  /* ------------------------------------------------------------ chrome */
  var nav = el('div', 'fc-nav', body), navBack = el('div', 'fc-nav-back', nav), navTitle = el('div', 'fc-nav-title', nav);
  var navLoading = el('i', 'fc-nav-loading', navTitle);
  var navText = el('span', '', navTitle);
  navBack.innerHTML = '<i></i>';
  navBack.onclick = function () { post({ t: 'back' }); };
  var pagesBox = el('div', 'fc-pages', body), tab = null, tabItems = [];
  var overlay = el('div', 'fc-overlay', body);
  function cfgOf(route) { return Object.assign({}, win, APP.pages[route] || {}); }
  function tabIndex(route) {
    if (!tabBar || !tabBar.list) return -1;
    for (var i = 0; i < tabBar.list.length; i++) if (tabBar.list[i].pagePath.replace(/^\//, '') === route) return i;
    return -1;
  }
  function buildTabBar() {
    if (!tabBar || !tabBar.list) return;
    tab = el('div', 'fc-tabbar' + (tabBar.position === 'top' ? ' fc-top' : ''), body);
    tab.style.background = tabBar.backgroundColor || '#fff';
    if (tabBar.borderStyle === 'white') tab.classList.add('fc-white');
    tabBar.list.forEach(function (item, i) {
      var it = el('div', 'fc-tab', tab), icon = el('div', 'fc-tab-icon', it);
      var img = el('img', '', icon), badge = el('span', 'fc-badge', icon), label = el('div', 'fc-tab-text', it);
      badge.hidden = true;
      label.textContent = item.text || '';
      if (!item.iconPath || tabBar.position === 'top') icon.classList.add('fc-noicon');
      it.onclick = function () { post({ t: 'tab', index: i }); };
      tabItems.push({ el: it, img: img, label: label, badge: badge, item: Object.assign({}, item) });
    });
  }
  function paintTabBar(active) {
    tabItems.forEach(function (t, i) {
      var on = i === active, item = t.item;
      t.label.style.color = on ? (tabBar.selectedColor || '#1aad19') : (tabBar.color || '#7a7e83');
      var src = on && item.selectedIconPath ? item.selectedIconPath : item.iconPath;
      if (src) t.img.src = '/' + src.replace(/^\//, '');
      t.el.classList.toggle('fc-on', on);
    });
  }
  buildTabBar();
  /* what setNavigationBarTitle/Color, showNavigationBarLoading and setBackgroundColor
     changed, per page (pid): a page shown again keeps them, other pages keep their config */
  var overrides = {};
  function override(pid, changes) {
    var o = overrides[pid] || (overrides[pid] = {});
    Object.keys(changes).forEach(function (k) { if (changes[k] != null) o[k] = changes[k]; });
    if (pid === curPid) layout(pid);
  }
  function layout(pid) {
    if (!pages[pid]) return;
    var route = pages[pid].__route, o = overrides[pid] || {};
    var c = cfgOf(route), custom = c.navigationStyle === 'custom', ti = tabIndex(route);
    nav.hidden = custom;
    nav.style.background = o.backgroundColor || c.navigationBarBackgroundColor || '#000';
    nav.style.color = o.frontColor || (c.navigationBarTextStyle === 'black' ? '#000' : '#fff');
    navText.textContent = o.title != null ? o.title : c.navigationBarTitleText || '';
    nav.classList.toggle('fc-loading', !!o.loading);
    body.style.background = o.background || c.backgroundColor || '#fff';
    var top = custom ? 0 : 44, bottom = 0;
    if (tab) {
      tab.hidden = ti < 0 || tab.__hidden;
      if (!tab.hidden) {
        if (tabBar.position === 'top') top += 48; else bottom = 50;
        paintTabBar(ti);
        tab.style.top = tabBar.position === 'top' ? top - 48 + 'px' : '';
      }
    }
    pagesBox.style.top = top + 'px';
    pagesBox.style.bottom = bottom + 'px';
  }

  /* ------------------------------------------------------------ worker + bridge */
  var heard = false;
  function startWorker(url) {
    worker = new Worker(url);
    worker.onerror = onWorkerError;
    worker.onmessage = onWorkerMessage;
    post({ t: 'init', path: params.get('path') || '', scene: params.get('scene'), stack: reopen, system: { windowWidth: windowWidth(), windowHeight: innerHeight } });
  }
  function post(m) { worker.postMessage(m); }
  /* an error the worker did not handle: Chromium logged it in the worker, and would again
     here without preventDefault. Once the framework runs (it has posted), its own error
     listener has reported it (console, App.onError, the relay below): nothing to add */
  function onWorkerError(e) {
    e.preventDefault();
    if (heard) return;
    if (/\/service\.js$/.test(e.filename || '')) {
      // service.js does not parse: isolated.js loads each module from its own file and
      // reports the broken one with its file:line, the rest of the app still runs
      worker.terminate();
      startWorker('isolated.js');
      return;
    }
    var msg = String(e.filename || '').replace(/^.*\//, '') + ':' + e.lineno + ': ' + e.message;
    console.error('[finclip logic] ' + msg);
    var box = el('div', 'fc-crash', body);
    el('b', '', box).textContent = 'This mini-program failed to start';
    el('pre', '', box).textContent = msg;
  }
  var params = new URLSearchParams(location.search), devStack = [], reopen = null;
  // `finclip dev`: the worker reports the page stack, `#fcstack=` reopens one (docs/architecture.md)
  try { reopen = JSON.parse(decodeURIComponent((/(?:^#|&)fcstack=([^&]*)/.exec(location.hash) || [])[1] || 'null')); } catch (x) { reopen = null; }
  window.__fcDev = { stack: function () { return JSON.parse(JSON.stringify(devStack)); } };
  function onWorkerMessage(e) {
    var m = e.data;
    heard = true;
    if (m.t === 'error') console.error('[finclip logic] ' + m.msg);
    else if (m.t === 'stack') devStack = m.stack;
    else if (m.t === 'ops') { applyOps(m.ops); post({ t: 'ack', seq: m.seq }); }
    else if (m.t === 'call') window.postMessage({ __fcBridge: 'call', id: m.id, api: m.api, args: m.args }, '*');
    else if (m.t === 'api') {
      var fn = VIEW_API[m.api], res;
      try { res = fn ? fn(m.args || {}, m.id, m.pid || curPid) : { errMsg: m.api + ':fail not supported' }; } catch (x) { res = { errMsg: m.api + ':fail ' + x.message }; }
      if (res !== undefined && m.id) post({ t: 'ret', id: m.id, result: res });
    }
  }
  startWorker('service.js');
  window.addEventListener('message', function (e) {
    var m = e.data;
    if (!m || typeof m !== 'object' || e.source !== window) return;
    if (m.__fcBridge === 'reply') post({ t: 'reply', id: m.id, result: m.result });
    else if (m.__fcBridge === 'event') {
      post({ t: 'event', name: m.name, payload: m.payload });
      if (m.name === 'webViewBlocked' && m.payload) webViews(function (src) { return src === m.payload.url; });
    }
  });
  function ret(id, result) { post({ t: 'ret', id: id, result: result }); }

  /* ------------------------------------------------------------ patches */
  function inner(e) { return e.__fcInner || e; }
  function build(n) {
    var e;
    if (n.length === 2) { e = doc.createTextNode(n[1]); nodes.set(n[0], e); return e; }
    // only custom-element names (wx-view, my-card): never script, iframe, link, ...
    e = doc.createElement(/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(n[1]) ? n[1] : 'wx-view');
    e.__fcId = n[0];
    nodes.set(n[0], e);
    var b = BUILTIN[n[1]];
    if (b && b.init) b.init(e);
    setEvents(e, n[3]);
    var a = n[2];
    for (var k in a) setAttr(e, k, a[k]);
    var kids = n[4], box = inner(e);
    for (var i = 0; i < kids.length; i++) box.appendChild(build(kids[i]));
    if (b && b.mounted) b.mounted(e);
    return e;
  }
  function flag(e, c, on) {
    (e.__fcCls || (e.__fcCls = {}))[c] = !!on;
    e.classList.toggle(c, !!on);
  }
  function setEvents(e, names) { e.__fcEv = names ? names.split(',') : null; }
  function setAttr(e, k, v) {
    var b = BUILTIN[e.localName];
    if (!e.__fcA) e.__fcA = {};
    e.__fcA[k] = v;
    if (b && b.attr && b.attr(e, k, v) === true) return;
    if (k === 'style') { e.setAttribute('style', inlineStyle(v)); return; }
    if (k === 'class' && e.__fcCls) {
      var own = Object.keys(e.__fcCls).filter(function (c) { return e.__fcCls[c]; }).join(' ');
      e.className = (v == null ? '' : v) + (own ? ' ' + own : '');
      return;
    }
    if (!/^[a-zA-Z_][\w:.-]*$/.test(k) || /^on/i.test(k)) return;
    if (v == null || v === false) e.removeAttribute(k);
    else if (k === 'hidden') e.setAttribute('hidden', '');
    else if (typeof v !== 'object') e.setAttribute(k, v === true ? '' : v);
  }
  function insertAfter(parent, node, prevId) {
    var box = inner(parent);
    if (!prevId) box.insertBefore(node, box.firstChild);
    else { var prev = nodes.get(prevId); box.insertBefore(node, prev ? prev.nextSibling : null); }
  }
  function drop(node) {
    if (node.__fcId) nodes.delete(node.__fcId);
    if (node.__fcOnRemove) node.__fcOnRemove();
    var c = node.childNodes;
    for (var i = 0; i < c.length; i++) drop(c[i]);
  }
  var shown = null;
  function applyOps(list) {
    for (var i = 0; i < list.length; i++) {
      var o = list[i], t = o[0], e;
      if (t === 'c') { var p = nodes.get(o[1]); if (p) insertAfter(p, build(o[3]), o[2]); }
      else if (t === 'a') { e = nodes.get(o[1]); if (e) setAttr(e, o[2], o[3]); }
      else if (t === 't') { e = nodes.get(o[1]); if (e) e.data = o[2]; }
      else if (t === 'r') { e = nodes.get(o[1]); if (e) { drop(e); if (e.parentNode) e.parentNode.removeChild(e); nodes.delete(o[1]); } }
      else if (t === 'm') { e = nodes.get(o[2]); var par = nodes.get(o[1]); if (e && par) insertAfter(par, e, o[3]); }
      else if (t === 'e') { e = nodes.get(o[1]); if (e) setEvents(e, o[2]); }
      else if (t === 'P') createPage(o[1], o[2]);
      else if (t === 'S') showPage(o[1], o[2], o[3]);
      else if (t === 'X') { e = pages[o[1]]; if (e) { drop(e); e.remove(); delete pages[o[1]]; delete overrides[o[1]]; } }
    }
    if (shown) { var s = shown; shown = null; schedulePaint(s); }
  }
  function createPage(pid, route) {
    var e = el('wx-page', 'fc-hidden', pagesBox);
    e.setAttribute('route', route);
    e.__fcId = pid;
    e.__route = route;
    nodes.set(pid, e);
    pages[pid] = e;
    var c = cfgOf(route), dist = c.onReachBottomDistance || 50, bottomFired = false;
    e.addEventListener('scroll', function () {
      post({ t: 'page', pid: pid, what: 'scroll', scrollTop: e.scrollTop });
      var near = e.scrollTop + e.clientHeight >= e.scrollHeight - dist;
      if (near && !bottomFired) post({ t: 'page', pid: pid, what: 'reachBottom' });
      bottomFired = near;
    }, { passive: true });
    if (c.enablePullDownRefresh) {
      var pulled = 0;
      e.addEventListener('wheel', function (ev) {
        if (e.scrollTop > 0 || ev.deltaY >= 0) { pulled = 0; return; }
        pulled -= ev.deltaY;
        if (pulled > 150) { pulled = 0; startPull(pid); }
      }, { passive: true });
    }
  }
  var lastDepth = 0;
  function showPage(pid, route, depth) {
    Object.keys(pages).forEach(function (k) { pages[k].classList.toggle('fc-hidden', +k !== pid); });
    var pg = pages[pid];
    if (pg && depth > lastDepth && lastDepth > 0) {
      pg.classList.add('fc-enter');
      setTimeout(function () { pg.classList.remove('fc-enter'); }, 300);
    }
    lastDepth = depth;
    curPid = pid;
    navBack.hidden = !(depth > 1);
    layout(pid);
    shown = pid;
  }
  function schedulePaint(pid) {
    if (painted[pid]) return;
    painted[pid] = true;
    requestAnimationFrame(function () {
      var page = pages[pid];
      if (!page) return;
      window.dispatchEvent(new CustomEvent('finclip:painted', { detail: { route: page.__route } }));
      post({ t: 'painted', pid: pid });
    });
  }
  addEventListener('resize', function () {
    applyCss();
    nodes.forEach(function (n) { if (n.__fcA && n.__fcA.style) n.setAttribute('style', inlineStyle(n.__fcA.style)); });
    if (curPid) post({ t: 'page', pid: curPid, what: 'resize', size: { windowWidth: windowWidth(), windowHeight: innerHeight } });
  });

  /* ------------------------------------------------------------ events */
  function owner(node) { while (node && !node.__fcId) node = node.parentNode; return node; }
  function listened(node, type) {
    for (var n = node; n; n = n.parentNode) if (n.__fcEv && n.__fcEv.indexOf(type) >= 0) return true;
    return false;
  }
  function emit(e, type, detail, extra) {
    var o = owner(e);
    if (!o || !o.__fcId || o === pages[o.__fcId] && type !== 'tap') return;
    if (!listened(o, type)) return;
    post(Object.assign({ t: 'ev', id: o.__fcId, type: type, detail: detail || {} }, extra || {}));
  }
  function touchList(ev) {
    var p = ev.changedTouches ? ev.changedTouches[0] : ev;
    return [{ identifier: 0, pageX: p.pageX, pageY: p.pageY, clientX: p.clientX, clientY: p.clientY }];
  }
  /* hover-class: applied while pressed (after hover-start-time, kept hover-stay-time) */
  var hovered = null, hoverTimer = 0;
  function hoverTarget(n) {
    for (; n && n !== body; n = n.parentNode) {
      var a = n.__fcA;
      if (a && a['hover-class'] && a['hover-class'] !== 'none' && !n.__fcDisabled) return n;
      if (a && a['hover-stop-propagation']) return null;
    }
    return null;
  }
  function hoverOn(ev) {
    var n = hoverTarget(ev.target);
    if (!n) return;
    var a = n.__fcA;
    clearTimeout(hoverTimer);
    hoverTimer = setTimeout(function () { hovered = n; String(a['hover-class']).split(/\s+/).forEach(function (c) { if (c) n.classList.add(c); }); }, +(a['hover-start-time'] || 50));
  }
  function hoverOff() {
    clearTimeout(hoverTimer);
    var n = hovered;
    if (!n) return;
    hovered = null;
    setTimeout(function () { String(n.__fcA['hover-class']).split(/\s+/).forEach(function (c) { if (c) n.classList.remove(c); }); }, +(n.__fcA['hover-stay-time'] || 400));
  }
  doc.addEventListener('pointerdown', hoverOn, true);
  doc.addEventListener('pointerup', hoverOff, true);
  doc.addEventListener('pointercancel', hoverOff, true);
  var pressTimer = 0, pressed = null, longFired = false;
  doc.addEventListener('pointerdown', function (ev) {
    pressed = ev.target;
    longFired = false;
    clearTimeout(pressTimer);
    emit(ev.target, 'touchstart', {}, { touches: touchList(ev) });
    pressTimer = setTimeout(function () {
      if (pressed && (listened(owner(pressed), 'longpress') || listened(owner(pressed), 'longtap'))) {
        longFired = true;
        emit(pressed, 'longpress', { x: ev.pageX, y: ev.pageY }, { touches: touchList(ev) });
        emit(pressed, 'longtap', { x: ev.pageX, y: ev.pageY }, { touches: touchList(ev) });
      }
    }, 350);
  }, true);
  doc.addEventListener('pointermove', function (ev) { if (pressed) emit(ev.target, 'touchmove', {}, { touches: touchList(ev) }); }, true);
  doc.addEventListener('pointerup', function (ev) {
    clearTimeout(pressTimer);
    if (pressed) emit(ev.target, 'touchend', {}, { touches: [], changedTouches: touchList(ev) });
    pressed = null;
  }, true);
  doc.addEventListener('click', function (ev) {
    if (longFired) { longFired = false; return; }
    var t = ev.target;
    for (var n = t; n && n !== body; n = n.parentNode) if (n.__fcDisabled) return;
    emit(t, 'tap', { x: ev.pageX, y: ev.pageY }, { touches: touchList(ev), changedTouches: touchList(ev) });
  });

  /* ------------------------------------------------------------ view APIs */
  var toastEl = null, toastTimer = 0;
  function hideToast() { clearTimeout(toastTimer); if (toastEl) { toastEl.remove(); toastEl = null; } }
  function showToast(a, loading) {
    hideToast();
    var icon = loading ? 'loading' : (a.icon || 'success');
    toastEl = el('div', 'fc-toast-wrap' + (a.mask ? ' fc-mask' : ''), overlay);
    var box = el('div', 'fc-toast' + (icon === 'none' ? ' fc-text-only' : ''), toastEl);
    if (icon !== 'none') {
      if (a.image) { var im = el('img', 'fc-toast-img', box); im.src = '/' + String(a.image).replace(/^\//, ''); }
      else el('i', 'fc-toast-icon fc-i-' + icon, box);
    }
    el('div', 'fc-toast-title', box).textContent = a.title || '';
    if (!loading) toastTimer = setTimeout(hideToast, a.duration || 1500);
    return { errMsg: (loading ? 'showLoading' : 'showToast') + ':ok' };
  }
  function modal(a, id) {
    var wrap = el('div', 'fc-mask fc-modal-wrap', overlay), box = el('div', 'fc-modal', wrap);
    if (a.title) el('div', 'fc-modal-title', box).textContent = a.title;
    var input = null;
    if (a.editable) { input = el('input', 'fc-modal-input', box); input.placeholder = a.placeholderText || ''; input.value = a.content || ''; }
    else if (a.content) el('div', 'fc-modal-content', box).textContent = a.content;
    var btns = el('div', 'fc-modal-btns', box);
    function close(confirm) {
      wrap.remove();
      var r = { errMsg: 'showModal:ok', confirm: confirm, cancel: !confirm };
      if (input) r.content = input.value;
      ret(id, r);
    }
    if (a.showCancel !== false) {
      var c = el('div', 'fc-modal-btn fc-cancel', btns);
      c.textContent = a.cancelText || '取消';
      c.style.color = a.cancelColor || '#000';
      c.onclick = function () { close(false); };
    }
    var ok = el('div', 'fc-modal-btn fc-confirm', btns);
    ok.textContent = a.confirmText || '确定';
    ok.style.color = a.confirmColor || '#576b95';
    ok.onclick = function () { close(true); };
    return undefined;
  }
  function actionSheet(a, id) {
    var wrap = el('div', 'fc-mask fc-sheet-wrap', overlay), box = el('div', 'fc-sheet', wrap);
    if (a.alertText) el('div', 'fc-sheet-alert', box).textContent = a.alertText;
    (a.itemList || []).slice(0, 6).forEach(function (text, i) {
      var it = el('div', 'fc-sheet-item', box);
      it.textContent = text;
      it.style.color = a.itemColor || '#000';
      it.onclick = function (ev) { ev.stopPropagation(); wrap.remove(); ret(id, { errMsg: 'showActionSheet:ok', tapIndex: i }); };
    });
    var cancel = el('div', 'fc-sheet-item fc-sheet-cancel', box);
    cancel.textContent = '取消';
    wrap.onclick = function () { wrap.remove(); ret(id, { errMsg: 'showActionSheet:fail cancel' }); };
    return undefined;
  }
  function tabItem(a, api) {
    var t = tabItems[a.index];
    if (!t) throw new Error('tabbar item not found');
    return t;
  }
  function startPull(pid) {
    var p = pages[pid || curPid];
    if (!p) return;
    p.classList.add('fc-refreshing');
    post({ t: 'page', pid: pid || curPid, what: 'pullDown' });
  }
  function queryNodes(q) {
    var root = nodes.get(q.scope) || pages[curPid];
    if (q.sel === ':viewport') return [doc.documentElement];
    var sel = q.sel;
    if (q.prefix) sel = sel.replace(/\.(-?[_a-zA-Z][\w-]*)/g, '.' + q.prefix + '-$1');
    sel = sel.replace(/(^|[\s>+~,])([a-zA-Z][\w]*)(?=$|[\s.#:[>+~,])/g, function (_, a, t) { return a + 'wx-' + t; });
    var found;
    try { found = q.all ? [].slice.call(root.querySelectorAll(sel)) : [root.querySelector(sel)].filter(Boolean); }
    catch (x) { found = []; }
    return found;
  }
  function describe(n, f) {
    var r = {};
    if (n === doc.documentElement) {
      var pg = pages[curPid];
      if (f.rect || f.size) Object.assign(r, { left: 0, top: 0, right: innerWidth, bottom: innerHeight, width: innerWidth, height: innerHeight });
      if (f.scrollOffset && pg) Object.assign(r, { scrollLeft: pg.scrollLeft, scrollTop: pg.scrollTop, scrollWidth: pg.scrollWidth, scrollHeight: pg.scrollHeight });
      return r;
    }
    if (f.id) r.id = n.id || '';
    if (f.dataset) r.__nid = n.__fcId;
    var b = n.getBoundingClientRect();
    if (f.rect) Object.assign(r, { left: b.left, top: b.top, right: b.right, bottom: b.bottom });
    if (f.size) Object.assign(r, { width: b.width, height: b.height });
    if (f.scrollOffset) { var sc = n.__fcScroll || n; Object.assign(r, { scrollLeft: sc.scrollLeft, scrollTop: sc.scrollTop, scrollWidth: sc.scrollWidth, scrollHeight: sc.scrollHeight }); }
    if (f.computedStyle) { var cs = getComputedStyle(n); f.computedStyle.forEach(function (k) { r[k] = cs[k]; }); }
    if (f.properties) f.properties.forEach(function (k) { r[k] = n.__fcA ? n.__fcA[k] : undefined; });
    if (f.node && n.__fcCanvas) {
      // canvas type="2d": its drawing surface moves to the logic worker once (OffscreenCanvas)
      r.__canvas = n.__fcId;
      if (!n.__fcSent) { n.__fcSent = true; n.__fcCanvas.__fcOffscreen = true; r.__offscreen = n.__fcCanvas.transferControlToOffscreen(); transfers.push(r.__offscreen); }
    }
    return r;
  }
  var ioMap = {}, transfers = [], audioMap = {};
  function n2d(cv) { return cv.__fcOffscreen ? null : cv; }
  var VIEW_API = {
    showToast: function (a) { return showToast(a, false); },
    hideToast: function () { hideToast(); return { errMsg: 'hideToast:ok' }; },
    showLoading: function (a) { showToast(a, true); return { errMsg: 'showLoading:ok' }; },
    hideLoading: function () { hideToast(); return { errMsg: 'hideLoading:ok' }; },
    showModal: modal,
    showActionSheet: actionSheet,
    setNavigationBarTitle: function (a, id, pid) { override(pid, { title: a.title }); return { errMsg: 'setNavigationBarTitle:ok' }; },
    setNavigationBarColor: function (a, id, pid) {
      override(pid, { backgroundColor: a.backgroundColor, frontColor: a.frontColor });
      return { errMsg: 'setNavigationBarColor:ok' };
    },
    showNavigationBarLoading: function (a, id, pid) { override(pid, { loading: true }); return { errMsg: 'showNavigationBarLoading:ok' }; },
    hideNavigationBarLoading: function (a, id, pid) { override(pid, { loading: false }); return { errMsg: 'hideNavigationBarLoading:ok' }; },
    setBackgroundColor: function (a, id, pid) { override(pid, { background: a.backgroundColor }); return { errMsg: 'setBackgroundColor:ok' }; },
    setBackgroundTextStyle: function () { return { errMsg: 'setBackgroundTextStyle:ok' }; },
    startPullDownRefresh: function () { startPull(curPid); return { errMsg: 'startPullDownRefresh:ok' }; },
    stopPullDownRefresh: function () { Object.keys(pages).forEach(function (k) { pages[k].classList.remove('fc-refreshing'); }); return { errMsg: 'stopPullDownRefresh:ok' }; },
    pageScrollTo: function (a) {
      var p = pages[curPid], top = a.scrollTop || 0;
      if (a.selector) { var n = p.querySelector(a.selector.replace(/^([a-z]+)/, 'wx-$1')); if (n) top = n.getBoundingClientRect().top - p.getBoundingClientRect().top + p.scrollTop + (a.offsetTop || 0); }
      p.scrollTo({ top: top, behavior: a.duration === 0 ? 'auto' : 'smooth' });
      return { errMsg: 'pageScrollTo:ok' };
    },
    setTabBarBadge: function (a) { var t = tabItem(a); t.badge.hidden = false; t.badge.className = 'fc-badge'; t.badge.textContent = a.text || ''; return { errMsg: 'setTabBarBadge:ok' }; },
    removeTabBarBadge: function (a) { tabItem(a).badge.hidden = true; return { errMsg: 'removeTabBarBadge:ok' }; },
    showTabBarRedDot: function (a) { var t = tabItem(a); t.badge.hidden = false; t.badge.textContent = ''; t.badge.className = 'fc-badge fc-dot'; return { errMsg: 'showTabBarRedDot:ok' }; },
    hideTabBarRedDot: function (a) { tabItem(a).badge.hidden = true; return { errMsg: 'hideTabBarRedDot:ok' }; },
    setTabBarItem: function (a) {
      var t = tabItem(a);
      ['text', 'iconPath', 'selectedIconPath'].forEach(function (k) { if (a[k] != null) t.item[k] = a[k]; });
      t.label.textContent = t.item.text || '';
      paintTabBar(tabIndex(pages[curPid].__route));
      return { errMsg: 'setTabBarItem:ok' };
    },
    setTabBarStyle: function (a) {
      ['color', 'selectedColor', 'backgroundColor', 'borderStyle'].forEach(function (k) { if (a[k] != null) tabBar[k] = a[k]; });
      if (tab) { tab.style.background = tabBar.backgroundColor || '#fff'; tab.classList.toggle('fc-white', tabBar.borderStyle === 'white'); }
      paintTabBar(tabIndex(pages[curPid].__route));
      return { errMsg: 'setTabBarStyle:ok' };
    },
    showTabBar: function () { if (tab) { tab.__hidden = false; layout(curPid); } return { errMsg: 'showTabBar:ok' }; },
    hideTabBar: function () { if (tab) { tab.__hidden = true; layout(curPid); } return { errMsg: 'hideTabBar:ok' }; },
    previewImage: function (a) {
      var wrap = el('div', 'fc-mask fc-preview', overlay), img = el('img', '', wrap);
      img.src = a.current || (a.urls || [])[0] || '';
      wrap.onclick = function () { wrap.remove(); };
      return { errMsg: 'previewImage:ok' };
    },
    _selectorQuery: function (a, id) {
      transfers = [];
      var result = {
        errMsg: '_selectorQuery:ok',
        results: a.queries.map(function (q) {
          var found = queryNodes(q);
          return q.all ? found.map(function (n) { return describe(n, q.fields); }) : found[0] ? describe(found[0], q.fields) : null;
        })
      };
      worker.postMessage({ t: 'ret', id: id, result: result }, transfers);
      transfers = [];
    },
    _observe: function (a) {
      var found = queryNodes({ scope: a.scope, sel: a.sel, all: !!(a.opts && a.opts.observeAll), prefix: a.prefix });
      // relativeTo(selector, margins): that node is the root (it must contain the observed
      // nodes, e.g. a scroll-view); relativeToViewport(margins): the viewport; margins in px
      var rel = a.rel || {}, m = rel.margins || {}, root = null;
      if (rel.sel && !(root = queryNodes({ scope: a.scope, sel: rel.sel, prefix: a.prefix })[0])) return;
      var margin = ['top', 'right', 'bottom', 'left'].map(function (k) { return (Number(m[k]) || 0) + 'px'; }).join(' ');
      var io = new IntersectionObserver(function (entries) {
        entries.forEach(function (en) {
          var r = function (b) { return { left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height }; };
          post({ t: 'intersect', oid: a.oid, res: { id: en.target.id || '', dataset: {}, intersectionRatio: en.intersectionRatio, intersectionRect: r(en.intersectionRect), boundingClientRect: r(en.boundingClientRect), relativeRect: r(en.rootBounds || en.boundingClientRect), time: Date.now() } });
        });
      }, { root: root, rootMargin: margin, threshold: (a.opts && a.opts.thresholds) || [0] });
      found.forEach(function (n) { io.observe(n); });
      ioMap[a.oid] = io;
    },
    _unobserve: function (a) { if (ioMap[a.oid]) { ioMap[a.oid].disconnect(); delete ioMap[a.oid]; } },
    _canvasDraw: function (a) {
      var root = nodes.get(a.scope) || pages[curPid], host = root && root.querySelector('wx-canvas[canvas-id="' + String(a.sel).replace(/"/g, '') + '"]');
      var cv = host && host.__fcCanvas;
      if (!cv || n2d(cv) === null) return { errMsg: 'drawCanvas:fail canvas not found' };
      var c = cv.getContext('2d'), r = host.getBoundingClientRect();
      if (cv.width !== Math.round(r.width) || cv.height !== Math.round(r.height)) { cv.width = Math.round(r.width); cv.height = Math.round(r.height); }
      if (!a.reserve) c.clearRect(0, 0, cv.width, cv.height);
      var fontSize = 10;
      a.ops.forEach(function (op) {
        var name = op[0], args = op[1];
        if (name === '=') { c[args[0]] = args[1]; return; }
        if (name === 'setFontSize') { fontSize = args[0]; c.font = fontSize + 'px sans-serif'; return; }
        if (name === 'setShadow') { c.shadowOffsetX = args[0]; c.shadowOffsetY = args[1]; c.shadowBlur = args[2]; c.shadowColor = args[3]; return; }
        if (name === 'setLineDash') { c.setLineDash(args[0] || []); c.lineDashOffset = args[1] || 0; return; }
        if (name.indexOf('set') === 0 && name !== 'setTransform') { var prop = name.charAt(3).toLowerCase() + name.slice(4); c[prop === 'fillStyle' || prop === 'strokeStyle' ? prop : prop] = args[0]; return; }
        if (name === 'drawImage') { var img = new Image(); img.src = imageSrc(args[0]); var rest = args.slice(1); img.onload = function () { c.drawImage.apply(c, [img].concat(rest)); }; return; }
        if (typeof c[name] === 'function') c[name].apply(c, args);
      });
      return { errMsg: 'drawCanvas:ok' };
    },
    _video: function (a) {
      var n = queryNodes({ scope: a.scope, sel: a.sel })[0], v = n && n.__fcVideo;
      if (!v) return;
      if (a.op === 'play') v.play().catch(function () {});
      else if (a.op === 'pause') v.pause();
      else if (a.op === 'stop') { v.pause(); v.currentTime = 0; }
      else if (a.op === 'seek') v.currentTime = +a.value || 0;
      else if (a.op === 'playbackRate') v.playbackRate = +a.value || 1;
      else if (a.op === 'requestFullScreen') n.requestFullscreen && n.requestFullscreen().catch(function () {});
      else if (a.op === 'exitFullScreen' && doc.fullscreenElement) doc.exitFullscreen();
    },
    _audio: function (a) {
      var au = audioMap[a.aid];
      if (a.op === 'create') {
        au = audioMap[a.aid] = new Audio();
        ['canplay', 'play', 'pause', 'ended', 'timeupdate', 'error', 'waiting', 'seeking', 'seeked'].forEach(function (type) {
          au.addEventListener(type, function () {
            var m = { t: 'audio', aid: a.aid, type: type, duration: isFinite(au.duration) ? au.duration : 0, currentTime: au.currentTime, paused: au.paused };
            if (type === 'error') { m.errMsg = 'audio error ' + (au.error ? au.error.code : ''); m.errCode = au.error ? au.error.code : -1; }
            post(m);
          });
        });
        return;
      }
      if (!au) return;
      if (a.op === 'set') {
        var k = a.value.key, v = a.value.value;
        if (k === 'src') au.src = imageSrc(v);
        else if (k === 'autoplay' || k === 'loop') au[k] = !!v;
        else if (k === 'volume') au.volume = Math.max(0, Math.min(1, +v));
        else if (k === 'playbackRate') au.playbackRate = +v || 1;
        else if (k === 'startTime') au.currentTime = +v || 0;
      } else if (a.op === 'play') au.play().catch(function () {});
      else if (a.op === 'pause') au.pause();
      else if (a.op === 'stop') { au.pause(); au.currentTime = 0; post({ t: 'audio', aid: a.aid, type: 'stop', paused: true }); }
      else if (a.op === 'seek') au.currentTime = +a.value || 0;
      else if (a.op === 'destroy') { au.pause(); au.removeAttribute('src'); delete audioMap[a.aid]; }
    }
  };

  /* ------------------------------------------------------------ built-in components */
  var BUILTIN = {};
  function form(e) { while (e && e.localName !== 'wx-form') e = e.parentNode; return e; }
  function fieldValue(e) {
    var b = BUILTIN[e.localName];
    return b && b.value ? b.value(e) : undefined;
  }
  function collect(f) {
    var values = {};
    f.querySelectorAll('[name]').forEach(function (n) {
      var v = fieldValue(n);
      if (v !== undefined) values[n.getAttribute('name')] = v;
    });
    return values;
  }
  function resetForm(f) {
    f.querySelectorAll('[name]').forEach(function (n) { var b = BUILTIN[n.localName]; if (b && b.reset) b.reset(n); });
  }
  BUILTIN['wx-button'] = {
    attr: function (e, k, v) {
      if (k === 'disabled') { e.__fcDisabled = !!v && v !== 'false'; flag(e, 'fc-disabled', e.__fcDisabled); }
      if (k === 'loading') flag(e, 'fc-btn-loading', !!v && v !== 'false');
      if (k === 'type' || k === 'size' || k === 'plain') { e.setAttribute(k, v === true ? '' : v); return true; }
    },
    init: function (e) {
      e.setAttribute('role', 'button');
      e.addEventListener('click', function () {
        if (e.__fcDisabled) return;
        var ft = e.__fcA && e.__fcA['form-type'], f = ft && form(e);
        if (f && ft === 'submit') emit(f, 'submit', { value: collect(f), target: {} });
        if (f && ft === 'reset') { resetForm(f); emit(f, 'reset', {}); }
      });
    }
  };
  function textField(multi) {
    return {
      init: function (e) {
        var i = e.__fcInner = null;
        i = doc.createElement(multi ? 'textarea' : 'input');
        i.className = 'fc-input';
        e.appendChild(i);
        e.__fcField = i;
        i.addEventListener('input', function () {
          var max = e.__fcA && e.__fcA.maxlength != null ? +e.__fcA.maxlength : 140;
          if (max >= 0 && i.value.length > max) i.value = i.value.slice(0, max);
          emit(e, 'input', { value: i.value, cursor: i.selectionStart, keyCode: 0 });
          if (multi) fitHeight(e);
        });
        i.addEventListener('focus', function () { emit(e, 'focus', { value: i.value, height: 0 }); });
        i.addEventListener('blur', function () { emit(e, 'blur', { value: i.value }); });
        i.addEventListener('keydown', function (ev) {
          if (ev.key === 'Enter' && (!multi || !ev.shiftKey && e.__fcA && e.__fcA['confirm-type'])) {
            if (!multi) ev.preventDefault();
            emit(e, 'confirm', { value: i.value });
          }
        });
      },
      attr: function (e, k, v) {
        var i = e.__fcField;
        if (k === 'value') { if (i.value !== String(v == null ? '' : v)) i.value = v == null ? '' : v; if (multi) fitHeight(e); return true; }
        if (k === 'auto-height' && multi) { flag(e, 'fc-auto-height', on(v)); i.rows = on(v) ? 1 : 2; fitHeight(e); return true; }
        if (k === 'placeholder') { i.placeholder = v == null ? '' : v; return true; }
        if (k === 'password') { i.type = v ? 'password' : 'text'; return true; }
        if (k === 'type' && !multi) { i.type = v === 'number' || v === 'digit' ? 'text' : v === 'idcard' ? 'text' : 'text'; i.inputMode = v === 'number' ? 'numeric' : v === 'digit' ? 'decimal' : 'text'; return true; }
        if (k === 'disabled') { i.disabled = !!v && v !== 'false'; return true; }
        if (k === 'focus' || k === 'auto-focus') { if (v) setTimeout(function () { i.focus(); }); return true; }
        if (k === 'placeholder-style') { e.style.setProperty('--fc-ph', v); return true; }
        if (k === 'maxlength') return true;
      },
      value: function (e) { return e.__fcField.value; },
      reset: function (e) { e.__fcField.value = ''; if (multi) fitHeight(e); }
    };
  }
  /* textarea auto-height: as tall as its text (from the first render on), at least one line */
  function fitHeight(e) {
    if (!e.classList.contains('fc-auto-height')) return;
    requestAnimationFrame(function () {
      var i = e.__fcField;
      i.style.height = 'auto';
      if (i.scrollHeight) i.style.height = i.scrollHeight + 'px';
    });
  }
  BUILTIN['wx-input'] = textField(false);
  BUILTIN['wx-textarea'] = textField(true);
  var IMAGE_MODES = {
    scaleToFill: ['100% 100%', 'center'], aspectFit: ['contain', 'center'], aspectFill: ['cover', 'center'],
    widthFix: ['100% 100%', 'center'], heightFix: ['100% 100%', 'center'],
    top: ['auto', 'top'], bottom: ['auto', 'bottom'], center: ['auto', 'center'], left: ['auto', 'left'], right: ['auto', 'right'],
    'top left': ['auto', 'top left'], 'top right': ['auto', 'top right'], 'bottom left': ['auto', 'bottom left'], 'bottom right': ['auto', 'bottom right']
  };
  function imageSrc(v) {
    v = String(v || '');
    if (/^(https?:|data:|blob:|wxfile:)/.test(v)) return v;
    return '/' + v.replace(/^\//, '');
  }
  BUILTIN['wx-image'] = {
    init: function (e) {
      var div = el('div', 'fc-img', e), probe = new Image();
      e.__fcImg = div;
      e.__fcProbe = probe;
      probe.onload = function () {
        var mode = (e.__fcA && e.__fcA.mode) || 'scaleToFill';
        if (mode === 'widthFix') e.style.height = (e.clientWidth * probe.naturalHeight / probe.naturalWidth) + 'px';
        if (mode === 'heightFix') e.style.width = (e.clientHeight * probe.naturalWidth / probe.naturalHeight) + 'px';
        emit(e, 'load', { width: probe.naturalWidth, height: probe.naturalHeight });
      };
      probe.onerror = function () { emit(e, 'error', { errMsg: 'GET ' + probe.src + ' 404 (Not Found)' }); };
    },
    attr: function (e, k, v) {
      if (k === 'src') { e.__fcSrc = v ? imageSrc(v) : ''; if (e.__fcMounted) showImage(e); return true; }
      if (k === 'lazy-load') { e.__fcLazy = on(v); if (e.__fcMounted) showImage(e); return true; }
      if (k === 'mode') {
        var m = IMAGE_MODES[v] || IMAGE_MODES.scaleToFill;
        e.__fcImg.style.backgroundSize = m[0];
        e.__fcImg.style.backgroundPosition = m[1];
        e.setAttribute('mode', v);
        return true;
      }
    },
    mounted: function (e) {
      if (!e.__fcA || !e.__fcA.mode) BUILTIN['wx-image'].attr(e, 'mode', 'scaleToFill');
      e.__fcMounted = true;  // src waits for every attribute (lazy-load may come after it)
      showImage(e);
    }
  };
  /* lazy-load: the image loads once it comes within three screens of its page's viewport */
  function showImage(e) {
    var s = e.__fcSrc;
    if (s && e.__fcLazy && !e.__fcNear) { lazyWatch(e); return; }
    e.__fcImg.style.backgroundImage = s ? 'url("' + s.replace(/"/g, '%22') + '")' : '';
    if (s) e.__fcProbe.src = s;
  }
  function lazyWatch(e) {
    if (e.__fcWatched) return;
    e.__fcWatched = true;
    requestAnimationFrame(function () {
      var page = e.closest('wx-page');
      if (!page) { e.__fcWatched = false; return; }
      var io = page.__fcLazyIO || (page.__fcLazyIO = new IntersectionObserver(function (entries) {
        entries.forEach(function (en) {
          if (!en.isIntersecting) return;
          io.unobserve(en.target);
          en.target.__fcNear = true;
          showImage(en.target);
        });
      }, { root: page, rootMargin: '300% 0px' }));
      io.observe(e);
    });
  }
  function toggle(kind) {
    return {
      init: function (e) {
        el('i', 'fc-' + kind + '-input', e);
        e.addEventListener('click', function (ev) {
          if (e.__fcDisabled) return;
          var group = e.parentNode;
          while (group && group.localName !== 'wx-' + kind + '-group' && group !== body) group = group.parentNode;
          if (kind === 'radio') { if (e.__fcChecked) return; if (group && group !== body) group.querySelectorAll('wx-radio').forEach(function (r) { setChecked(r, false); }); }
          setChecked(e, !e.__fcChecked);
          if (group && group !== body) emit(group, 'change', { value: BUILTIN[group.localName].value(group) });
        });
      },
      attr: function (e, k, v) {
        if (k === 'checked') { setChecked(e, !!v && v !== 'false'); return true; }
        if (k === 'disabled') { e.__fcDisabled = !!v && v !== 'false'; flag(e, 'fc-disabled', e.__fcDisabled); return true; }
        if (k === 'color') { e.style.setProperty('--fc-color', v); return true; }
      },
      reset: function (e) { setChecked(e, false); }
    };
  }
  function setChecked(e, on) { e.__fcChecked = on; flag(e, 'fc-checked', on); }
  BUILTIN['wx-checkbox'] = toggle('checkbox');
  BUILTIN['wx-radio'] = toggle('radio');
  BUILTIN['wx-checkbox-group'] = {
    value: function (g) { return [].slice.call(g.querySelectorAll('wx-checkbox.fc-checked')).map(function (c) { return c.__fcA && c.__fcA.value != null ? String(c.__fcA.value) : ''; }); },
    reset: function (g) { g.querySelectorAll('wx-checkbox').forEach(function (c) { setChecked(c, false); }); }
  };
  BUILTIN['wx-radio-group'] = {
    value: function (g) { var c = g.querySelector('wx-radio.fc-checked'); return c && c.__fcA && c.__fcA.value != null ? String(c.__fcA.value) : ''; },
    reset: function (g) { g.querySelectorAll('wx-radio').forEach(function (c) { setChecked(c, false); }); }
  };
  BUILTIN['wx-switch'] = {
    init: function (e) {
      el('i', 'fc-switch-input', e);
      e.addEventListener('click', function () {
        if (e.__fcDisabled) return;
        setChecked(e, !e.__fcChecked);
        emit(e, 'change', { value: e.__fcChecked });
      });
    },
    attr: function (e, k, v) {
      if (k === 'checked') { setChecked(e, !!v && v !== 'false'); return true; }
      if (k === 'disabled') { e.__fcDisabled = !!v && v !== 'false'; flag(e, 'fc-disabled', e.__fcDisabled); return true; }
      if (k === 'color') { e.style.setProperty('--fc-color', v); return true; }
      if (k === 'type') { flag(e, 'fc-as-checkbox', v === 'checkbox'); return true; }
    },
    value: function (e) { return !!e.__fcChecked; },
    reset: function (e) { setChecked(e, false); }
  };
  BUILTIN['wx-slider'] = {
    init: function (e) {
      var r = el('input', 'fc-range', e);
      r.type = 'range';
      e.__fcField = r;
      var num = el('span', 'fc-slider-value', e);
      num.hidden = true;
      e.__fcNum = num;
      r.addEventListener('input', function () { num.textContent = r.value; emit(e, 'changing', { value: +r.value }); });
      r.addEventListener('change', function () { emit(e, 'change', { value: +r.value }); });
    },
    attr: function (e, k, v) {
      var r = e.__fcField;
      if (k === 'min' || k === 'max' || k === 'step') { r[k] = v; return true; }
      if (k === 'value') { r.value = v; e.__fcNum.textContent = r.value; return true; }
      if (k === 'show-value') { e.__fcNum.hidden = !v; return true; }
      if (k === 'disabled') { r.disabled = !!v; return true; }
      if (k === 'activeColor' || k === 'active-color') { r.style.accentColor = v; return true; }
    },
    value: function (e) { return +e.__fcField.value; },
    reset: function (e) { e.__fcField.value = e.__fcField.min || 0; }
  };
  BUILTIN['wx-progress'] = {
    init: function (e) { var bar = el('div', 'fc-progress-bar', e); e.__fcBar = el('div', 'fc-progress-inner', bar); e.__fcInfo = el('span', 'fc-progress-info', e); e.__fcInfo.hidden = true; },
    attr: function (e, k, v) {
      if (k === 'percent') { var p = Math.max(0, Math.min(100, +v || 0)); e.__fcBar.style.width = p + '%'; e.__fcInfo.textContent = p + '%'; return true; }
      if (k === 'show-info') { e.__fcInfo.hidden = !v; return true; }
      if (k === 'activeColor' || k === 'active-color' || k === 'color') { e.__fcBar.style.background = v; return true; }
      if (k === 'backgroundColor' || k === 'background-color') { e.__fcBar.parentNode.style.background = v; return true; }
      if (k === 'stroke-width') { e.__fcBar.parentNode.style.height = v + 'px'; return true; }
    }
  };
  var ICONS = { success: '#09bb07', success_no_circle: '#09bb07', info: '#10aeff', warn: '#f76260', waiting: '#10aeff', cancel: '#f43530', download: '#b2b2b2', search: '#b2b2b2', clear: '#b2b2b2', circle: '#c9c9c9', info_circle: '#10aeff' };
  BUILTIN['wx-icon'] = {
    attr: function (e, k, v) {
      if (k === 'type') { e.setAttribute('type', v); if (!e.style.color) e.style.setProperty('--fc-color', ICONS[v] || '#999'); return true; }
      if (k === 'size') { e.style.fontSize = (typeof v === 'number' || /^\d+$/.test(v) ? v + 'px' : inlineStyle(v)); return true; }
      if (k === 'color') { e.style.setProperty('--fc-color', v); return true; }
    }
  };
  BUILTIN['wx-navigator'] = {
    init: function (e) {
      e.addEventListener('click', function () {
        var a = e.__fcA || {}, type = a['open-type'] || 'navigate';
        var api = { navigate: 'navigateTo', redirect: 'redirectTo', switchTab: 'switchTab', reLaunch: 'reLaunch', navigateBack: 'navigateBack' }[type];
        if (!api) return;
        worker.postMessage({ t: 'event', name: '__navigate', payload: { api: api, url: a.url, delta: a.delta } });
      });
    }
  };
  BUILTIN['wx-scroll-view'] = {
    init: function (e) {
      e.__fcScroll = e;
      var pulled = 0;
      e.addEventListener('wheel', function (ev) {
        if (!e.__fcRefresher || e.scrollTop > 0 || ev.deltaY >= 0 || e.classList.contains('fc-refreshing')) { pulled = 0; return; }
        pulled -= ev.deltaY;
        emit(e, 'refresherpulling', { dy: pulled });
        if (pulled > 120) { pulled = 0; flag(e, 'fc-refreshing', true); emit(e, 'refresherrefresh', {}); }
      }, { passive: true });
      var upper = true, lower = false, lastTop = 0, lastLeft = 0;
      e.addEventListener('scroll', function () {
        var a = e.__fcA || {}, ut = +(a['upper-threshold'] || 50), lt = +(a['lower-threshold'] || 50);
        emit(e, 'scroll', { scrollLeft: e.scrollLeft, scrollTop: e.scrollTop, scrollHeight: e.scrollHeight, scrollWidth: e.scrollWidth, deltaX: e.scrollLeft - lastLeft, deltaY: e.scrollTop - lastTop });
        lastTop = e.scrollTop; lastLeft = e.scrollLeft;
        var nu = (a['scroll-x'] ? e.scrollLeft : e.scrollTop) <= ut;
        var nl = a['scroll-x'] ? e.scrollLeft + e.clientWidth >= e.scrollWidth - lt : e.scrollTop + e.clientHeight >= e.scrollHeight - lt;
        if (nu && !upper) emit(e, 'scrolltoupper', { direction: a['scroll-x'] ? 'left' : 'top' });
        if (nl && !lower) emit(e, 'scrolltolower', { direction: a['scroll-x'] ? 'right' : 'bottom' });
        upper = nu; lower = nl;
      }, { passive: true });
    },
    attr: function (e, k, v) {
      if (k === 'scroll-x' || k === 'scroll-y') { flag(e, 'fc-' + k, !!v && v !== 'false'); return true; }
      if (k === 'scroll-top') { requestAnimationFrame(function () { e.scrollTop = +v || 0; }); return true; }
      if (k === 'scroll-left') { requestAnimationFrame(function () { e.scrollLeft = +v || 0; }); return true; }
      if (k === 'refresher-enabled') { e.__fcRefresher = !!v && v !== 'false'; return true; }
      if (k === 'refresher-triggered') { flag(e, 'fc-refreshing', !!v && v !== 'false'); return true; }
      if (k === 'scroll-into-view') { if (v) requestAnimationFrame(function () { scrollIntoView(e, String(v)); }); return true; }
    }
  };
  /* scroll-into-view: the child with that id moves to the start of each scrolling axis */
  function scrollIntoView(e, id) {
    var t = e.querySelector('#' + CSS.escape(id)), a = e.__fcA || {};
    if (!t) return;
    var r = t.getBoundingClientRect(), box = e.getBoundingClientRect();
    if (on(a['scroll-y'])) e.scrollTop += r.top - box.top;
    if (on(a['scroll-x'])) e.scrollLeft += r.left - box.left;
  }
  function on(v) { return v != null && v !== false && v !== 'false'; }
  BUILTIN['wx-swiper'] = {
    init: function (e) {
      var track = el('div', 'fc-swiper-track', e), dots = el('div', 'fc-swiper-dots', e);
      e.__fcInner = track;
      e.__fcDots = dots;
      e.__fcCur = 0;
      e.__fcTimer = 0;
      e.__fcOnRemove = function () { clearInterval(e.__fcTimer); };
      var startX = null;
      e.addEventListener('pointerdown', function (ev) { startX = ev.clientX; });
      e.addEventListener('pointerup', function (ev) {
        if (startX == null) return;
        var dx = ev.clientX - startX;
        startX = null;
        if (Math.abs(dx) > 30) swipeTo(e, e.__fcCur + (dx < 0 ? 1 : -1), 'touch');
      });
    },
    attr: function (e, k, v) {
      if (k === 'current') { swipeTo(e, +v || 0, ''); return true; }
      if (k === 'indicator-dots') { e.__fcDots.hidden = !v; return true; }
      if (k === 'autoplay' || k === 'interval') { setTimeout(function () { autoplay(e); }); return true; }
      if (k === 'vertical') { flag(e, 'fc-vertical', !!v); return true; }
      if (k === 'indicator-active-color' || k === 'indicator-color') { e.style.setProperty(k === 'indicator-color' ? '--fc-dot' : '--fc-dot-on', v); return true; }
    },
    mounted: function (e) { if (!e.__fcA || !e.__fcA['indicator-dots']) e.__fcDots.hidden = true; swipeTo(e, e.__fcCur, ''); }
  };
  function swipeTo(e, i, source) {
    var items = e.__fcInner.children, n = items.length, a = e.__fcA || {};
    if (!n) { e.__fcCur = i; return; }
    if (i < 0 || i >= n) { if (!a.circular) i = Math.max(0, Math.min(n - 1, i)); else i = (i + n) % n; }
    var changed = i !== e.__fcCur;
    e.__fcCur = i;
    e.__fcInner.style.transform = a.vertical ? 'translateY(' + (-100 * i) + '%)' : 'translateX(' + (-100 * i) + '%)';
    var dots = e.__fcDots;
    while (dots.children.length < n) el('i', '', dots);
    while (dots.children.length > n) dots.lastChild.remove();
    [].forEach.call(dots.children, function (d, j) { d.classList.toggle('fc-on', j === i); });
    if (changed && source) emit(e, 'change', { current: i, currentItemId: (items[i].__fcA && items[i].__fcA['item-id']) || '', source: source });
  }
  function autoplay(e) {
    clearInterval(e.__fcTimer);
    var a = e.__fcA || {};
    if (a.autoplay && a.autoplay !== 'false') e.__fcTimer = setInterval(function () { if (!e.isConnected) return clearInterval(e.__fcTimer); swipeTo(e, e.__fcCur + 1 >= e.__fcInner.children.length && !a.circular ? 0 : e.__fcCur + 1, 'autoplay'); }, +a.interval || 5000);
  }
  BUILTIN['wx-form'] = {};
  BUILTIN['wx-label'] = {
    init: function (e) {
      e.addEventListener('click', function (ev) {
        var f = e.__fcA && e.__fcA['for'], t = f ? doc.getElementById(f) : e.querySelector('wx-checkbox,wx-radio,wx-switch');
        if (t && !t.contains(ev.target)) t.click();
      });
    }
  };
  var SAFE_TAGS = /^(a|abbr|b|big|blockquote|br|code|col|colgroup|dd|del|div|dl|dt|em|fieldset|h[1-6]|hr|i|img|ins|label|legend|li|ol|p|q|s|small|span|strong|sub|sup|table|tbody|td|tfoot|th|thead|tr|tt|u|ul|caption|center|cite|pre|section|header|footer|article)$/;
  function richNodes(list, box) {
    (list || []).forEach(function (n) {
      if (!n) return;
      if (n.type === 'text') { box.appendChild(doc.createTextNode(decodeEntities(n.text || ''))); return; }
      var name = String(n.name || '').toLowerCase();
      if (!SAFE_TAGS.test(name)) return;
      var e = doc.createElement(name), at = n.attrs || {};
      Object.keys(at).forEach(function (k) {
        var lk = k.toLowerCase();
        if (/^on/.test(lk) || lk === 'href' || lk === 'srcdoc') return;
        var v = String(at[k]);
        if (lk === 'src' && !/^(https?:|data:image\/|\/)/.test(v)) return;
        if (lk === 'style') v = inlineStyle(v);
        if (lk === 'class' || lk === 'style' || lk === 'src' || lk === 'alt' || lk === 'width' || lk === 'height' || lk === 'colspan' || lk === 'rowspan' || lk === 'id' || lk === 'title' || lk === 'start' || lk === 'type') e.setAttribute(lk, v);
      });
      richNodes(n.children, e);
      box.appendChild(e);
    });
  }
  function decodeEntities(s) { var t = doc.createElement('textarea'); t.innerHTML = s.replace(/</g, '&lt;'); return t.value; }
  function parseHtml(html) {
    var d = new DOMParser().parseFromString('<body>' + html, 'text/html');
    function conv(node) {
      return [].slice.call(node.childNodes).map(function (c) {
        if (c.nodeType === 3) return { type: 'text', text: c.data.replace(/&/g, '&amp;') };
        if (c.nodeType !== 1) return null;
        var attrs = {};
        [].forEach.call(c.attributes, function (a) { attrs[a.name] = a.value; });
        return { name: c.localName, attrs: attrs, children: conv(c) };
      }).filter(Boolean);
    }
    return conv(d.body);
  }
  BUILTIN['wx-rich-text'] = {
    attr: function (e, k, v) {
      if (k !== 'nodes') return;
      while (e.firstChild) e.firstChild.remove();
      richNodes(typeof v === 'string' ? parseHtml(v) : Array.isArray(v) ? v : [], e);
      return true;
    }
  };
  BUILTIN['wx-text'] = {
    attr: function (e, k, v) {
      if (k === 'user-select' || k === 'selectable') { flag(e, 'fc-selectable', !!v); return true; }
      if (k === 'space') { e.setAttribute('space', v); return true; }
      if (k === 'decode') return true;
    }
  };
  function pickerRange(a) {
    var range = a.range || [], key = a['range-key'];
    return range.map(function (x) { return key && x && typeof x === 'object' ? x[key] : x; });
  }
  /* picker mode="region": province / city / district columns from __fc__/region.json (loaded
     on first use); value is names, detail.code the 6-digit division codes; level and
     custom-item as documented */
  var regions = null;
  function loadRegions() {
    if (!regions) {
      regions = fetch('region.json').then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); }).then(function (raw) {
        return raw.map(function (p) {
          return { n: p[0], c: p[1] + '0000', k: p[2].map(function (c) {
            var cc = c[1] && p[1] + c[1];
            return { n: c[0], c: cc ? cc + '00' : '', k: c[2].map(function (d) {
              var m = /^(\d*)(.*)$/.exec(d);
              return { n: m[2], c: cc && m[1] ? cc + m[1] : '', k: [] };
            }) };
          }) };
        });
      });
      regions.catch(function () { regions = null; });
    }
    return regions;
  }
  function regionColumns(box, a) {
    var depth = { province: 1, city: 2 }[a.level] || 3, custom = a['custom-item'], want = Array.isArray(a.value) ? a.value.slice() : [];
    var cols = [], data = null;
    for (var i = 0; i < depth; i++) { cols.push(el('select', 'fc-picker-col fc-region-col', box)); cols[i].size = 5; }
    function picked(i) { var c = cols[i]; return c.__items ? c.__items[+c.value] : null; }
    function fill(i) {
      var above = i ? picked(i - 1) : null, list = i ? (above ? above.k : []) : data;
      var items = (custom ? [{ n: String(custom), c: '', k: [] }] : []).concat(list), col = cols[i], at = 0;
      col.__items = items;
      col.textContent = '';
      items.forEach(function (it, j) { var o = el('option', '', col); o.value = j; o.textContent = it.n; if (it.n === want[i]) at = j; });
      col.value = items.length ? at : '';
      if (i + 1 < depth) fill(i + 1);
    }
    cols.forEach(function (col, i) {
      col.addEventListener('change', function () { want = want.slice(0, i); if (i + 1 < depth) fill(i + 1); });
    });
    loadRegions().then(function (list) { data = list; fill(0); }, function (err) { el('div', 'fc-region-error', box).textContent = 'region data: ' + err.message; });
    return function () {
      if (!data) return null;
      var got = cols.map(function (c, i) { return picked(i) || { n: '', c: '' }; });
      return { value: got.map(function (x) { return x.n; }), code: got.map(function (x) { return x.c; }) };
    };
  }
  BUILTIN['wx-picker'] = {
    init: function (e) {
      e.addEventListener('click', function (ev) {
        var a = e.__fcA || {};
        if (on(a.disabled)) return;
        var mode = a.mode || 'selector';
        var wrap = el('div', 'fc-mask fc-picker-wrap', overlay), box = el('div', 'fc-picker', wrap);
        var bar = el('div', 'fc-picker-bar', box), cancel = el('span', '', bar), ok = el('span', 'fc-ok', bar);
        cancel.textContent = '取消'; ok.textContent = '确定';
        var body_ = el('div', 'fc-picker-body', box), get;
        if (mode === 'selector' || mode === 'multiSelector') {
          var cols = mode === 'selector' ? [pickerRange(a)] : (a.range || []).map(function (col) { return pickerRange({ range: col, 'range-key': a['range-key'] }); });
          var vals = mode === 'selector' ? [+a.value || 0] : (a.value || []);
          var sels = cols.map(function (col, ci) {
            var s = el('select', 'fc-picker-col', body_);
            s.size = 5;
            col.forEach(function (t, i) { var o = el('option', '', s); o.value = i; o.textContent = t; });
            s.value = vals[ci] || 0;
            s.addEventListener('change', function () { if (mode === 'multiSelector') emit(e, 'columnchange', { column: ci, value: +s.value }); });
            return s;
          });
          get = function () { var v = sels.map(function (s) { return +s.value; }); return { value: mode === 'selector' ? v[0] : v }; };
        } else if (mode === 'region') {
          get = regionColumns(body_, a);
        } else {
          var inp = el('input', 'fc-picker-native', body_);
          inp.type = mode === 'time' ? 'time' : 'date';
          inp.value = a.value || '';
          if (a.start) inp.min = a.start;
          if (a.end) inp.max = a.end;
          get = function () { return { value: inp.value }; };
        }
        cancel.onclick = function () { wrap.remove(); emit(e, 'cancel', {}); };
        ok.onclick = function () {
          var d = get();
          if (!d) return;  // region data still loading
          wrap.remove();
          e.__fcVal = d.value;
          emit(e, 'change', d);
        };
        ev.stopPropagation();
      });
    },
    value: function (e) { return e.__fcVal !== undefined ? e.__fcVal : (e.__fcA || {}).value; }
  };
  BUILTIN['wx-video'] = {
    init: function (e) { var v = e.__fcVideo = el('video', 'fc-media', e); v.controls = true; v.addEventListener('play', function () { emit(e, 'play', {}); }); v.addEventListener('pause', function () { emit(e, 'pause', {}); }); v.addEventListener('ended', function () { emit(e, 'ended', {}); }); },
    attr: function (e, k, v) { if (k === 'src') { e.__fcVideo.src = imageSrc(v); return true; } if (k === 'controls') { e.__fcVideo.controls = v !== false; return true; } if (k === 'autoplay' || k === 'loop' || k === 'muted') { e.__fcVideo[k] = !!v; return true; } if (k === 'poster') { e.__fcVideo.poster = imageSrc(v); return true; } }
  };
  BUILTIN['wx-audio'] = {
    init: function (e) { e.__fcAudio = el('audio', 'fc-media', e); e.__fcAudio.controls = true; },
    attr: function (e, k, v) { if (k === 'src') { e.__fcAudio.src = imageSrc(v); return true; } if (k === 'loop') { e.__fcAudio.loop = !!v; return true; } }
  };
  BUILTIN['wx-canvas'] = {
    init: function (e) { e.__fcCanvas = el('canvas', '', e); }
  };
  BUILTIN['wx-cover-image'] = BUILTIN['wx-image'];
  /* web-view: a remote page filling the page, in a sandboxed iframe (allow-same-origin gives
     the remote page its own origin, never ours: src is https, or http to a loopback host that
     the shell admits only in developer mode). The shell's interceptor decides which hosts load;
     a refused frame stays on about:blank, so no commit within WEBVIEW_WAIT ms is an error. */
  var WEBVIEW_WAIT = 5000;
  function webViewUrl(v) {
    var u;
    try { u = new URL(String(v)); } catch (x) { return null; }
    if (u.protocol === 'https:' || u.protocol === 'http:' && /^(localhost|127\.0\.0\.1|\[::1\])$/.test(u.hostname)) return u.href;
    return null;
  }
  function webViewFail(e, src, why) {
    if (e.__fcWv.state !== 'loading') return;
    e.__fcWv.state = 'error';
    clearTimeout(e.__fcWv.timer);
    emit(e, 'error', { url: src.replace(/[?#].*$/, ''), fullUrl: src, src: src, errMsg: why });
  }
  function webViewCommitted(f) {
    try { var d = f.contentDocument; return !d || d.URL !== 'about:blank'; } catch (x) { return true; }
  }
  function webViews(test) {
    doc.querySelectorAll('wx-web-view').forEach(function (e) { var w = e.__fcWv; if (w && w.state === 'loading' && test(w.src)) webViewFail(e, w.src, 'refused'); });
  }
  doc.addEventListener('securitypolicyviolation', function (ev) {
    if (ev.effectiveDirective === 'frame-src') webViews(function (src) { return src === ev.blockedURI || new URL(src).origin === ev.blockedURI; });
  });
  BUILTIN['wx-web-view'] = {
    init: function (e) {
      var f = el('iframe', 'fc-webview', e);
      f.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-modals');
      f.setAttribute('referrerpolicy', 'no-referrer');
      f.setAttribute('allow', '');
      e.__fcWv = { frame: f, state: 'idle', src: '', timer: 0 };
      e.__fcOnRemove = function () { clearTimeout(e.__fcWv.timer); };
      f.addEventListener('load', function () {
        var w = e.__fcWv;
        if (w.state !== 'loading' || !webViewCommitted(f)) return;
        w.state = 'loaded';
        clearTimeout(w.timer);
        emit(e, 'load', { src: w.src });
      });
    },
    attr: function (e, k, v) {
      if (k !== 'src') return;
      var w = e.__fcWv, url = v ? webViewUrl(v) : null;
      clearTimeout(w.timer);
      w.src = url || String(v || '');
      w.state = v ? 'loading' : 'idle';
      if (!url) { w.frame.removeAttribute('src'); if (v) webViewFail(e, w.src, 'only https pages can be opened'); return true; }
      w.frame.src = url;
      w.timer = setTimeout(function () { if (!webViewCommitted(w.frame)) webViewFail(e, url, 'refused or no answer'); }, WEBVIEW_WAIT);
      return true;
    }
  };
  /* picker-view: columns scroll and snap; the middle row is the value */
  function pvColumns(pv) { return [].filter.call(pv.children, function (c) { return c.localName === 'wx-picker-view-column'; }); }
  function rowHeight(col) { var r = col.firstElementChild; return (r && r.offsetHeight) || 34; }
  function pvLayout(pv) {
    var value = (pv.__fcA && pv.__fcA.value) || [];
    pvColumns(pv).forEach(function (col, i) {
      var h = rowHeight(col), pad = Math.max(0, (pv.clientHeight - h) / 2);
      col.style.paddingTop = col.style.paddingBottom = pad + 'px';
      col.__fcIdx = +value[i] || 0;
      col.scrollTop = col.__fcIdx * h;
    });
  }
  BUILTIN['wx-picker-view'] = {
    attr: function (e, k) { if (k === 'value' && e.isConnected) requestAnimationFrame(function () { pvLayout(e); }); },
    mounted: function (e) { requestAnimationFrame(function () { pvLayout(e); }); }
  };
  BUILTIN['wx-picker-view-column'] = {
    init: function (col) {
      var timer = 0;
      col.addEventListener('scroll', function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var pv = col.parentNode, h = rowHeight(col), n = col.children.length;
          var idx = Math.max(0, Math.min(n - 1, Math.round(col.scrollTop / h)));
          if (Math.abs(col.scrollTop - idx * h) > 1) col.scrollTop = idx * h;
          if (idx === col.__fcIdx || !pv) return;
          col.__fcIdx = idx;
          emit(pv, 'change', { value: pvColumns(pv).map(function (c) { return c.__fcIdx || 0; }) });
        }, 120);
      }, { passive: true });
    }
  };
  /* movable-view: drag inside its movable-area */
  BUILTIN['wx-movable-view'] = {
    init: function (e) {
      e.__fcX = 0; e.__fcY = 0;
      var start = null;
      e.addEventListener('pointerdown', function (ev) {
        var a = e.__fcA || {};
        if (a.disabled || (a.direction || 'none') === 'none') return;
        start = { x: ev.clientX - e.__fcX, y: ev.clientY - e.__fcY };
        if (e.setPointerCapture && ev.pointerId !== undefined) try { e.setPointerCapture(ev.pointerId); } catch (x) { /* synthetic */ }
      });
      e.addEventListener('pointermove', function (ev) {
        if (!start) return;
        var a = e.__fcA || {}, dir = a.direction;
        moveTo(e, dir === 'vertical' ? e.__fcX : ev.clientX - start.x, dir === 'horizontal' ? e.__fcY : ev.clientY - start.y, 'touch');
      });
      e.addEventListener('pointerup', function () { start = null; });
    },
    attr: function (e, k, v) {
      if (k === 'x' || k === 'y') { requestAnimationFrame(function () { moveTo(e, k === 'x' ? +v || 0 : e.__fcX, k === 'y' ? +v || 0 : e.__fcY, ''); }); return true; }
    }
  };
  function moveTo(e, x, y, source) {
    var area = e.parentNode, a = e.__fcA || {};
    if (area && a['out-of-bounds'] !== true) {
      x = Math.max(0, Math.min(x, area.clientWidth - e.offsetWidth));
      y = Math.max(0, Math.min(y, area.clientHeight - e.offsetHeight));
    }
    if (x === e.__fcX && y === e.__fcY) return;
    e.__fcX = x; e.__fcY = y;
    e.style.transform = 'translate(' + x + 'px,' + y + 'px)';
    if (source) emit(e, 'change', { x: x, y: y, source: source });
  }
  window.__fcView = { nodes: nodes, pages: pages, api: VIEW_API };
})();
