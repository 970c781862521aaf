/*
 * Partner support chat widget: the one script a portal page embeds.
 *
 *   <script src="https://BOT/widget.js" data-title="Partner support" data-color="#0f6cbd" async></script>
 *
 * It adds a launcher button; opening it loads the official Bot Framework Web Chat bundle from the
 * bot, asks the bot for a Direct Line token (never a secret) and shows the conversation in a panel.
 * A reload within the bot's resume window continues the same conversation.
 *
 * Its words (title, buttons, status lines) are the widget... messages of the bot's
 * dialogs/messages.yaml: the bot puts them into this file as it serves it (`words` below).
 *
 * data- attributes (all optional):
 *   data-title             panel title (default: widgetTitle in messages.yaml)
 *   data-launcher-label    launcher text (default: widgetLauncherLabel)
 *   data-color             accent colour: launcher, header, buttons (default #0f6cbd)
 *   data-header-text-color text colour on the accent (default #ffffff)
 *   data-bot-avatar        URL of the bot's avatar image
 *   data-bot-initials      initials shown when there is no avatar image (default: widgetBotInitials)
 *   data-position          "right" (default) or "left"
 *   data-locale            e.g. "en-GB" (default: the page's language)
 *   data-open              "true" opens the panel on load
 *   data-transport         "websocket" (default) or "polling"
 *   data-token-url         token endpoint (default: the bot's /api/webchat/token)
 *
 * The page can also call window.PartnerSupportChat.open(), .close() and .newConversation().
 */
(function () {
  'use strict';
  if (window.PartnerSupportChat) return;

  /** The words, from dialogs/messages.yaml (JSON, escaped for a script, put in by the bot). */
  var words = __WIDGET_WORDS__;
  var script = document.currentScript;
  var data = (script && script.dataset) || {};
  var botOrigin = new URL(script ? script.src : location.href, location.href).origin;
  var bundleUrl = botOrigin + '__WEBCHAT_BUNDLE__';
  var tokenUrl = data.tokenUrl || botOrigin + '/api/webchat/token';
  var storeKey = 'partner-support-chat:' + botOrigin;
  var title = data.title || words.title;
  var accent = safeColor(data.color, '#0f6cbd');
  var onAccent = safeColor(data.headerTextColor, '#ffffff');
  var left = data.position === 'left';
  var transport = data.transport === 'polling' ? 'polling' : 'websocket';
  var locale = data.locale || document.documentElement.lang || navigator.language || 'en-US';

  /** Fills a message's {name} placeholders; one without a value is left as it is. */
  function fill(template, values) {
    return template.replace(/\{([^{}]*)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  /** Only plain colour values reach the style sheet. */
  function safeColor(value, fallback) {
    return typeof value === 'string' && /^(#[0-9a-f]{3,8}|[a-z]{3,20}|rgba?\([\d\s.,%]+\)|hsla?\([\d\s.,%deg]+\))$/i.test(value.trim()) ? value.trim() : fallback;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      node.appendChild(c);
    });
    return node;
  }

  function loadState() {
    try {
      return JSON.parse(localStorage.getItem(storeKey) || '{}') || {};
    } catch (e) {
      return {};
    }
  }
  function saveState(state) {
    try {
      localStorage.setItem(storeKey, JSON.stringify(state));
    } catch (e) {
      /* private mode: the conversation just won't survive a reload */
    }
  }
  function wasOpen() {
    try {
      return sessionStorage.getItem(storeKey + ':open') === '1';
    } catch (e) {
      return false;
    }
  }
  function rememberOpen(open) {
    try {
      sessionStorage.setItem(storeKey + ':open', open ? '1' : '0');
    } catch (e) {
      /* ignore */
    }
  }

  var css =
    '.psc-launcher{position:fixed;bottom:20px;' + (left ? 'left' : 'right') + ':20px;z-index:2147483000;display:flex;align-items:center;gap:8px;' +
    'padding:12px 18px;border:0;border-radius:999px;background:' + accent + ';color:' + onAccent + ';font:600 15px/1.2 "Segoe UI",system-ui,sans-serif;' +
    'box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}' +
    '.psc-launcher:hover{filter:brightness(1.08)}' +
    '.psc-launcher:focus-visible,.psc-header button:focus-visible{outline:3px solid ' + accent + ';outline-offset:3px}' +
    '.psc-launcher svg{width:20px;height:20px;fill:currentColor}' +
    '.psc-badge{min-width:20px;height:20px;padding:0 6px;box-sizing:border-box;border-radius:10px;background:#c50f1f;color:#fff;font-size:12px;line-height:20px;text-align:center}' +
    '.psc-badge[hidden]{display:none}' +
    '.psc-root .psc-panel{margin:0;padding:0;border:0;box-sizing:border-box;position:fixed;bottom:20px;' + (left ? 'left' : 'right') + ':20px;z-index:2147483001;width:380px;max-width:calc(100vw - 40px);' +
    'height:600px;max-height:calc(100vh - 40px);display:flex;flex-direction:column;background:#fff;border-radius:12px;overflow:hidden;' +
    'box-shadow:0 8px 30px rgba(0,0,0,.3);font-family:"Segoe UI",system-ui,sans-serif}' +
    '.psc-root .psc-panel[hidden]{display:none}' +
    '.psc-root.psc-open .psc-launcher{display:none}' +
    '.psc-header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:' + accent + ';color:' + onAccent + '}' +
    '.psc-header h2{flex:1;margin:0;font-size:16px;font-weight:600;color:inherit;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}' +
    '.psc-header img{width:28px;height:28px;border-radius:50%;object-fit:cover;background:#fff}' +
    '.psc-header button{display:flex;align-items:center;gap:4px;min-width:44px;min-height:36px;padding:6px 8px;border:1px solid rgba(255,255,255,.5);' +
    'border-radius:6px;background:transparent;color:inherit;font:inherit;font-size:13px;cursor:pointer}' +
    '.psc-header button:hover{background:rgba(255,255,255,.15)}' +
    '.psc-body{position:relative;flex:1;min-height:0}' +
    '.psc-body>.psc-chat{position:absolute;inset:0}' +
    '.psc-status{padding:24px 16px;color:#333;font-size:14px;text-align:center}' +
    '.psc-status button{margin-top:12px;padding:8px 14px;border:0;border-radius:6px;background:' + accent + ';color:' + onAccent + ';font:inherit;cursor:pointer}' +
    // Follow-up buttons: whole questions wrap, compact enough that an answer and its buttons fit together.
    '.psc-panel .webchat__suggested-actions--flow-layout .webchat__suggested-actions__flow-box{padding:4px 6px 6px}' +
    '.psc-panel .webchat__suggested-actions--flow-layout .webchat__suggested-actions__flow-item-box{max-width:100%;padding:0 3px;margin:3px 0}' +
    '.psc-panel .webchat__suggested-actions--flow-layout .webchat__suggested-action{height:auto;min-height:32px;padding:4px 10px;max-width:100%;font-size:13px;line-height:1.3}' +
    '.psc-panel .webchat__suggested-actions--flow-layout .webchat__suggested-action__text{white-space:normal;overflow:visible;text-overflow:clip;text-align:left}' +
    '@media (max-width:520px){.psc-root .psc-panel{inset:0;width:100vw;max-width:none;height:100%;max-height:none;border-radius:0}}' +
    '@media (prefers-reduced-motion:no-preference){.psc-panel{animation:psc-in .15s ease-out}}' +
    '@keyframes psc-in{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}';

  var icon = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';
  var root = el('div', { class: 'psc-root' });
  var launcher = el('button', { type: 'button', class: 'psc-launcher', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': 'psc-panel' });
  launcher.innerHTML = icon;
  var launcherLabel = data.launcherLabel || words.launcherLabel;
  launcher.appendChild(el('span', { text: launcherLabel }));
  var badge = el('span', { class: 'psc-badge', hidden: '' });
  launcher.appendChild(badge);
  var unread = 0;
  /** Messages from the bot that arrive while the panel is closed (say, partner support taking a ticket). */
  function setUnread(n) {
    unread = n;
    badge.textContent = String(n);
    badge.hidden = n === 0;
    launcher.setAttribute('aria-label', n === 0 ? launcherLabel : fill(n === 1 ? words.unreadOne : words.unreadMany, { label: launcherLabel, count: n }));
  }

  var heading = el('h2', { id: 'psc-title', text: title });
  var newButton = el('button', { type: 'button', class: 'psc-new', 'aria-label': words.newLabel, title: words.newHint, text: words.newButton });
  var closeButton = el('button', { type: 'button', class: 'psc-close', 'aria-label': words.closeLabel, title: words.closeLabel, text: '\u2715' });
  var headerChildren = [heading, newButton, closeButton];
  if (data.botAvatar) headerChildren.unshift(el('img', { src: data.botAvatar, alt: '' }));
  var body = el('div', { class: 'psc-body' });
  var panel = el('div', { id: 'psc-panel', class: 'psc-panel', role: 'dialog', 'aria-labelledby': 'psc-title', hidden: '' }, [
    el('div', { class: 'psc-header' }, headerChildren),
    body,
  ]);
  root.appendChild(launcher);
  root.appendChild(panel);

  var bundle;
  function loadBundle() {
    if (!bundle) {
      bundle = new Promise(function (resolve, reject) {
        if (window.WebChat) return resolve(window.WebChat);
        var s = el('script', { src: bundleUrl, async: '' });
        s.onload = function () {
          resolve(window.WebChat);
        };
        s.onerror = function () {
          bundle = undefined;
          reject(new Error(words.bundleFailed));
        };
        document.head.appendChild(s);
      });
    }
    return bundle;
  }

  function requestToken(body) {
    return fetch(tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), credentials: 'omit' }).then(function (res) {
      return res.json().then(
        function (json) {
          if (!res.ok) throw new Error(json && json.message ? json.message : fill(words.serviceAnswered, { status: res.status }));
          return json;
        },
        function () {
          throw new Error(fill(words.serviceAnswered, { status: res.status }));
        },
      );
    });
  }

  var session = null; // { directLine, container, subscription }
  var connecting = null;
  var renewals = 0;

  function showStatus(message, retry) {
    var box = el('div', { class: 'psc-status', role: 'status' }, [el('p', { text: message })]);
    if (retry) {
      var again = el('button', { type: 'button', text: words.tryAgain });
      again.addEventListener('click', function () {
        connect(false);
      });
      box.appendChild(again);
    }
    body.replaceChildren(box);
  }

  function end() {
    if (!session) return;
    try {
      if (session.subscription) session.subscription.unsubscribe();
      if (session.arrivals) session.arrivals.unsubscribe();
      session.directLine.end();
    } catch (e) {
      /* already closed */
    }
    session = null;
  }

  /** Gets a token (resuming the stored conversation unless `fresh`) and shows Web Chat. */
  function connect(fresh) {
    if (connecting) return connecting;
    end();
    showStatus(words.connecting);
    var state = loadState();
    connecting = Promise.all([loadBundle(), requestToken({ resume: state.resume, fresh: !!fresh })])
      .then(function (results) {
        var WebChat = results[0];
        var issued = results[1];
        saveState({ resume: issued.resume, conversationId: issued.conversationId, seen: issued.resumed ? state.seen : undefined });
        var options = { token: issued.token, domain: issued.domain || botOrigin + '/v3/directline', webSocket: transport === 'websocket' };
        // A resumed conversation is reconnected (history included); a new one is started.
        if (issued.resumed) options.conversationId = issued.conversationId;
        var directLine = WebChat.createDirectLine(options);
        var container = el('div', { class: 'psc-chat' });
        body.replaceChildren(container);
        var avatar = data.botAvatar ? { botAvatarImage: data.botAvatar } : { botAvatarInitials: (data.botInitials || words.botInitials).slice(0, 3) };
        WebChat.renderWebChat(
          {
            directLine: directLine,
            store: WebChat.createStore(),
            userID: issued.userId,
            locale: locale,
            styleOptions: Object.assign(
              {
                accent: accent,
                hideUploadButton: true,
                userAvatarInitials: words.userInitials,
                // The follow-ups flow: a short button ("Helpful") sits beside another, a whole
                // question wraps onto a second line (see .psc-panel rules above), so an answer's
                // buttons take about a third of the panel, not a tall stack.
                suggestedActionLayout: 'flow',
                suggestedActionHeight: 'auto',
                // A long answer is shown from its first line (its title), not scrolled to its end:
                // scrolling stops once the first message after the partner's own reaches the top.
                autoScrollSnapOnPage: true,
                autoScrollSnapOnPageOffset: -8,
                bubbleBorderRadius: 8,
                bubbleFromUserBorderRadius: 8,
                sendBoxButtonColorOnFocus: accent,
                primaryFont: '"Segoe UI", system-ui, sans-serif',
              },
              avatar,
            ),
          },
          container,
        );
        // An expired token (a laptop that slept through its refresh) gets a new one from the bot.
        var subscription = directLine.connectionStatus$.subscribe(function (status) {
          if (status === 2) renewals = 0;
          if ((status === 3 || status === 4) && renewals < 3) {
            renewals += 1;
            setTimeout(function () {
              connect(false);
            }, 500 * renewals);
          }
        });
        var arrivals = directLine.activity$.subscribe(function (activity) {
          if (panel.hidden) {
            if (activity.type === 'message' && activity.from && activity.from.role === 'bot') setUnread(unread + 1);
          } else {
            markSeen();
          }
        });
        session = { directLine: directLine, conversationId: issued.conversationId, subscription: subscription, arrivals: arrivals };
        focusInput();
      })
      .catch(function (err) {
        // A browser hides why a cross-origin call failed; the likely reasons are for the page's developers.
        if (err instanceof TypeError) {
          console.error('Partner support chat: ' + tokenUrl + ' could not be reached, or this page\'s origin (' + location.origin + ') is not in the bot\'s WEBCHAT_ALLOWED_ORIGINS.');
          showStatus(words.unavailable, true);
        } else {
          showStatus(fill(words.couldNotStart, { reason: err.message }), true);
        }
      })
      .then(function () {
        connecting = null;
      });
    return connecting;
  }

  /** Remembers how far the partner has seen, so a later page can count what came after it. */
  function markSeen() {
    if (!session || !session.directLine.watermark) return;
    var state = loadState();
    if (state.conversationId === session.conversationId && state.seen !== session.directLine.watermark) {
      state.seen = session.directLine.watermark;
      saveState(state);
    }
  }

  function focusInput(attempt) {
    var input = body.querySelector('input[type="text"], textarea');
    if (input) input.focus();
    else if ((attempt || 0) < 20) setTimeout(function () {
      focusInput((attempt || 0) + 1);
    }, 100);
  }

  function open() {
    panel.hidden = false;
    root.classList.add('psc-open');
    launcher.setAttribute('aria-expanded', 'true');
    setUnread(0);
    rememberOpen(true);
    if (!session && !connecting) connect(false);
    else {
      markSeen();
      focusInput();
    }
  }

  function close() {
    panel.hidden = true;
    root.classList.remove('psc-open');
    launcher.setAttribute('aria-expanded', 'false');
    rememberOpen(false);
    launcher.focus();
  }

  launcher.addEventListener('click', function () {
    if (panel.hidden) open();
    else close();
  });
  // Fetch the bundle as soon as the partner shows interest, so the panel opens ready.
  launcher.addEventListener('pointerenter', function () {
    loadBundle().catch(function () {});
  });
  launcher.addEventListener('focus', function () {
    loadBundle().catch(function () {});
  });
  closeButton.addEventListener('click', close);
  newButton.addEventListener('click', function () {
    connect(true);
  });
  panel.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  });

  /** With the chat closed, asks the bot whether messages came for the partner since they last looked. */
  function checkUnread() {
    var state = loadState();
    if (!state.resume || !/^\d+$/.test(String(state.seen))) return;
    fetch(botOrigin + '/api/webchat/unread', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ resume: state.resume, after: Number(state.seen) }),
      credentials: 'omit',
    })
      .then(function (res) {
        return res.ok ? res.json() : { unread: 0 };
      })
      .then(function (json) {
        if (panel.hidden && json.unread > 0) setUnread(json.unread);
      })
      .catch(function () {
        /* no count then */
      });
  }

  function mount() {
    document.head.appendChild(el('style', { 'data-psc': '' }, [document.createTextNode(css)]));
    document.body.appendChild(root);
    if (data.open === 'true' || wasOpen()) open();
    else checkUnread();
  }

  window.PartnerSupportChat = {
    open: open,
    close: close,
    newConversation: function () {
      open();
      return connect(true);
    },
  };

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
