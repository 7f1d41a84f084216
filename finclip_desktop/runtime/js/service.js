/* FinClip logic layer: runs in a dedicated Web Worker. App/Page/Component, setData,
   compiled-template rendering into minimal DOM patches for the view, events, routing, wx. */
'use strict';
/* no WebRTC or WebTransport in the logic layer: their sockets would pass by the host's
   domain rules (the shell guards the page's frames; the CSP covers workers only in part) */
Object.getOwnPropertyNames(self).forEach(function (n) {
  if (/^(webkit)?RTC|^WebTransport/.test(n)) Object.defineProperty(self, n, { value: undefined, writable: false, configurable: false });
});
var __fc = self.__fc = (function () {
  var F = {}, defs = {}, cache = {}, wxmlDefs = {}, wxmlMods = {};
  var post = function (m) { self.postMessage(m); };
  var warn = function () { console.warn.apply(console, ['[finclip]'].concat([].slice.call(arguments))); };
  var BLOCKED = Object.create(null);  // members templates never reach ({__proto__: 1} would set no key)
  ['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__'].forEach(function (k) { BLOCKED[k] = 1; });
  var hasOwn = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };

  /* ---------------------------------------------------------------- modules */
  function dirname(p) { var i = p.lastIndexOf('/'); return i < 0 ? '' : p.slice(0, i); }
  function normalize(p) {
    var out = [];
    p.split('/').forEach(function (s) {
      if (s === '..') out.pop(); else if (s && s !== '.') out.push(s);
    });
    return out.join('/');
  }
  var loadedSubs = {};
  function loadSub(path) {
    var roots = F.config.subpackages || [];
    for (var i = 0; i < roots.length; i++) {
      if (path.lastIndexOf(roots[i] + '/', 0) === 0 && !loadedSubs[i]) {
        loadedSubs[i] = true;
        try { importScripts('sub/' + i + '.js'); } catch (e) { if (e.name !== 'SyntaxError') throw e; F.isolate(i); }
        return true;
      }
    }
    return false;
  }
  F.loadSub = loadSub;
  /* the isolated start (isolated.js, used when service.js does not parse): every module
     comes from its own file (mod/<n>.js); a broken one is reported with its file:line:col
     through the error event the engine fires while dispatching, the others still load */
  var loader = new EventTarget(), isolating = null;
  loader.addEventListener('load', function () { importScripts(isolating.file); });
  F.isolate = function (sub) {
    (F.config.mods || []).forEach(function (m, n) {
      if (m[1] !== (sub === undefined ? -1 : sub)) return;
      isolating = { file: 'mod/' + n + '.js', failed: null };
      loader.dispatchEvent(new Event('load'));
      var failed = isolating.failed;
      isolating = null;
      if (failed) reportError(m[0] + ':' + failed.lineno + ':' + failed.colno + ': ' +
        String(failed.message).replace(/^Uncaught /, '').replace("Failed to execute 'importScripts' on 'WorkerGlobalScope': ", ''));
    });
  };
  function resolve(from, p) {
    var found = lookup(normalize(p.charAt(0) === '/' ? p : dirname(from) + '/' + p));
    // a bare package path (not ./ ../ or /): miniprogram_npm of each folder up to the root
    for (var dir = dirname(from); !found && /^[^./]/.test(p); dir = dirname(dir)) {
      found = lookup(normalize(dir + '/miniprogram_npm/' + p));
      if (!dir) break;
    }
    if (found) return found;
    throw new Error('module "' + p + '" is not defined (required from ' + from + ')');
  }
  function lookup(base) {
    var tries = [base, base + '.js', base + '/index.js', base + '.wxs'];
    loadSub(base);
    for (var i = 0; i < tries.length; i++) if (defs[tries[i]]) return tries[i];
    return null;
  }
  function req(path) {
    if (cache[path]) return cache[path].exports;
    if (!defs[path]) loadSub(path);
    var fn = defs[path];
    if (!fn) throw new Error('module "' + path + '" is not defined');
    var m = cache[path] = { exports: {} };
    fn.call(m.exports, function (p) { return req(resolve(path, p)); }, m, m.exports);
    return m.exports;
  }
  F.define = function (path, fn) { defs[path] = fn; };
  F.wxml = function (path, fn) { wxmlDefs[path] = fn; };
  function mod(path) {
    if (!wxmlMods[path]) {
      if (!wxmlDefs[path]) loadSub(path);
      if (!wxmlDefs[path]) throw new Error('template file "' + path + '" is not defined');
      wxmlMods[path] = wxmlDefs[path](C);
    }
    return wxmlMods[path];
  }
  self.getRegExp = function (p, f) { return new RegExp(p, f); };
  self.getDate = function () { return new (Function.prototype.bind.apply(Date, [null].concat([].slice.call(arguments))))(); };

  /* ---------------------------------------------------------------- render helpers */
  var C = F.C = { inst: null };
  C.s = function (v) { return v == null ? '' : String(v); };
  C.m = function (o, k) { return o == null || BLOCKED[k] === 1 ? undefined : o[k]; };
  /* templates never change logic data: array mutators (sort, push, ...) run on a copy, and
     WXS functions (a module's own members) get copies of their arguments */
  var MUTATORS = { copyWithin: 1, fill: 1, pop: 1, push: 1, reverse: 1, shift: 1, sort: 1, splice: 1, unshift: 1 };
  function copies(a) {
    return a.map(function (v) {
      if (v === null || typeof v !== 'object') return v;
      try { return structuredClone(v); } catch (e) { return v; }  // e.g. a WXS module object
    });
  }
  C.c = function (o, k, a) {
    var f = C.m(o, k);
    var own = o != null && hasOwn(o, k);  // a WXS module's function (call/apply/bind are not)
    if (typeof f !== 'function' || (typeof o === 'function' && !own)) { warn('cannot call "' + k + '": not a function'); return undefined; }
    if (own) return f.apply(o, copies(a));
    // a WXS callback (l.map(m.f)) sees a deep copy of the items; sort/push/... a shallow one
    if (a.some(function (x) { return typeof x === 'function'; })) return f.apply(copies([o])[0], a);
    return f.apply(Array.isArray(o) && MUTATORS[k] === 1 ? o.slice() : o, a);
  };
  C.f = function (f, a) { return typeof f === 'function' ? f.apply(undefined, copies(a)) : undefined; };
  C.req = function (p) { return req(p); };
  C.t = function (x) { return { x: C.s(x), id: 0, p: null }; };
  function flat(list, out) {
    for (var i = 0; i < list.length; i++) {
      var v = list[i];
      if (v == null) continue;
      if (Array.isArray(v)) flat(v, out); else out.push(v);
    }
    return out;
  }
  var builtinSet = null;
  function domTag(tag) {
    if (!builtinSet) { builtinSet = {}; F.config.builtins.forEach(function (t) { builtinSet[t] = 1; }); }
    return tag.indexOf('-') >= 0 && !builtinSet[tag] ? tag : 'wx-' + tag;
  }
  function prefixClass(inst, cls) {
    if (!inst || !inst.__prefix || cls == null) return cls;
    var ext = inst.__ext, pre = inst.__prefix, shared = inst.__shared;
    return String(cls).split(/\s+/).filter(Boolean).map(function (c) {
      if (ext && hasOwn(ext, c)) return inst.__extVal[c] || '';
      return shared ? pre + '-' + c + ' ' + c : pre + '-' + c;
    }).join(' ');
  }
  var HOST_ATTRS = { id: 1, 'class': 1, style: 1, hidden: 1, slot: 1 };
  C.e = function (tag, attrs, evs, kids) {
    var inst = C.inst, v = { t: null, a: null, ds: null, ev: evs, c: flat(kids, []), k: null, o: inst, id: 0, p: null };
    var a = {}, ds = null, comp = inst.__using[tag];
    for (var n in attrs) {
      var val = attrs[n];
      if (n.charCodeAt(0) === 100 && n.lastIndexOf('data-', 0) === 0) {
        (ds || (ds = {}))[camel(n.slice(5))] = val;
        continue;
      }
      if (n === 'class' || (n === 'hover-class' && val !== 'none')) val = prefixClass(inst, val);
      else if (n === 'src' && typeof val === 'string' && val && !/^([a-z][a-z0-9+.-]*:|\/)/i.test(val)) {
        val = '/' + normalize(dirname(inst.__tpl) + '/' + val);  // relative to the page/component
      }
      if (comp && !HOST_ATTRS[n]) continue;
      if (n === 'hidden') { if (!val || val === 'false') continue; val = true; }
      a[n] = val;
    }
    if (inst.__prefix) a['fc-c'] = inst.__prefix;
    v.ds = ds || {};
    if (tag === 'text' && ('decode' in a || a.space)) v.c = textKids(v.c, a);
    if (comp) {
      var def = getComponentDef(comp);
      v.cp = comp;
      v.pr = attrs;
      a['class'] = (a['class'] ? a['class'] + ' ' : '') + def.prefix + '-host';
      v.lc = v.c;
      v.c = [];
    }
    v.t = domTag(tag);
    v.a = a;
    return v;
  };
  function camel(s) { return s.replace(/-([a-z])/g, function (_, c) { return c.toUpperCase(); }); }
  /* <text space="ensp|emsp|nbsp"> widens its spaces; <text decode> decodes the entities
     WeChat documents (static text inside <text> is compiled raw) */
  var SPACES = { ensp: '\u2002', emsp: '\u2003', nbsp: '\u00a0' };
  var ENTITIES = { nbsp: '\u00a0', lt: '<', gt: '>', amp: '&', apos: "'", ensp: '\u2002', emsp: '\u2003' };
  function textKids(kids, a) {
    var sp = SPACES[a.space], dec = 'decode' in a && a.decode !== false && a.decode !== 'false';
    return kids.map(function (k) {
      if (k.x === undefined) return k;
      var x = sp ? k.x.replace(/ /g, sp) : k.x;
      if (dec) x = x.replace(/&(nbsp|lt|gt|amp|apos|ensp|emsp);/g, function (_, n) { return ENTITIES[n]; });
      return x === k.x ? k : { x: x, id: 0, p: null };
    });
  }
  C.l = function (s, list, key, itemName, indexName, fn, memo) {
    var inst = C.inst, cache = inst.__memo || (inst.__memo = {}), hit;
    if (memo && s === C.root && (hit = cache[memo[0]]) && hit.list === list) {
      var ch = inst.__changed, same = true;
      for (var d = 1; d < memo.length && same; d++) if (ch.has(memo[d])) same = false;
      if (same) return hit.out;
    }
    var out = loop(s, list, key, itemName, indexName, fn);
    if (memo && s === C.root) cache[memo[0]] = { list: list, out: out };
    return out;
  };
  function loop(s, list, key, itemName, indexName, fn) {
    var out = [], keys = null, n = 0;
    if (Array.isArray(list)) n = list.length;
    else if (typeof list === 'number') n = list > 0 ? Math.floor(list) : 0;
    else if (typeof list === 'string') { list = list.split(''); n = list.length; }
    else if (list && typeof list === 'object') { keys = Object.keys(list); n = keys.length; }
    for (var i = 0; i < n; i++) {
      var item = keys ? list[keys[i]] : typeof list === 'number' ? i : list[i];
      var index = keys ? keys[i] : i;
      var sc = Object.create(s);
      sc[itemName] = item;
      sc[indexName] = index;
      var res = fn(sc);
      var nodes = Array.isArray(res) ? flat(res, []) : res == null ? [] : [res];
      var k = key == null ? null : key === '*this' ? item : C.m(item, key);
      if (key != null && (typeof k === 'object' || k === undefined)) k = i;
      for (var j = 0; j < nodes.length; j++) {
        if (key != null) nodes[j].k = nodes.length > 1 ? k + '#' + j : k;
        out.push(nodes[j]);
      }
    }
    return out;
  }
  C.tpl = function (M, name, data) {
    var owner = M, t = M.t[name];
    for (var i = M.i.length - 1; !t && i >= 0; i--) { owner = mod(M.i[i]); t = owner.t[name]; }
    if (!t) { warn('template "' + name + '" not found'); return null; }
    return t(Object.assign(Object.create(null), owner.w, data));
  };
  C.inc = function (path, s) {
    var M = mod(path);
    return M.r(Object.assign(Object.create(s), M.w));
  };
  C.slot = function (name) {
    var inst = C.inst, content = (inst.__slots && inst.__slots[name || '']) || [];
    return { t: 'wx-slot', a: {}, ds: {}, ev: null, c: content.slice(), k: null, o: inst, id: 0, p: null };
  };
  function rootScope(data, w) { return Object.assign(Object.create(null), data, w); }

  /* ---------------------------------------------------------------- data paths */
  function parsePath(path) {
    var parts = [], re = /([^.[\]]+)|\[(\d+)\]/g, m;
    while ((m = re.exec(path))) parts.push(m[1] !== undefined ? m[1] : Number(m[2]));
    return parts;
  }
  function setPath(obj, parts, value) {
    for (var i = 0; i < parts.length - 1; i++) {
      var k = parts[i], next = obj[k];
      if (next == null || typeof next !== 'object') next = obj[k] = typeof parts[i + 1] === 'number' ? [] : {};
      obj = next;
    }
    obj[parts[parts.length - 1]] = value;
  }
  function getPath(obj, parts) {
    for (var i = 0; i < parts.length && obj != null; i++) obj = obj[parts[i]];
    return obj;
  }
  function clone(v) { return v === undefined ? undefined : JSON.parse(JSON.stringify(v)); }

  /* ---------------------------------------------------------------- instances */
  var nodes = new Map(), nextId = 1, insts = [], dirty = new Set(), ops = [], flushQueued = false;
  var seq = 0, pendingCbs = [], ackCbs = {};
  function queueFlush() {
    if (flushQueued) return;
    flushQueued = true;
    Promise.resolve().then(flush);
  }
  function flush() {
    flushQueued = false;
    var list = Array.from(dirty).sort(function (a, b) { return a.__n - b.__n; });
    dirty.clear();
    list.forEach(function (inst) { if (inst.__alive) render(inst); });
    if (!ops.length && !pendingCbs.length) return;
    seq++;
    if (pendingCbs.length) { ackCbs[seq] = pendingCbs; pendingCbs = []; }
    post({ t: 'ops', seq: seq, ops: ops });
    ops = [];
  }
  F.flushNow = flush;

  function render(inst) {
    dirty.delete(inst);
    var prev = C.inst;
    C.inst = inst;
    var tree;
    try {
      tree = renderTree(inst);
    } catch (e) {
      C.inst = prev;
      reportError(e);
      return;
    }
    C.inst = prev;
    diffChildren(inst.__root, inst.__tree, tree);
    inst.__tree = tree;
  }

  function renderTree(inst) {
    var M = mod(inst.__tpl), prevRoot = C.root;
    if (!inst.__changed) inst.__changed = new Set();
    var pure = inst.__def && inst.__def.options && inst.__def.options.pureDataPattern, data = inst.data;
    if (pure instanceof RegExp) {
      data = {};
      Object.keys(inst.data).forEach(function (k) { if (!pure.test(k)) data[k] = inst.data[k]; });
    }
    C.root = rootScope(data, M.w);
    try { return flat([M.r(C.root)], []); }
    finally { C.root = prevRoot; inst.__changed.clear(); }
  }
  function sameNode(a, b) { return a.t === b.t && a.cp === b.cp && (a.x === undefined) === (b.x === undefined); }
  function evNames(v) {
    var out = [];
    if (v.ev) v.ev.forEach(function (e) {
      var names = e[1] & 8 ? (e[0] === 'value' ? ['input', 'change'] : ['change']) : [e[0]];
      names.forEach(function (n) { if (out.indexOf(n) < 0) out.push(n); });
    });
    return out.join(',');
  }

  function mount(v, parent, created) {
    v.id = nextId++;
    v.p = parent;
    nodes.set(v.id, v);
    if (v.x !== undefined) return [v.id, v.x];
    var kids = v.c;
    if (v.cp) {
      var child = createComponent(v, parent);
      created.push(child);
      kids = child.__tree = childTree(child);
    }
    var out = [];
    for (var i = 0; i < kids.length; i++) out.push(mount(kids[i], v, created));
    return [v.id, v.t, v.a, evNames(v), out];
  }
  function childTree(inst) {
    var prev = C.inst;
    C.inst = inst;
    var tree;
    try { tree = renderTree(inst); } catch (e) { reportError(e); tree = []; }
    C.inst = prev;
    dirty.delete(inst);
    return tree;
  }
  function unmount(v, detached) {
    nodes.delete(v.id);
    if (v.ci) {
      v.ci.__tree.forEach(function (c) { unmount(c, detached); });
      detached.push(v.ci);
    } else if (v.c) v.c.forEach(function (c) { if (c.p === v) unmount(c, detached); });
  }
  function mountAndAttach(parentV, prevId, v) {
    var created = [];
    ops.push(['c', parentV.id, prevId, mount(v, parentV, created)]);
    created.forEach(function (inst) { lifetime(inst, 'attached'); linkRelations(inst); });
    created.forEach(function (inst) { inst.__attachedDone = true; });
    if (created.length) readyQueue.push.apply(readyQueue, created.slice().reverse());
  }

  function patch(o, n) {
    n.id = o.id;
    n.p = o.p;
    nodes.set(n.id, n);
    if (n.x !== undefined) { if (o.x !== n.x) ops.push(['t', n.id, n.x]); return; }
    var oa = o.a, na = n.a, k;
    for (k in na) if (na[k] !== oa[k] && !(typeof na[k] === 'object' && JSON.stringify(na[k]) === JSON.stringify(oa[k]))) ops.push(['a', n.id, k, na[k]]);
    for (k in oa) if (!(k in na)) ops.push(['a', n.id, k, null]);
    var oe = evNames(o), ne = evNames(n);
    if (oe !== ne) ops.push(['e', n.id, ne]);
    if (n.cp) {
      var inst = n.ci = o.ci;
      inst.__host = n;
      inst.__root = n;
      updateProps(inst, n.pr, n.lc);
      render(inst);
      return;
    }
    diffChildren(n, o.c, n.c);
  }

  function diffChildren(parentV, olds, news) {
    var i, j, o, n;
    for (j = 0; j < news.length; j++) news[j].p = parentV;
    if (olds === news) return;
    var used = new Array(olds.length), matchOf = new Array(news.length), keyed = null, u = 0;
    for (i = 0; i < olds.length; i++) if (olds[i].k != null) (keyed || (keyed = new Map())).set(olds[i].t + '\u0000' + olds[i].k, i);
    for (j = 0; j < news.length; j++) {
      n = news[j];
      var m = -1;
      if (n.k != null) {
        if (keyed) { var kk = keyed.get(n.t + '\u0000' + n.k); if (kk !== undefined && !used[kk] && sameNode(olds[kk], n)) m = kk; }
      } else {
        while (u < olds.length && (olds[u].k != null || used[u])) u++;
        if (u < olds.length && sameNode(olds[u], n)) m = u++;
      }
      if (m >= 0) used[m] = true;
      matchOf[j] = m;
    }
    var detached = [];
    for (i = 0; i < olds.length; i++) if (!used[i]) { ops.push(['r', olds[i].id]); unmount(olds[i], detached); }
    detached.forEach(function (inst) { destroyComponent(inst); });
    var last = -1, prevId = 0;
    for (j = 0; j < news.length; j++) {
      n = news[j];
      var mi = matchOf[j];
      if (mi >= 0) {
        o = olds[mi];
        if (o !== n) patch(o, n); else { nodes.set(n.id, n); }
        if (mi < last) ops.push(['m', parentV.id, n.id, prevId]); else last = mi;
      } else mountAndAttach(parentV, prevId, n);
      prevId = n.id;
    }
  }

  /* ---------------------------------------------------------------- components */
  var compDefs = {}, readyQueue = [], instCounter = 0;
  function getComponentDef(path) {
    var d = compDefs[path];
    if (d) return d;
    var cfg = F.config.components[path];
    F.defining = { kind: 'component', path: path };
    try { req(path + '.js'); } catch (e) { reportError(e); }
    F.defining = null;
    d = compDefs[path];
    if (!d) { d = compDefs[path] = normalizeDef({}); }
    d.prefix = cfg.prefix;
    d.using = cfg.using;
    d.styleIsolation = cfg.styleIsolation;  // from the component's JSON
    d.path = path;
    return d;
  }
  var TYPE_DEFAULT = function (t) {
    return t === String ? '' : t === Number ? 0 : t === Boolean ? false : t === Array ? [] : null;
  };
  function normalizeDef(def) {
    var out = { props: {}, data: {}, methods: {}, life: {}, pageLife: {}, observers: [], ext: def.externalClasses || [], options: def.options || {}, raw: def, behaviors: def.behaviors || [] };
    var life = ['created', 'attached', 'ready', 'moved', 'detached', 'error'];
    var all = (def.behaviors || []).filter(function (b) { return b && b.__behavior; }).map(function (b) { return b.__behavior; });
    if ((def.behaviors || []).indexOf('wx://form-field') >= 0) all.unshift({ properties: { name: String, value: null } });
    all.push(def);
    all.forEach(function (d) {
      var props = d.properties || {};
      Object.keys(props).forEach(function (k) {
        var p = props[k], spec = typeof p === 'function' || p === null ? { type: p } : p;
        out.props[k] = { type: spec.type, value: 'value' in spec ? spec.value : TYPE_DEFAULT(spec.type), observer: spec.observer, optional: spec.optionalTypes };
      });
      Object.assign(out.data, clone(d.data || {}));
      Object.assign(out.methods, d.methods || {});
      life.forEach(function (l) {
        var f = (d.lifetimes && d.lifetimes[l]) || d[l];
        if (typeof f === 'function') (out.life[l] || (out.life[l] = [])).push(f);
      });
      var pl = d.pageLifetimes || {};
      Object.keys(pl).forEach(function (l) { (out.pageLife[l] || (out.pageLife[l] = [])).push(pl[l]); });
      var obs = d.observers || {};
      Object.keys(obs).forEach(function (k) {
        out.observers.push({ fields: k.split(',').map(function (s) { return s.trim(); }), fn: obs[k] });
      });
    });
    return out;
  }
  function coerce(spec, v) {
    if (v === undefined) return clone(spec.value);
    var t = spec.type;
    if (t === Number && typeof v === 'string' && v !== '' && !isNaN(+v)) return +v;
    if (t === String && typeof v === 'number') return String(v);
    if (t === Boolean && typeof v !== 'boolean') return !!v && v !== 'false';
    return v;
  }
  function groupSlots(light) {
    var slots = { '': [] };
    light.forEach(function (v) {
      var name = (v.a && v.a.slot) || '';
      (slots[name] || (slots[name] = [])).push(v);
    });
    return slots;
  }
  function baseMethods(inst) {
    inst.setData = function (obj, cb) { setData(inst, obj, cb); };
    var exported = function (c) { return typeof c.export === 'function' ? c.export() : c; };
    inst.selectComponent = function (sel) { var c = selectComponents(inst, sel)[0]; return c ? exported(c) : null; };
    inst.selectAllComponents = function (sel) { return selectComponents(inst, sel).map(exported); };
    inst.selectOwnerComponent = function () { return inst.__host ? inst.__host.o : null; };
    inst.createSelectorQuery = function () { return wx.createSelectorQuery().in(inst); };
    inst.createIntersectionObserver = function (opts) { return wx.createIntersectionObserver(inst, opts); };
    inst.getPageId = function () { return 'pageId:' + (inst.__page ? inst.__page.__n : inst.__n); };
    inst.getRelationNodes = function (path) {
      var key = relationKey(inst, path);
      return ((inst.__links || {})[key] || []).filter(function (c) { return c.__alive; });
    };
    inst.hasBehavior = function (b) { return !!(inst.__def && inst.__def.behaviors && inst.__def.behaviors.indexOf(b) >= 0); };
    inst.getOpenerEventChannel = function () { return (inst.__page || inst).__channel || new EventChannel(); };
  }
  function createComponent(v, parent) {
    var def = getComponentDef(v.cp);
    var inst = Object.create(null);
    baseMethods(inst);
    inst.__n = ++instCounter;
    inst.__def = def;
    inst.__host = v;
    inst.__root = v;
    inst.__tree = [];
    inst.__tpl = v.cp + '.wxml';
    inst.__using = def.using;
    inst.__prefix = def.prefix;
    var iso = def.options.styleIsolation || def.styleIsolation;
    inst.__shared = def.options.addGlobalClass || iso === 'apply-shared' || iso === 'shared';
    inst.__alive = true;
    inst.__page = parent && parent.o ? (parent.o.__page || parent.o) : null;
    inst.__ext = null;
    if (def.ext.length) { inst.__ext = {}; def.ext.forEach(function (c) { inst.__ext[c] = 1; }); }
    inst.__extVal = {};
    inst.is = v.cp;
    inst.id = v.a.id || '';
    inst.dataset = v.ds;
    inst.data = clone(def.data);
    Object.keys(def.props).forEach(function (k) { inst.data[k] = clone(def.props[k].value); });
    inst.properties = inst.data;
    Object.keys(def.methods).forEach(function (k) { inst[k] = def.methods[k]; });
    if (typeof def.raw.export === 'function') inst.export = def.raw.export;
    inst.triggerEvent = function (name, detail, opts) { triggerEvent(inst, name, detail, opts || {}); };
    v.ci = inst;
    lifetime(inst, 'created');
    updateProps(inst, v.pr, v.lc, true);
    insts.push(inst);
    return inst;
  }
  function updateProps(inst, attrs, light, initial) {
    var def = inst.__def, changed = [], k;
    inst.__slots = groupSlots(light || []);
    for (k in attrs) {
      var name = camel(k);
      if (inst.__ext && hasOwn(inst.__ext, k)) { inst.__extVal[k] = prefixClass(inst.__host.o, attrs[k]); continue; }
      var spec = def.props[name];
      if (!spec) continue;
      var val = coerce(spec, attrs[k]), old = inst.data[name];
      if (val === old && (typeof val !== 'object' || val === null)) continue;
      if (!initial && typeof val === 'object' && JSON.stringify(val) === JSON.stringify(old)) continue;
      inst.data[name] = typeof val === 'object' ? clone(val) : val;
      (inst.__changed || (inst.__changed = new Set())).add(name);
      changed.push([name, inst.data[name], old, spec]);
    }
    changed.forEach(function (c) {
      if (c[3].observer) {
        var ob = typeof c[3].observer === 'string' ? inst[c[3].observer] : c[3].observer;
        if (typeof ob === 'function') safe(function () { ob.call(inst, c[1], c[2], [c[0]]); });
      }
    });
    if (changed.length) runObservers(inst, changed.map(function (c) { return [c[0]]; }));
  }
  function lifetime(inst, name, args) {
    var fns = inst.__def.life[name];
    if (fns) fns.forEach(function (f) { safe(function () { f.apply(inst, args || []); }); });
  }
  /* relations: both sides declare each other (parent/child, ancestor/descendant) */
  var COMPLEMENT = { parent: 'child', child: 'parent', ancestor: 'descendant', descendant: 'ancestor' };
  function relationKey(inst, p) { return normalize(p.charAt(0) === '/' ? p : dirname(inst.is) + '/' + p); }
  function relationsOf(inst) {
    var rel = inst.__def && inst.__def.raw && inst.__def.raw.relations, out = [];
    if (rel) Object.keys(rel).forEach(function (k) { out.push({ path: relationKey(inst, k), key: k, spec: rel[k] || {} }); });
    return out;
  }
  function callRelation(inst, r, name, other) {
    var f = r.spec[name];
    if (typeof f === 'function') safe(function () { f.call(inst, other); });
  }
  function linkRelations(child) {
    relationsOf(child).forEach(function (r) {
      if (r.spec.type !== 'parent' && r.spec.type !== 'ancestor') return;
      for (var n = child.__host.p; n; n = n.p) {
        if (!n.ci) continue;
        if (n.ci.is === r.path) {
          var back = relationsOf(n.ci).filter(function (x) { return x.path === child.is && x.spec.type === COMPLEMENT[r.spec.type]; })[0];
          if (back) {
            var links = n.ci.__links || (n.ci.__links = {}), mine = child.__links || (child.__links = {});
            (links[back.path] || (links[back.path] = [])).push(child);
            mine[r.path] = [n.ci];
            (child.__linked || (child.__linked = [])).push([n.ci, back, r]);
            callRelation(child, r, 'linked', n.ci);
            callRelation(n.ci, back, 'linked', child);
          }
          break;
        }
        if (r.spec.type === 'parent') break;  // a parent is the nearest component only
      }
    });
  }
  function unlinkRelations(child) {
    (child.__linked || []).forEach(function (l) {
      var parent = l[0], back = l[1], list = (parent.__links || {})[back.path] || [];
      var i = list.indexOf(child);
      if (i >= 0) list.splice(i, 1);
      callRelation(child, l[2], 'unlinked', parent);
      callRelation(parent, back, 'unlinked', child);
    });
    child.__linked = null;
  }
  function destroyComponent(inst) {
    inst.__alive = false;
    unlinkRelations(inst);
    lifetime(inst, 'detached');
    var i = insts.indexOf(inst);
    if (i >= 0) insts.splice(i, 1);
  }
  function runObservers(inst, changedPaths) {
    var obs = inst.__def && inst.__def.observers;
    if (!obs || !obs.length) return;
    obs.forEach(function (o) {
      var hit = o.fields.some(function (f) {
        var fp = f.replace(/\.\*\*$/, '');
        var deep = fp !== f || f === '**';
        var fparts = parsePath(fp);
        return f === '**' || changedPaths.some(function (cp) {
          var n = Math.min(cp.length, fparts.length);
          for (var i = 0; i < n; i++) if (String(cp[i]) !== String(fparts[i])) return false;
          return cp.length <= fparts.length || deep || true;
        });
      });
      if (hit) safe(function () {
        o.fn.apply(inst, o.fields.map(function (f) { return f === '**' ? inst.data : getPath(inst.data, parsePath(f.replace(/\.\*\*$/, ''))); }));
      });
    });
  }
  function selectComponents(owner, sel) {
    var out = [];
    var want = sel.charAt(0) === '#' ? { id: sel.slice(1) } : sel.charAt(0) === '.' ? { cls: sel.slice(1) } : { tag: sel };
    function walk(list) {
      list.forEach(function (v) {
        if (v.x !== undefined) return;
        if (v.ci && v.o === owner) {
          var cls = (v.pr['class'] || '').split(/\s+/);
          if ((want.id && v.a.id === want.id) || (want.cls && cls.indexOf(want.cls) >= 0) || (want.tag && v.t === domTag(want.tag))) out.push(v.ci);
        }
        if (v.ci) walk(v.lc || []); else walk(v.c || []);
      });
    }
    walk(owner.__tree);
    return out;
  }

  function setData(inst, obj, cb) {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      reportError(new TypeError('setData(' + (obj === null ? 'null' : Array.isArray(obj) ? 'array' : typeof obj) + '): the first argument must be an object of data paths and values'));
      return;
    }
    var changed = [];
    Object.keys(obj).forEach(function (key) {
      var parts = parsePath(key);
      if (!parts.length) return;
      var val = obj[key];
      setPath(inst.data, parts, val === undefined ? undefined : clone(val));
      changed.push(parts);
      (inst.__changed || (inst.__changed = new Set())).add(String(parts[0]));
    });
    if (inst.__def && inst.__def.props) runObservers(inst, changed);
    if (typeof cb === 'function') pendingCbs.push(cb.bind(inst));
    if (inst.__alive) { dirty.add(inst); queueFlush(); } else if (cb) queueFlush();
  }

  /* ---------------------------------------------------------------- events */
  var BUBBLES = { tap: 1, longpress: 1, longtap: 1, touchstart: 1, touchmove: 1, touchend: 1, touchcancel: 1 };
  function target(v) { return { id: (v.a && v.a.id) || '', dataset: v.ds || {}, offsetLeft: 0, offsetTop: 0 }; }
  function pathOf(v, composed) {
    var path = [], owner = v.o;
    for (var n = v; n; n = n.p) {
      if (n.x !== undefined || !n.t) continue;
      if (composed || n.o === owner) path.push(n);
    }
    return path;
  }
  function dispatch(tv, type, detail, opts, extra) {
    if (!tv) return;
    var path = pathOf(tv, opts.composed), ev = Object.assign({
      type: type, timeStamp: Date.now() - startTime, target: target(tv), currentTarget: null,
      detail: detail === undefined ? {} : detail, mark: {}
    }, extra || {});
    var stopped = false, mutDone = false;
    function run(node, captureWanted) {
      if (!node.ev) return;
      for (var i = 0; i < node.ev.length && !stopped; i++) {
        var e = node.ev[i], flags = e[1];
        if (flags & 8) continue;
        if (e[0] !== type || !!(flags & 2) !== captureWanted) continue;
        if ((flags & 4) && mutDone) continue;
        if (flags & 4) mutDone = true;
        ev.currentTarget = target(node);
        callHandler(node.o, e[2], ev, type);
        if (flags & 1) stopped = true;
      }
    }
    if (opts.capturePhase) for (var c = path.length - 1; c >= 0 && !stopped; c--) run(path[c], true);
    var bubbles = opts.bubbles;
    for (var b = 0; b < path.length && !stopped; b++) {
      run(path[b], false);
      if (!bubbles) break;
    }
  }
  /* custom components with behaviors: ['wx://form-field'] take part in form submit */
  function formFields(v, values) {
    (v.c || []).concat(v.ci ? v.ci.__tree : []).forEach(function (n) {
      if (n.x !== undefined) return;
      var c = n.ci;
      if (c && c.__def.behaviors.indexOf('wx://form-field') >= 0 && c.data.name) values[c.data.name] = c.data.value;
      formFields(n, values);
    });
  }
  function callHandler(owner, handler, ev, type) {
    if (typeof handler !== 'string' || !handler) return;
    var fn = owner && owner[handler];
    if (typeof fn !== 'function') {
      warn('Component "' + (owner ? owner.is || owner.route : '?') + '" does not have a method "' + handler + '" to handle event "' + type + '".');
      return;
    }
    safe(function () { fn.call(owner, ev); });
  }
  function triggerEvent(inst, name, detail, opts) {
    var host = inst.__host;
    dispatch(host, name, detail, { bubbles: !!opts.bubbles, composed: !!opts.composed, capturePhase: !!opts.capturePhase });
  }
  function viewEvent(m) {
    var v = nodes.get(m.id);
    if (!v) return;
    if (v.ev) v.ev.forEach(function (e) {
      if (!(e[1] & 8)) return;
      if (m.type !== 'change' && !(m.type === 'input' && e[0] === 'value')) return;
      var d = {}, val = m.detail && (e[0] in m.detail ? m.detail[e[0]] : m.detail.value);
      d[e[2]] = val;
      setData(v.o, d);
    });
    var extra = {};
    if (m.touches) { extra.touches = m.touches; extra.changedTouches = m.changedTouches || m.touches; }
    if (m.type === 'submit' && m.detail && m.detail.value) formFields(v, m.detail.value);
    var bub = !!BUBBLES[m.type];
    dispatch(v, m.type, m.detail, { bubbles: bub, composed: bub, capturePhase: true }, extra);
  }

  /* ---------------------------------------------------------------- app and pages */
  var appDef = null, appInst = null, pageDefs = {}, stack = [], tabAlive = {}, startTime = Date.now();
  var launched = false;
  var appDefault = null;
  self.App = function (def) {
    appDef = def || {};
    if (appDefault) Object.keys(appDefault).forEach(function (k) { if (!(k in appDef)) appDef[k] = appDefault[k]; });
    appInst = appDef;
  };
  self.getApp = function (opts) {
    if (appInst || !(opts && opts.allowDefault)) return appInst || undefined;
    return appDefault || (appDefault = {});
  };
  self.Page = function (def) {
    if (!F.defining || F.defining.kind !== 'page') { warn('Page() called outside a page module'); return; }
    pageDefs[F.defining.path] = { kind: 'page', def: def || {} };
  };
  self.Component = function (def) {
    def = def || {};
    if (F.defining && F.defining.kind === 'page') { pageDefs[F.defining.path] = { kind: 'component', def: def }; return; }
    if (!F.defining) { warn('Component() called outside a component module'); return; }
    compDefs[F.defining.path] = normalizeDef(def);
  };
  self.Behavior = function (def) { return { __behavior: def || {} }; };
  self.getCurrentPages = function () { return stack.slice(); };

  var earlyErrors = [];  // reported before App() (module loading, app.js): for App.onError
  function reportError(e) {
    // isolated start: a frame in __fc__/mod/<n>.js is that line of the module's own file
    var msg = String(e && e.stack || e).replace(/__fc__\/mod\/(\d+)\.js/g, function (all, n) {
      var m = (F.config.mods || [])[n];
      return m ? m[0] : all;
    });
    console.error('[finclip]', msg);
    post({ t: 'error', msg: msg });
    if (!appInst) { if (earlyErrors) earlyErrors.push(msg); }
    else if (typeof appInst.onError === 'function') {
      try { appInst.onError(msg); } catch (x) { console.error(x); }
    }
  }
  function safe(fn) { try { return fn(); } catch (e) { reportError(e); } }
  self.addEventListener('unhandledrejection', function (ev) {
    if (appInst && typeof appInst.onUnhandledRejection === 'function') {
      safe(function () { appInst.onUnhandledRejection({ reason: ev.reason, promise: ev.promise }); });
    }
  });
  self.addEventListener('error', function (ev) {
    if (isolating) { isolating.failed = ev; ev.preventDefault(); return; }  // F.isolate reports it
    reportError(ev.error || ev.message);
  });

  function parseUrl(url, from) {
    url = String(url || '');
    var q = url.indexOf('?'), path = q >= 0 ? url.slice(0, q) : url, query = {};
    if (q >= 0) url.slice(q + 1).split('&').forEach(function (kv) {
      if (!kv) return;
      var e = kv.indexOf('=');
      var k = e >= 0 ? kv.slice(0, e) : kv, v = e >= 0 ? kv.slice(e + 1) : '';
      try { query[decodeURIComponent(k)] = decodeURIComponent(v); } catch (x) { query[k] = v; }
    });
    var route = normalize(path.charAt(0) === '/' ? path : dirname(from || '') + '/' + path);
    return { route: route, query: query };
  }
  function pageCall(page, name, args) {
    var f = page[name];
    if (typeof f === 'function') return safe(function () { return f.apply(page, args || []); });
  }
  function pageLifeToComponents(page, name, args) {
    insts.forEach(function (c) {
      if (c.__page === page && c.__def.pageLife[name]) c.__def.pageLife[name].forEach(function (f) { safe(function () { f.apply(c, args || []); }); });
    });
  }
  function createPage(route, query) {
    var entry = pageDefs[route];
    if (!entry) {
      F.defining = { kind: 'page', path: route };
      loadSub(route);
      try { req(route + '.js'); } catch (e) { if (defs[route + '.js']) reportError(e); }
      F.defining = null;
      entry = pageDefs[route] || { kind: 'page', def: {} };
      pageDefs[route] = entry;
    }
    var cfg = F.config.pages[route], def = entry.def;
    var page = Object.create(null);
    baseMethods(page);
    if (entry.kind === 'component') {
      var nd = normalizeDef(def);
      page.__def = nd;
      page.data = clone(nd.data);
      Object.keys(nd.props).forEach(function (k) { page.data[k] = query[k] !== undefined ? coerce(nd.props[k], query[k]) : clone(nd.props[k].value); });
      Object.keys(nd.methods).forEach(function (k) { page[k] = nd.methods[k]; });
    } else {
      Object.keys(def).forEach(function (k) { if (k !== 'data') page[k] = def[k]; });
      page.data = clone(def.data || {});
      page.__def = { props: {}, observers: [], life: {}, pageLife: {} };
    }
    page.__n = ++instCounter;
    page.__kind = entry.kind;
    page.__tpl = route + '.wxml';
    page.__using = cfg.using;
    page.__prefix = '';
    page.__alive = true;
    page.__tree = [];
    page.__shown = false;
    page.route = route;
    page.__route__ = route;
    page.options = query;
    page.is = route;
    page.__root = { t: 'wx-page', a: { route: route }, ds: {}, ev: null, c: [], id: nextId++, p: null, o: page };
    nodes.set(page.__root.id, page.__root);
    ops.push(['P', page.__root.id, route]);
    if (entry.kind === 'component') lifetime(page, 'created');
    render(page);
    if (entry.kind === 'component') lifetime(page, 'attached');
    return page;
  }
  /* a Component() page has its methods copied onto the page: onLoad runs once, on the page */
  function loadPage(page, query) { pageCall(page, 'onLoad', [query]); }
  function preload(route) {
    var rule = (F.config.app.preloadRule || {})[route], subs = F.config.app.subpackages || F.config.app.subPackages || [];
    if (!rule || !rule.packages) return;
    setTimeout(function () {
      rule.packages.forEach(function (name) {
        var sub = subs.filter(function (s) { return s.name === name || s.root === name || String(s.root).replace(/^\/|\/$/g, '') === name; })[0];
        if (sub) safe(function () { loadSub(String(sub.root).replace(/^\/|\/$/g, '') + '/'); });
      });
    }, 0);
  }
  function showPage(page) {
    preload(page.route);
    ops.push(['S', page.__root.id, page.route, stack.length]);
    reportStack();
    page.__shown = true;
    pageCall(page, 'onShow');
    pageLifeToComponents(page, 'show');
    queueFlush();
  }
  function hidePage(page) {
    if (!page.__shown) return;
    page.__shown = false;
    pageCall(page, 'onHide');
    pageLifeToComponents(page, 'hide');
  }
  function unloadPage(page) {
    hidePage(page);
    pageCall(page, 'onUnload');
    page.__alive = false;
    var detached = [];
    page.__tree.forEach(function (v) { unmount(v, detached); });
    detached.forEach(destroyComponent);
    if (page.__kind === 'component') lifetime(page, 'detached');
    nodes.delete(page.__root.id);
    ops.push(['X', page.__root.id]);
    delete tabAlive[page.route];
    queueFlush();
  }
  /* the view keeps the latest stack for `finclip dev` (window.__fcDev.stack(), docs/architecture.md) */
  function reportStack() {
    post({ t: 'stack', stack: stack.map(function (p) {
      var q = {};
      Object.keys(p.options || {}).forEach(function (k) { q[k] = String(p.options[k]); });
      return { route: p.route, query: q };
    }) });
  }
  function isTab(route) {
    var tb = F.config.app.tabBar;
    return !!(tb && tb.list && tb.list.some(function (i) { return normalize(i.pagePath) === route; }));
  }
  function openPage(route, query, channel) {
    var page = createPage(route, query);
    page.__channel = channel;
    stack.push(page);
    if (isTab(route)) tabAlive[route] = page;
    loadPage(page, query);
    showPage(page);
    return page;
  }
  F.painted = function (pid) {
    var page = stack.concat(Object.keys(tabAlive).map(function (k) { return tabAlive[k]; })).filter(function (p) { return p.__root.id === pid; })[0];
    var ready = readyQueue;
    readyQueue = [];
    ready.forEach(function (c) { if (c.__alive) lifetime(c, 'ready'); });
    if (page && !page.__ready) {
      page.__ready = true;
      if (page.__kind === 'component') lifetime(page, 'ready');
      pageCall(page, 'onReady');
    }
  };

  /* routing: each function changes the page stack and returns its result; wx.navigateTo & co.
     wrap them as async APIs (buildWx), the view's back button and tabBar call them directly */
  function done(api, extra) { return Object.assign({ errMsg: api + ':ok' }, extra || {}); }
  function fail(api, msg) { return { errMsg: api + ':fail ' + msg }; }
  function current() { return stack[stack.length - 1]; }
  function checkRoute(api, o) {
    var cur = current(), u = parseUrl(o && o.url, cur ? cur.route : '');
    if (!F.config.pages[u.route]) return { err: fail(api, 'page "' + u.route + '" is not found') };
    return u;
  }
  var routing = {
    navigateTo: function (o) {
      var u = checkRoute('navigateTo', o);
      if (u.err) return u.err;
      if (isTab(u.route)) return fail('navigateTo', 'can not navigateTo a tabbar page');
      if (stack.length >= 10) return fail('navigateTo', 'webview count limit exceed');
      var channel = new EventChannel(o.events);
      hidePage(current());
      openPage(u.route, u.query, channel);
      return done('navigateTo', { eventChannel: channel });
    },
    redirectTo: function (o) {
      var u = checkRoute('redirectTo', o);
      if (u.err) return u.err;
      if (isTab(u.route)) return fail('redirectTo', 'can not redirectTo a tabbar page');
      var cur = stack.pop();
      if (cur) { if (tabAlive[cur.route] === cur) hidePage(cur); else unloadPage(cur); }
      openPage(u.route, u.query);
      return done('redirectTo');
    },
    navigateBack: function (o) {
      var delta = Math.max(1, (o && o.delta) | 0 || 1);
      if (stack.length <= 1) return fail('navigateBack', 'cannot navigate back at first page.');
      delta = Math.min(delta, stack.length - 1);
      for (var i = 0; i < delta; i++) {
        var p = stack.pop();
        if (tabAlive[p.route] === p) hidePage(p); else unloadPage(p);
      }
      showPage(current());
      return done('navigateBack');
    },
    switchTab: function (o) {
      var u = checkRoute('switchTab', o);
      if (u.err) return u.err;
      if (!isTab(u.route)) return fail('switchTab', 'can not switch to no-tabBar page');
      var cur = current();
      if (cur && cur.route === u.route) return done('switchTab');  // already showing: no onHide/onShow
      while (stack.length) {
        var p = stack.pop();
        if (tabAlive[p.route] === p) hidePage(p); else unloadPage(p);
      }
      var target = tabAlive[u.route];
      if (target) { stack.push(target); showPage(target); }
      else openPage(u.route, {});
      return done('switchTab');
    },
    reLaunch: function (o) {
      var u = checkRoute('reLaunch', o);
      if (u.err) return u.err;
      while (stack.length) unloadPage(stack.pop());
      Object.keys(tabAlive).forEach(function (k) { unloadPage(tabAlive[k]); });
      openPage(u.route, u.query);
      return done('reLaunch');
    }
  };
  function route(api, args, cb) { cb(routing[api](args)); }
  function EventChannel(listeners) {
    var ls = {};
    Object.keys(listeners || {}).forEach(function (k) { ls[k] = [listeners[k]]; });
    this.on = function (n, f) { (ls[n] || (ls[n] = [])).push(f); };
    this.once = function (n, f) { var self_ = this; var g = function (d) { self_.off(n, g); f(d); }; this.on(n, g); };
    this.off = function (n, f) { ls[n] = (ls[n] || []).filter(function (x) { return f && x !== f; }); };
    this.emit = function (n, d) { (ls[n] || []).slice().forEach(function (f) { safe(function () { f(d); }); }); };
  }

  /* ---------------------------------------------------------------- wx */
  var wx = self.wx = {}, callId = 0, callbacks = {}, hostListeners = {}, tasks = {};
  /* ArrayBuffers cross the JSON bridge as {__fcBuffer: "<base64>"}, in both directions */
  function bufferToWire(bytes) {
    var bin = '';
    for (var i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return { __fcBuffer: btoa(bin) };
  }
  function toWire(v) {
    if (v == null || typeof v !== 'object') return v;
    if (v instanceof ArrayBuffer) return bufferToWire(new Uint8Array(v));
    if (ArrayBuffer.isView(v)) return bufferToWire(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    var out = v;
    Object.keys(v).forEach(function (k) {
      var w = toWire(v[k]);
      if (w !== v[k]) { if (out === v) out = Array.isArray(v) ? v.slice() : Object.assign({}, v); out[k] = w; }
    });
    return out;
  }
  function fromWire(v) {
    if (v == null || typeof v !== 'object') return v;
    var keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '__fcBuffer' && typeof v.__fcBuffer === 'string') {
      var bin = atob(v.__fcBuffer), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return bytes.buffer;
    }
    keys.forEach(function (k) { v[k] = fromWire(v[k]); });
    return v;
  }
  function bridgeCall(api, args, cb) {
    var id = ++callId;
    callbacks[id] = cb;
    post({ t: 'call', id: id, api: api, args: toWire(args || {}) });
  }
  function viewCall(api, args, cb) {
    var id = ++callId;
    callbacks[id] = cb;
    F.flushNow();
    var page = current();  // the page the call is made for (navigation bar overrides are per page)
    post({ t: 'api', id: id, api: api, args: args || {}, pid: page ? page.__root.id : 0 });
  }
  /* success is "<api>:ok" or "<api>:ok <detail>"; anything else (a path ending in "ok" included) fails */
  var OK = /^[^:\s]+:ok( |$)/;
  function isOk(errMsg) { return OK.test(String(errMsg || '')); }
  /* argument checks in the worker, in capabilities/schema.py's words: the argument object
     itself (every async API), and the schemas of view APIs (support.VIEW_SCHEMAS) */
  function typeName(v) {
    if (v === null) return 'Null';
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return 'ArrayBuffer';
    if (Array.isArray(v)) return 'Array';
    var t = typeof v;
    return t.charAt(0).toUpperCase() + t.slice(1);
  }
  function shapeError(o) {
    return o == null || typeName(o) === 'Object' ? null : 'parameter error: arguments should be Object instead of ' + typeName(o);
  }
  function argError(api, args) {
    var schema = (F.config.viewSchemas || {})[api] || {};
    for (var name in schema) {
      var s = schema[name], v = args[name], t = typeName(v), types = s.type.split('|');
      var why = 'parameter error: ' + name;
      if (v == null) { if (s.required) return why + ' is required'; continue; }
      if (types.indexOf('Any') < 0 && types.indexOf(t) < 0) return why + ' should be ' + types.join(' or ') + ' instead of ' + t;
      if (s.enum && s.enum.indexOf(v) < 0) return why + ' should be one of ' + s.enum.join(', ');
      if (t === 'Number' && s.min != null && v < s.min) return why + ' should be at least ' + s.min;
      if (t === 'Number' && s.max != null && v > s.max) return why + ' should be at most ' + s.max;
      if (s.max_len != null && (t === 'String' || t === 'Array') && v.length > s.max_len) return why + ' is longer than ' + s.max_len;
    }
    return null;
  }
  function checked(call) {
    return function (api, args, cb) {
      var why = argError(api, args);
      if (why) cb({ errMsg: api + ':fail ' + why }); else call(api, args, cb);
    };
  }
  function asyncApi(api, call) {
    return function (o) {
      var bad = shapeError(o);
      o = bad ? {} : o || {};
      var args = {};
      Object.keys(o).forEach(function (k) { if (typeof o[k] !== 'function') args[k] = o[k]; });
      var p = new Promise(function (resolve, reject) {
        if (bad) { reject({ errMsg: api + ':fail ' + bad }); return; }
        call(api, args, function (res) {
          res = res || { errMsg: api + ':ok' };
          if (isOk(res.errMsg)) { if (o.success) safe(function () { o.success(res); }); resolve(res); }
          else { if (o.fail) safe(function () { o.fail(res); }); reject(res); }
          if (o.complete) safe(function () { o.complete(res); });
        });
      });
      if (o.success || o.fail || o.complete) { p.catch(function () {}); return undefined; }
      return p;
    };
  }
  function syncApi(api, names) {
    return function () {
      var args = {}, first = arguments[0];
      // one plain object is the args object (e.g. truncateSync({filePath, length})), else positional
      if (arguments.length === 1 && first && Object.getPrototypeOf(first) === Object.prototype) args = first;
      else if (names.length) for (var i = 0; i < arguments.length && i < names.length; i++) args[names[i]] = arguments[i];
      else if (first && typeof first === 'object') args = first;
      var res = invokeSync(api, args);
      if (!isOk(res.errMsg)) throw new Error(res.errMsg || api + ':fail');
      delete res.errMsg;
      var keys = Object.keys(res);
      if (!keys.length) return undefined;
      if (keys.length === 1 && keys[0] === 'data') return res.data;
      return res;
    };
  }
  // The shell's limit (shell/bridge.py MAX_ARGS_BYTES) on a sync call's UTF-8 JSON: a larger
  // call is refused here, so it never crosses into the host (its header stays under 3 MiB).
  var SYNC_MAX_BYTES = 1048576;
  function invokeSync(api, args) {
    try {
      var body = JSON.stringify({ api: api, args: toWire(args) });
      if (body.length * 3 > SYNC_MAX_BYTES && new TextEncoder().encode(body).length > SYNC_MAX_BYTES) {
        return { errMsg: api + ':fail parameter error: arguments over ' + SYNC_MAX_BYTES + ' bytes' };
      }
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/__bridge__/invoke', false);
      xhr.setRequestHeader('X-Finclip-Call', encodeURIComponent(body));
      xhr.send();
      return fromWire(JSON.parse(xhr.responseText));
    } catch (e) {
      return { errMsg: api + ':fail ' + (e && e.message || e) };
    }
  }
  function eventApi(name) {
    var on = name.indexOf('on') === 0, base = name.slice(on ? 2 : 3), host = base.charAt(0).toLowerCase() + base.slice(1);
    return function (cb) {
      var ls = hostListeners[host] || (hostListeners[host] = []);
      if (on) { if (typeof cb === 'function') ls.push(cb); }
      else hostListeners[host] = cb ? ls.filter(function (f) { return f !== cb; }) : [];
    };
  }
  /* UpdateManager: updateReady / updateFailed reach listeners added later too */
  var updateSeen = {};
  function onUpdate(name, f) {
    if (typeof f !== 'function') return;
    (hostListeners[name] || (hostListeners[name] = [])).push(f);
    if (updateSeen[name]) safe(function () { f({}); });
  }
  function taskApi(api) {
    return function (o) {
      o = o || {};
      var taskId = 't' + (++callId), listeners = {};
      var task = { __ls: listeners };
      ['onProgressUpdate', 'onHeadersReceived', 'onOpen', 'onMessage', 'onClose', 'onError', 'onChunkReceived'].forEach(function (n) {
        var type = n.charAt(2).toLowerCase() + n.slice(3);
        task[n] = function (f) { (listeners[type] || (listeners[type] = [])).push(f); };
        task['off' + n.slice(2)] = function (f) { listeners[type] = (listeners[type] || []).filter(function (x) { return x !== f; }); };
      });
      // SocketTask.send/close answer as WeChat's sendSocketMessage / closeSocket
      var operate = function (operation, label) {
        return function (a) {
          a = a || {};
          var args = { taskId: taskId, operation: operation };
          Object.keys(a).forEach(function (k) { if (typeof a[k] !== 'function') args[k] = a[k]; });
          bridgeCall('_operateTask', args, function (r) {
            var msg = String(r && r.errMsg || '_operateTask:ok'), ok = isOk(msg);
            r = Object.assign({}, r, { errMsg: label + msg.slice(msg.indexOf(':')) });
            if (ok && a.success) safe(function () { a.success(r); });
            if (!ok && a.fail) safe(function () { a.fail(r); });
            if (a.complete) safe(function () { a.complete(r); });
          });
        };
      };
      task.abort = operate('abort', api);
      task.close = operate('close', 'closeSocket');
      task.send = operate('send', 'sendSocketMessage');
      tasks[taskId] = task;
      asyncApi(api, bridgeCall)(Object.assign({}, o, {
        taskId: taskId, success: o.success, fail: o.fail,
        complete: function (r) { if (o.complete) o.complete(r); if (api !== 'connectSocket') delete tasks[taskId]; }
      }));
      return task;
    };
  }
  function hostEvent(name, payload) {
    if (name === 'updateReady' || name === 'updateFailed') updateSeen[name] = true;
    if (name === '__navigate') {
      var r = routing[payload.api];
      if (r) r({ url: payload.url, delta: +payload.delta || 1 });
      return;
    }
    if (name === 'taskEvent' && payload && tasks[payload.taskId]) {
      (tasks[payload.taskId].__ls[payload.type] || []).forEach(function (f) { safe(function () { f(payload); }); });
      return;
    }
    var page = current();
    if (name === 'appShow') {
      if (appInst) pageCall(appInst, 'onShow', [payload || {}]);
      if (page && !page.__shown) { page.__shown = true; pageCall(page, 'onShow'); pageLifeToComponents(page, 'show'); }
    }
    if (name === 'appHide') {
      if (appInst) pageCall(appInst, 'onHide');
      if (page) hidePage(page);
    }
    (hostListeners[name] || []).slice().forEach(function (f) { safe(function () { f(payload); }); });
  }

  /* selector query + intersection observer (answered by the view) */
  function SelectorQuery() { this.__scope = null; this.__q = []; this.__cbs = []; }
  SelectorQuery.prototype.in = function (c) { this.__scope = c; return this; };
  function NodesRef(q, sel, all) { this.q = q; this.sel = sel; this.all = all; }
  NodesRef.prototype.boundingClientRect = function (cb) { return this.fields({ id: true, dataset: true, rect: true, size: true }, cb); };
  NodesRef.prototype.scrollOffset = function (cb) { return this.fields({ id: true, dataset: true, scrollOffset: true }, cb); };
  NodesRef.prototype.fields = function (f, cb) { this.q.__q.push({ sel: this.sel, all: this.all, fields: f, scope: this.q.__scopeId() }); this.q.__cbs.push(cb); return this.q; };
  NodesRef.prototype.node = function (cb) { return this.fields({ node: true }, cb); };
  NodesRef.prototype.context = function (cb) { return this.fields({ context: true }, cb); };
  SelectorQuery.prototype.__scopeId = function () {
    var s = this.__scope;
    if (s && s.__root) return s.__root.id;
    var p = current();
    return p ? p.__root.id : 0;
  };
  SelectorQuery.prototype.__prefix = function () { return this.__scope && this.__scope.__prefix || ''; };
  SelectorQuery.prototype.select = function (s) { return new NodesRef(this, s, false); };
  SelectorQuery.prototype.selectAll = function (s) { return new NodesRef(this, s, true); };
  SelectorQuery.prototype.selectViewport = function () { return new NodesRef(this, ':viewport', false); };
  SelectorQuery.prototype.exec = function (cb) {
    var self_ = this, prefix = this.__prefix();
    var qs = this.__q.map(function (q) { return Object.assign({}, q, { prefix: prefix }); });
    viewCall('_selectorQuery', { queries: qs }, function (res) {
      var results = res.results || [];
      results.forEach(function (r, i) {
        if (r && r.dataset === undefined && Array.isArray(r)) r.forEach(fillDataset); else fillDataset(r);
        if (typeof self_.__cbs[i] === 'function') safe(function () { self_.__cbs[i](r); });
      });
      if (typeof cb === 'function') safe(function () { cb(results); });
    });
  };
  var canvases = {};
  function fillDataset(r) {
    if (!r) return;
    if (r.__nid) { var v = nodes.get(r.__nid); if (v) r.dataset = v.ds; delete r.__nid; }
    if (r.__canvas) {
      var c = canvases[r.__canvas] || (canvases[r.__canvas] = canvasNode(r.__offscreen));
      if (c) r.node = c;
      delete r.__canvas;
      delete r.__offscreen;
    }
  }
  function canvasNode(off) {
    if (!off) return null;
    off.requestAnimationFrame = function (cb) { return setTimeout(function () { cb(Date.now()); }, 16); };
    off.cancelAnimationFrame = function (h) { clearTimeout(h); };
    off.createImage = function () { return { set src(v) { var img = this; fetch(v).then(function (r) { return r.blob(); }).then(createImageBitmap).then(function (b) { img.__bmp = b; img.width = b.width; img.height = b.height; if (img.onload) img.onload(); }, function (e) { if (img.onerror) img.onerror(e); }); } }; };
    var get = off.getContext.bind(off);
    off.getContext = function (type) {
      var ctx = get(type);
      if (ctx && !ctx.__fcWrapped) {
        var draw = ctx.drawImage.bind(ctx);
        ctx.drawImage = function (img) { var a = [].slice.call(arguments); if (img && img.__bmp) a[0] = img.__bmp; return draw.apply(null, a); };
        ctx.__fcWrapped = true;
      }
      return ctx;
    };
    return off;
  }

  function IntersectionObserver(comp, opts) { this.comp = comp; this.opts = opts || {}; this.id = ++callId; this.rel = null; }
  IntersectionObserver.prototype.relativeTo = function (s, m) { this.rel = { sel: s, margins: m }; return this; };
  IntersectionObserver.prototype.relativeToViewport = function (m) { this.rel = { sel: null, margins: m }; return this; };
  IntersectionObserver.prototype.observe = function (sel, cb) {
    var scope = this.comp && this.comp.__root ? this.comp.__root.id : (current() ? current().__root.id : 0);
    observers[this.id] = cb;
    post({ t: 'api', id: 0, api: '_observe', args: { oid: this.id, sel: sel, scope: scope, prefix: this.comp && this.comp.__prefix || '', rel: this.rel, opts: this.opts } });
  };
  IntersectionObserver.prototype.disconnect = function () { delete observers[this.id]; post({ t: 'api', id: 0, api: '_unobserve', args: { oid: this.id } }); };
  var observers = {}, audios = {};

  var WORKER_APIS = {
    nextTick: function (fn) { Promise.resolve().then(function () { F.flushNow(); }).then(fn); },
    createSelectorQuery: function () { return new SelectorQuery(); },
    createIntersectionObserver: function (comp, opts) { return new IntersectionObserver(comp, opts); },
    getCurrentPages: self.getCurrentPages,
    canIUse: canIUse,
    createCanvasContext: function (canvasId, comp) {
      // legacy canvas API: calls are recorded and replayed on the view's <canvas canvas-id>
      var scope = comp && comp.__root ? comp.__root.id : (current() ? current().__root.id : 0);
      var queue = [], ctx = {};
      var SETTERS = { setFillStyle: 'fillStyle', setStrokeStyle: 'strokeStyle', setLineWidth: 'lineWidth',
        setLineCap: 'lineCap', setLineJoin: 'lineJoin', setMiterLimit: 'miterLimit', setGlobalAlpha: 'globalAlpha',
        setTextAlign: 'textAlign', setTextBaseline: 'textBaseline', setShadow: null, setFontSize: null, setLineDash: null };
      Object.keys(SETTERS).forEach(function (n) {
        ctx[n] = function () { queue.push([n, [].slice.call(arguments)]); };
      });
      ['fillRect', 'strokeRect', 'clearRect', 'rect', 'beginPath', 'closePath', 'moveTo', 'lineTo', 'arc', 'arcTo',
        'quadraticCurveTo', 'bezierCurveTo', 'fill', 'stroke', 'clip', 'fillText', 'strokeText', 'save', 'restore',
        'translate', 'rotate', 'scale', 'setTransform', 'transform', 'drawImage'].forEach(function (n) {
        ctx[n] = function () { queue.push([n, [].slice.call(arguments)]); };
      });
      ctx.measureText = function (t) { return { width: String(t).length * 10 * 0.6 }; };
      ['fillStyle', 'strokeStyle', 'lineWidth', 'font', 'globalAlpha', 'textAlign', 'textBaseline', 'lineCap', 'lineJoin'].forEach(function (p) {
        Object.defineProperty(ctx, p, { set: function (v) { queue.push(['=', [p, v]]); } });
      });
      ctx.draw = function (reserve, cb) {
        var ops = queue;
        queue = [];
        viewCall('_canvasDraw', { sel: canvasId, scope: scope, reserve: !!reserve, ops: ops }, function () { if (typeof cb === 'function') safe(cb); });
      };
      return ctx;
    },
    createVideoContext: function (id, comp) {
      var scope = comp && comp.__root ? comp.__root.id : (current() ? current().__root.id : 0);
      var op = function (name) { return function (value) { post({ t: 'api', id: 0, api: '_video', args: { sel: '#' + id, scope: scope, op: name, value: value } }); }; };
      var ctx = {};
      ['play', 'pause', 'stop', 'seek', 'playbackRate', 'requestFullScreen', 'exitFullScreen'].forEach(function (n) { ctx[n] = op(n); });
      ctx.sendDanmu = ctx.showStatusBar = ctx.hideStatusBar = function () {};
      return ctx;
    },
    createInnerAudioContext: function () {
      var aid = ++callId, ls = {}, state = { src: '', autoplay: false, loop: false, volume: 1, startTime: 0, playbackRate: 1 };
      var ctx = { duration: 0, currentTime: 0, paused: true, buffered: 0 };
      var send = function (op, value) { post({ t: 'api', id: 0, api: '_audio', args: { aid: aid, op: op, value: value } }); };
      Object.keys(state).forEach(function (k) {
        Object.defineProperty(ctx, k, { enumerable: true, get: function () { return state[k]; }, set: function (v) { state[k] = v; send('set', { key: k, value: v }); } });
      });
      ['play', 'pause', 'stop', 'seek', 'destroy'].forEach(function (n) { ctx[n] = function (v) { send(n, v); if (n === 'destroy') delete audios[aid]; }; });
      ['Canplay', 'Play', 'Pause', 'Stop', 'Ended', 'TimeUpdate', 'Error', 'Waiting', 'Seeking', 'Seeked'].forEach(function (n) {
        var type = n.toLowerCase();
        ctx['on' + n] = function (f) { (ls[type] || (ls[type] = [])).push(f); };
        ctx['off' + n] = function (f) { ls[type] = f ? (ls[type] || []).filter(function (x) { return x !== f; }) : []; };
      });
      audios[aid] = function (m) {
        ctx.duration = m.duration || 0; ctx.currentTime = m.currentTime || 0; ctx.paused = m.paused !== false;
        (ls[m.type] || []).slice().forEach(function (f) { safe(function () { f(m.type === 'error' ? { errMsg: m.errMsg, errCode: m.errCode } : {}); }); });
      };
      send('create');
      return ctx;
    },
    getUpdateManager: function () {
      return {
        onCheckForUpdate: function (f) { bridgeCall('_checkUpdate', {}, function (r) { safe(function () { f({ hasUpdate: !!(r && r.hasUpdate) }); }); }); },
        onUpdateReady: function (f) { onUpdate('updateReady', f); },
        onUpdateFailed: function (f) { onUpdate('updateFailed', f); },
        applyUpdate: function () { bridgeCall('_applyUpdate', {}, function () {}); }
      };
    },
    getLogManager: function () {
      var log = function (level) { return function () { bridgeCall('_log', { level: level, args: [].slice.call(arguments).map(String) }, function () {}); }; };
      return { log: log('log'), info: log('info'), warn: log('warn'), debug: log('debug') };
    },
    getFileSystemManager: function () {
      var fsm = {};
      F.config.apis.forEach(function (a) {
        if (a[0].indexOf('FileSystemManager.') !== 0) return;
        var m = a[0].slice(18);
        fsm[m] = a[1] === 'sync' ? syncApi(a[0], a[2]) : asyncApi(a[0], bridgeCall);
      });
      var stat = fsm.statSync;
      if (stat) fsm.statSync = function () { var s = stat.apply(null, arguments); return statMethods(s && s.stats || s); };
      return fsm;
    }
  };
  /* wx.canIUse(schema), from __fc__/caniuse.js (loaded on the first call): `api`,
     `api.object.param[.value]` (its declared arguments and their allowed values),
     `api.return|success|callback.field[.sub]` (its declared result fields), `Class[.method]`
     (FileSystemManager.readFile) and `component` (a supported built-in); all else is false */
  function canIUse(schema) {
    if (typeof schema !== 'string' || !schema) return false;
    if (!F.canIUseTable) importScripts('caniuse.js');
    var table = F.canIUseTable, apis = table.apis, parts = schema.split('.');
    var n = parts.length > 1 && hasOwn(apis, parts[0] + '.' + parts[1]) ? 2 : 1;  // Class.method
    var name = parts.slice(0, n).join('.'), method = parts[n], rest = parts.slice(n + 1);
    if (!hasOwn(apis, name)) {  // a component, or a class (FileSystemManager)
      return parts.length === 1 && (table.components.indexOf(name) >= 0 ||
        Object.keys(apis).some(function (a) { return a.lastIndexOf(name + '.', 0) === 0; }));
    }
    if (method === undefined) return true;
    var declared = hasOwn(apis[name], method) ? apis[name][method] : null;
    if (!declared) return false;
    if (method !== 'object') {  // result fields, nested ones dotted
      var field = rest.join('.');
      return !field || declared.some(function (f) { return f === field || f.lastIndexOf(field + '.', 0) === 0; });
    }
    if (!rest.length) return true;
    if (!hasOwn(declared, rest[0]) || rest.length > 2) return false;
    var values = declared[rest[0]];
    return rest.length === 1 || (values !== null && values.map(String).indexOf(rest[1]) >= 0);
  }
  function statMethods(s) {
    if (s && typeof s.isDirectory === 'boolean') { var d = s.isDirectory, f = s.isFile; s.isDirectory = function () { return d; }; s.isFile = function () { return f; }; }
    return s;
  }
  function buildWx() {
    F.config.apis.forEach(function (a) {
      var name = a[0], kind = a[1];
      if (name.indexOf('.') >= 0) return;
      if (kind === 'async') wx[name] = asyncApi(name, bridgeCall);
      else if (kind === 'sync') wx[name] = syncApi(name, a[2] || []);
      else if (kind === 'event') wx[name] = eventApi(name);
      else if (kind === 'task') wx[name] = taskApi(name);
      else if (kind === 'view') wx[name] = WORKER_APIS[name] || asyncApi(name, checked(routing[name] ? route : viewCall));
    });
    Object.keys(routing).forEach(function (n) { if (!wx[n]) wx[n] = asyncApi(n, checked(route)); });
    Object.keys(WORKER_APIS).forEach(function (n) { if (!wx[n]) wx[n] = WORKER_APIS[n]; });
    // WeChat's wx.reportEvent(eventId, data) returns nothing (a failure is logged); the object
    // form {eventName, data, success, fail, complete} answers as any async API
    var report = wx.reportEvent;
    if (report) wx.reportEvent = function (eventId, data) {
      if (typeof eventId !== 'string') return report(eventId);
      report({ eventName: eventId, data: data, fail: function (r) { warn(r.errMsg); } });
    };
    wx.env = { USER_DATA_PATH: 'wxfile://usr' };
    self.wx = wx;
  }

  /* ---------------------------------------------------------------- messages */
  self.onmessage = function (e) {
    var m = e.data;
    switch (m.t) {
      case 'init': return start2(m);
      case 'ev': viewEvent(m); break;
      case 'painted': F.painted(m.pid); break;
      case 'ack': (ackCbs[m.seq] || []).forEach(function (f) { safe(f); }); delete ackCbs[m.seq]; break;
      case 'reply': m.result = fromWire(m.result); /* falls through */
      case 'ret':
        var cb = callbacks[m.id];
        delete callbacks[m.id];
        if (cb) safe(function () { cb(m.result); });
        break;
      case 'event': hostEvent(m.name, fromWire(m.payload)); break;
      case 'tab': tabTap(m.index); break;
      case 'back': routing.navigateBack({}); break;
      case 'audio': if (audios[m.aid]) audios[m.aid](m); break;
      case 'intersect': if (observers[m.oid]) safe(function () { observers[m.oid](m.res); }); break;
      case 'page':
        var p = current();
        if (p && p.__root.id === m.pid) {
          if (m.what === 'scroll') pageCall(p, 'onPageScroll', [{ scrollTop: m.scrollTop }]);
          else if (m.what === 'reachBottom') pageCall(p, 'onReachBottom');
          else if (m.what === 'pullDown') pageCall(p, 'onPullDownRefresh');
          else if (m.what === 'resize') pageCall(p, 'onResize', [{ size: m.size }]);
        }
        break;
    }
    F.flushNow();
  };
  function tabTap(index) {
    var item = F.config.app.tabBar.list[index];
    if (!item) return;
    var route = normalize(item.pagePath), cur = current();
    if (cur && cur.route === route) pageCall(cur, 'onTabItemTap', [{ index: index, pagePath: item.pagePath, text: item.text }]);
    else {
      routing.switchTab({ url: '/' + route });
      pageCall(current(), 'onTabItemTap', [{ index: index, pagePath: item.pagePath, text: item.text }]);
    }
  }
  F.start = function () { buildWx(); post({ t: 'ready' }); };
  function start2(m) {
    if (launched) return;
    launched = true;
    F.system = m.system || {};
    var entry = F.config.entry || F.config.routes[0], launch = { scene: 1001 }, path = m.path, reopen = reopenStack(m.stack);
    if (m.scene) launch.scene = +m.scene || 1001;  // the host put its launch options in the URL
    else if (!path && !reopen.length && F.config.apis.some(function (a) { return a[0] === 'getLaunchOptionsSync'; })) {
      // another host's launch options (asked for: one sync call) choose the entry page
      var lo = invokeSync('_launchOptions', {});  // internal: not counted as the app's call
      if (lo && lo.path) {
        path = lo.path;
        var qs = queryString(lo.query);
        if (qs) path += (path.indexOf('?') >= 0 ? '&' : '?') + qs;
      }
      if (lo && lo.scene) launch.scene = lo.scene;
    }
    var u = reopen.length ? reopen.shift() : parseUrl(path || entry, '');
    if (!F.config.pages[u.route]) {
      notFound = { path: u.route, query: u.query, isEntryPage: true };
      u = { route: entry, query: {} };
    }
    var opts = { path: u.route, query: u.query, scene: launch.scene, referrerInfo: {} };
    F.defining = { kind: 'app', path: 'app' };
    try { if (defs['app.js']) req('app.js'); } catch (e) { reportError(e); }
    F.defining = null;
    var early = earlyErrors;
    earlyErrors = null;  // an app without App() keeps none
    if (appInst) {
      appInst.globalData = appInst.globalData || {};
      pageCall(appInst, 'onLaunch', [opts]);
      pageCall(appInst, 'onShow', [opts]);
      early.forEach(function (msg) { pageCall(appInst, 'onError', [msg]); });
    }
    if (notFound && appInst) pageCall(appInst, 'onPageNotFound', [notFound]);
    openPage(u.route, u.query);
    reopen.forEach(function (p) { routing.navigateTo({ url: '/' + p.route + '?' + queryString(p.query) }); });
    F.flushNow();
  }
  function queryString(q) {
    return Object.keys(q || {}).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(q[k]); }).join('&');
  }
  /* the stack `finclip dev` reopens after a hot reload ([{route, query}], bottom first, from
     the view's `#fcstack=`): unknown routes are dropped, a tab page only as the bottom page */
  function reopenStack(list) {
    var out = [];
    (Array.isArray(list) ? list : []).forEach(function (p) {
      if (!p || typeof p.route !== 'string' || out.length >= 10) return;
      var route = parseUrl('/' + p.route.replace(/^\/+/, ''), '').route, query = {};
      if (!F.config.pages[route] || (out.length && isTab(route))) return;
      if (p.query && typeof p.query === 'object') Object.keys(p.query).forEach(function (k) { query[k] = String(p.query[k]); });
      out.push({ route: route, query: query });
    });
    return out;
  }
  var notFound = null;
  return F;
})();
