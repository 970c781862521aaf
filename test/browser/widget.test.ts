import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { issueToken } from '../helpers/directLineClient';
import { staffPress, startFakeTeams } from '../helpers/fakeTeams';
import { post, startBot, type RunningBot } from '../helpers/httpHarness';
import { openBrowser } from '../helpers/playground';
import { ROOT } from '../helpers/realContent';
import { startFakeAzureDirectLine } from '../helpers/fakeAzureDirectLine';

jest.setTimeout(90_000);

const KEY = 'widget-test-signing-key-0123456789-abcdefghij';
const STAFF_CHANNEL = '19:staff@thread.tacv2';
const SHOTS = process.env.REPORT_FIGURES ? path.join(os.tmpdir(), 'widget-shots') : undefined;

/** The bundled knowledge base plus one article whose text tries to smuggle markup into the page. */
async function knowledgeWithMarkupProbe(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-probe-'));
  await fs.cp(path.join(ROOT, 'knowledge'), dir, { recursive: true });
  await fs.writeFile(
    path.join(dir, 'wpc', 'markup-probe.md'),
    [
      '---',
      'id: markup-probe',
      'title: How does the markup probe work?',
      'topic: WPC',
      'questions:',
      '  - How does the markup probe work?',
      'tags: [markup probe]',
      'source: 000_ba61085adf343c51.txt',
      'asOf: spring 2011',
      '---',
      'The markup probe <img src="x" onerror="window.__xss=\'img\'"> and <script>window.__xss=\'script\'</script> and [a probe link](javascript:window.__xss=\'link\') stay text.',
      '',
      '## More detail',
      '',
      '- <iframe src="javascript:parent.__xss=\'iframe\'"></iframe> <b onmouseover="window.__xss=\'b\'">bold probe</b>',
      '',
    ].join('\n'),
  );
  return dir;
}

/** A portal on another origin (another port) that embeds the widget; also reachable as localhost, an origin not allowed. */
async function startPortal(): Promise<{ origin: string; otherOrigin: string; setPage(html: string, csp?: string): void; close(): Promise<void> }> {
  let html = '<!doctype html><title>empty</title>';
  let policy: string | undefined;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...(policy ? { 'content-security-policy': policy } : {}) });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    otherOrigin: `http://localhost:${port}`,
    setPage: (h, csp) => {
      html = h;
      policy = csp;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function shot(page: Page, name: string, always = false): Promise<void> {
  const dir = SHOTS ?? (always ? path.join(os.tmpdir(), 'widget-shots') : undefined);
  if (!dir) return;
  await fs.mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

const launcher = (page: Page) => page.getByRole('button', { name: /ask partner support/i });
const sendBox = (page: Page) => page.locator('.psc-panel [data-id="webchat-sendbox-input"]');
const transcript = (page: Page) => page.locator('.psc-panel .webchat__basic-transcript');

async function ask(page: Page, text: string): Promise<void> {
  await sendBox(page).fill(text);
  await sendBox(page).press('Enter');
}

/** Waits for a bot message containing `pattern` (the partner's own echo does not count). */
async function botSays(page: Page, pattern: RegExp, timeout = 20_000): Promise<void> {
  await page.locator('.psc-panel .webchat__basic-transcript__activity').filter({ hasText: pattern }).filter({ hasNot: page.locator('.webchat__bubble--from-user') }).last().waitFor({ timeout });
}

async function clickAction(page: Page, name: RegExp): Promise<void> {
  await page.locator('.psc-panel .webchat__suggested-action').filter({ hasText: name }).last().click();
}

describe('the portal widget in headless Chromium', () => {
  let bot: RunningBot;
  let portal: Awaited<ReturnType<typeof startPortal>>;
  let browser: { context: BrowserContext; page: Page } | undefined;
  let teams: Awaited<ReturnType<typeof startFakeTeams>>;

  beforeAll(async () => {
    portal = await startPortal();
    teams = await startFakeTeams();
    bot = await startBot(
      { WEBCHAT_TOKEN_SECRET: KEY, WEBCHAT_ALLOWED_ORIGINS: portal.origin, SUPPORT_HOURS: 'Mon-Sun 00:00-24:00', STAFF_TEAMS_CHANNEL: STAFF_CHANNEL, STAFF_TEAMS_SERVICE_URL: teams.url },
      undefined,
      await knowledgeWithMarkupProbe(),
    );
  });
  afterAll(async () => {
    await bot.close();
    await portal.close();
    await teams.close();
  });
  beforeEach(async () => {
    browser = await openBrowser();
  });
  afterEach(async () => {
    await browser?.context.close();
    browser = undefined;
  });

  it('on the demo page: opens, answers a question, follows a suggested action, takes feedback, and leaks no key', async () => {
    const { page } = browser!;
    const seen: string[] = [];
    page.on('request', (req) => seen.push(req.url(), JSON.stringify(req.headers()), req.postData() ?? ''));
    page.on('response', (res) => void res.body().then((b) => seen.push(b.toString('utf8')), () => undefined));
    page.on('websocket', (ws) => ws.on('framereceived', (f) => seen.push(String(f.payload))).on('framesent', (f) => seen.push(String(f.payload))));

    await page.goto(bot.url);
    await expect(launcher(page).getAttribute('aria-expanded')).resolves.toBe('false');
    await shot(page, '1-demo-page');
    await launcher(page).click();
    await expect(page.getByRole('dialog', { name: 'Partner support' }).isVisible()).resolves.toBe(true);
    await botSays(page, /I answer questions about/);
    await expect(sendBox(page).evaluate((el) => el === el.ownerDocument.activeElement)).resolves.toBe(true);

    await ask(page, 'when is WPC?');
    await botSays(page, /July 2011/);
    await shot(page, '2-answer');
    // A related question offered as a suggested action.
    await clickAction(page, /cloud or on-premise/i);
    await botSays(page, /Is Microsoft focusing on cloud or on-premise/i);
    // Feedback buttons are messageBack actions; Web Chat sends their value.
    await clickAction(page, /Helpful/);
    await botSays(page, /Thanks for letting me know/);

    // A did-you-mean: a vague question gets titles to pick from; picking one answers it.
    await ask(page, 'partner');
    await botSays(page, /Did you mean one of these/);
    await clickAction(page, /top 10 U\.S\. cloud partners/);
    await botSays(page, /Who are Microsoft.s top 10 U\.S\. cloud partners for BPOS/);

    const html = await page.content();
    const storage = await page.evaluate('JSON.stringify(localStorage) + JSON.stringify(sessionStorage)');
    const everything = [...seen, html, String(storage)].join('\n');
    expect(everything).toMatch(/July 2011/); // the capture did see the conversation
    expect(everything).not.toContain(KEY);
  });

  it('refreshes its Direct Line token before it expires (15 minutes on, with the browser clock moved)', async () => {
    const { page } = browser!;
    await page.clock.install();
    const refreshes: string[] = [];
    page.on('response', (res) => res.url().endsWith('/v3/directline/tokens/refresh') && refreshes.push(String(res.status())));
    let posted = '';
    let started = '';
    page.on('request', (req) => {
      if (req.method() !== 'POST') return;
      if (req.url().endsWith('/activities')) posted = req.headers().authorization ?? '';
      if (req.url().endsWith('/v3/directline/conversations')) started = req.headers().authorization ?? '';
    });
    await page.goto(bot.url);
    await launcher(page).click();
    await botSays(page, /I answer questions about/);
    const first = await page.evaluate('JSON.parse(localStorage.getItem(Object.keys(localStorage)[0])).conversationId');
    await page.clock.fastForward('16:00');
    for (let i = 0; i < 100 && refreshes.length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(refreshes).toEqual(['200']);
    await ask(page, 'when is WPC?');
    await botSays(page, /July 2011/);
    // The question went with the refreshed token, in the same conversation.
    const claims = JSON.parse(Buffer.from(posted.split('.')[1] ?? '', 'base64url').toString('utf8')) as { conv: string };
    expect(posted).toMatch(/^Bearer /);
    expect(posted).not.toBe(started);
    expect(claims.conv).toBe(first);
  });

  it('takes a partner through an escalation with buttons and typed answers', async () => {
    const { page } = browser!;
    await page.goto(bot.url);
    await launcher(page).click();
    await botSays(page, /I answer questions about/);
    await ask(page, 'how much will office 365 cost?');
    await botSays(page, /My sources don.t give a figure for office 365/);
    await clickAction(page, /Talk to a person/);
    await botSays(page, /What should partner support help you with/);
    await ask(page, 'Which plan suits a 40-seat BPOS customer?');
    await botSays(page, /your name/);
    await ask(page, 'Jane Doe');
    await botSays(page, /e-mail/);
    await ask(page, 'jane@contoso');
    await botSays(page, /doesn.t look like an e-mail address/);
    await ask(page, 'jane@contoso.com');
    await botSays(page, /Which company/);
    await ask(page, 'Contoso Ltd');
    await botSays(page, /partner ID/);
    await ask(page, 'skip');
    await botSays(page, /phone/);
    await ask(page, 'skip');
    await botSays(page, /Shall I send it/);
    await shot(page, '3-confirmation');
    await clickAction(page, /^Yes$/);
    await botSays(page, /Your reference is PS-\d+/);
    await shot(page, '4-ticket');

    // The partner closes the panel; partner support takes the ticket in Teams.
    await page.keyboard.press('Escape');
    const ticket = /Your reference is (PS-\d+)/.exec(await transcript(page).innerText())?.[1] ?? '';
    const taken = await post(bot.url, staffPress(teams, STAFF_CHANNEL, 'take', ticket));
    expect(taken.status).toBe(200);
    // The closed widget shows one new message on its launcher; opening shows it.
    await page.getByRole('button', { name: /Ask partner support \(1 new message\)/ }).waitFor({ timeout: 10_000 });
    await shot(page, '4b-badge');
    await launcher(page).click();
    await botSays(page, new RegExp(`Riley Chen from partner support is now looking at your request ${ticket}`));
    await expect(page.locator('.psc-launcher').getAttribute('aria-label')).resolves.toBe('Ask partner support');

    // Closed again; the ticket is resolved while no page of the partner's is connected. The next page
    // view counts it on the launcher before the chat is even loaded.
    await page.keyboard.press('Escape');
    await page.reload();
    await launcher(page).waitFor();
    expect((await post(bot.url, staffPress(teams, STAFF_CHANNEL, 'resolve', ticket))).status).toBe(200);
    await page.reload();
    await page.getByRole('button', { name: /Ask partner support \(1 new message\)/ }).waitFor({ timeout: 10_000 });
    await launcher(page).click();
    await botSays(page, new RegExp(`marked your request ${ticket} as resolved`));
  });

  it('offers choice steps as buttons, takes "help" and "cancel" mid-way', async () => {
    const { page } = browser!;
    await page.goto(bot.url);
    await launcher(page).click();
    await botSays(page, /I answer questions about/);
    await ask(page, 'I was charged twice for a customer');
    await botSays(page, /What is the billing issue about/);
    await clickAction(page, /An invoice or charge/);
    await botSays(page, /Which customer is this about/);
    await ask(page, 'Fabrikam');
    await botSays(page, /Which subscription or invoice/);
    await ask(page, 'skip');
    await botSays(page, /How urgent is it/);
    await ask(page, 'help');
    await botSays(page, /How soon this needs attention/);
    await clickAction(page, /^High$/);
    await botSays(page, /Please describe the issue/);
    await ask(page, 'cancel');
    await botSays(page, /Nothing was sent to partner support/);
    await ask(page, 'when is WPC?');
    await botSays(page, /July 2011/);
  });

  it('a reload shows the same conversation with its history; "New conversation" starts fresh', async () => {
    const { page } = browser!;
    await page.goto(bot.url);
    await launcher(page).click();
    await botSays(page, /I answer questions about/);
    await ask(page, 'what is BPOS?');
    await botSays(page, /hosted, cloud-based productivity/);

    await page.reload();
    // The panel was open, so it opens again, with the history.
    await botSays(page, /hosted, cloud-based productivity/);
    await expect(transcript(page).innerText()).resolves.toMatch(/what is BPOS\?/);
    await shot(page, '5-after-reload');
    await ask(page, 'when is WPC?');
    await botSays(page, /July 2011/);

    await page.getByRole('button', { name: 'New conversation' }).click();
    await botSays(page, /I answer questions about/);
    await expect(transcript(page).innerText()).resolves.not.toMatch(/what is BPOS\?/);
  });

  it('renders knowledge-base markdown as text: no HTML or script from an article reaches the page', async () => {
    const { page } = browser!;
    await page.goto(bot.url);
    await launcher(page).click();
    await botSays(page, /I answer questions about/);
    await ask(page, 'How does the markup probe work?');
    await botSays(page, /stay text/);
    await page.getByText('bold probe').hover({ timeout: 2000 }).catch(() => undefined);
    await page.waitForTimeout(300);
    await expect(page.evaluate('window.__xss')).resolves.toBeUndefined();
    const injected = await page.locator('.psc-panel img[onerror], .psc-panel script, .psc-panel iframe, .psc-panel [onmouseover], .psc-panel a[href^="javascript"]').count();
    expect(injected).toBe(0);
    // The rest of the article is there; the javascript: link is left as plain text.
    await expect(transcript(page).innerText()).resolves.toMatch(/\[a probe link\]\(javascript:/);
  });

  it.each([
    ['the 380×600 panel on a desktop page', { width: 1280, height: 800 }],
    ['a phone', { width: 375, height: 667 }],
    ['a small phone', { width: 360, height: 568 }],
  ])("keeps an answer's first lines in view with its follow-up buttons, on %s", async (name, viewport) => {
    const { page } = browser!;
    await page.setViewportSize(viewport);
    await page.goto(bot.url);
    await launcher(page).click();
    await botSays(page, /I answer questions about/);
    await ask(page, 'when is WPC?');
    await botSays(page, /July 2011/);
    await clickAction(page, /cloud or on-premise/i);
    await botSays(page, /Is Microsoft focusing on cloud or on-premise/i);
    // Let Web Chat finish scrolling.
    await page.waitForTimeout(1200);
    await shot(page, `geometry-${viewport.width}x${viewport.height}`, true);

    type Box = { top: number; bottom: number; left: number; right: number } | null;
    // Evaluated in the page (the tests compile without DOM types).
    const geometry = (await page.evaluate(`(() => {
      const rect = (el) => {
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return { top: Math.round(r.top), bottom: Math.round(r.bottom), left: Math.round(r.left), right: Math.round(r.right) };
      };
      const activities = [...document.querySelectorAll('.psc-panel .webchat__basic-transcript__activity')].filter((a) => !a.querySelector('.webchat__bubble--from-user'));
      const answer = activities[activities.length - 1];
      // The answer's first line: its title, in bold.
      const title = answer ? answer.querySelector('strong') : null;
      return {
        panel: rect(document.querySelector('.psc-panel')),
        transcript: rect(document.querySelector('.psc-panel .webchat__basic-transcript__scrollable')),
        title: rect(title),
        titleText: title ? title.textContent : '',
        actions: [...document.querySelectorAll('.psc-panel .webchat__suggested-action')].map((a) => ({ text: a.textContent, box: rect(a) })),
        actionsBox: rect(document.querySelector('.psc-panel .webchat__suggested-actions')),
      };
    })()`)) as { panel: Box; transcript: Box; title: Box; titleText: string; actions: { text: string; box: Box }[]; actionsBox: Box };
    const { panel, transcript, title, actions, actionsBox } = geometry;
    if (!panel || !transcript || !title || !actionsBox) throw new Error(`missing parts: ${JSON.stringify(geometry)}`);
    expect(geometry.titleText).toMatch(/cloud or on-premise/i);
    // The answer's first line is inside the visible part of the transcript ...
    expect({ name, top: title.top >= transcript.top - 1, bottom: title.bottom <= transcript.bottom + 1 }).toEqual({ name, top: true, bottom: true });
    // ... and every follow-up (related questions and feedback) shows whole inside the panel, below the transcript.
    expect(actions.length).toBeGreaterThanOrEqual(4);
    const hidden = actions.filter(({ box }) => !box || box.top < actionsBox.top - 1 || box.bottom > actionsBox.bottom + 1 || box.bottom > panel.bottom || box.right > panel.right + 1);
    expect({ name, hidden: hidden.map((a) => a.text) }).toEqual({ name, hidden: [] });
    // The transcript keeps a useful share of the panel: the buttons do not crowd out the answer.
    expect(transcript.bottom - transcript.top).toBeGreaterThanOrEqual(0.3 * (panel.bottom - panel.top));
  });

  it('works from the keyboard alone and fills a narrow phone screen', async () => {
    const { page } = browser!;
    await page.setViewportSize({ width: 375, height: 667 });
    await page.goto(bot.url);
    await launcher(page).waitFor();
    // Tab through the page (the snippet box scrolls on a phone, so it takes focus first) to the launcher.
    const focused = () => launcher(page).evaluate((el) => el === el.ownerDocument.activeElement);
    for (let i = 0; i < 5 && !(await focused()); i += 1) await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await botSays(page, /I answer questions about/);
    const box = await page.locator('.psc-panel').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 375, height: 667 });
    await expect(sendBox(page).isVisible()).resolves.toBe(true);
    await page.keyboard.type('when is WPC?');
    await page.keyboard.press('Enter');
    await botSays(page, /July 2011/);
    await shot(page, '6-phone');
    // axe-core's WCAG 2.1 A/AA rules find nothing on the page with the panel open.
    await page.addScriptTag({ path: path.join(ROOT, 'node_modules/axe-core/axe.min.js') });
    const violations = (await page.evaluate("axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))")) as string[];
    expect(violations).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(page.locator('.psc-panel').isHidden()).resolves.toBe(true);
    await expect(launcher(page).evaluate((el) => el === el.ownerDocument.activeElement)).resolves.toBe(true);
    await expect(launcher(page).getAttribute('aria-expanded')).resolves.toBe('false');
  });

  it("embedded in another site's page: styled by data- attributes, over polling, and refused on a site not allowed", async () => {
    const { page } = browser!;
    const portalPage = (attrs: string) =>
      `<!doctype html><html lang="en"><body><h1>Contoso portal</h1><script src="${bot.url}/widget.js" ${attrs}></script></body></html>`;
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    // The portal sends a strict Content-Security-Policy: the bot's origin for scripts and calls, inline styles.
    const csp = `default-src 'self'; script-src 'self' ${bot.url}; connect-src ${bot.url}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:`;
    const violations: string[] = [];
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
    portal.setPage(portalPage('data-title="Contoso Partner Desk" data-color="#8a2be2" data-launcher-label="Chat with Contoso" data-bot-initials="CD" data-transport="polling"'), csp);
    await page.goto(portal.origin);
    const customLauncher = page.getByRole('button', { name: 'Chat with Contoso' });
    await expect(customLauncher.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).backgroundColor)).resolves.toBe('rgb(138, 43, 226)');
    await customLauncher.click();
    await expect(page.getByRole('dialog', { name: 'Contoso Partner Desk' }).isVisible()).resolves.toBe(true);
    // Over polling, each message waits for the next poll of a page that shares a busy machine's cores.
    await botSays(page, /I answer questions about/, 20_000);
    await expect(transcript(page).innerText()).resolves.toMatch(/\bCD\b/);
    await ask(page, 'when is WPC?');
    await botSays(page, /July 2011/, 20_000);
    expect(sockets).toEqual([]);
    expect(violations).toEqual([]);
    await shot(page, '7-embedded');

    // The same page on an origin the bot does not list.
    portal.setPage(portalPage('data-open="true"'));
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(portal.otherOrigin);
    await page.getByText(/the chat is not available right now/).waitFor();
    await expect(page.locator('.psc-panel .webchat__basic-transcript').count()).resolves.toBe(0);
    await shot(page, '8-not-allowed');
    await expect(page.getByRole('button', { name: 'Try again' }).isVisible()).resolves.toBe(true);
    expect(consoleErrors.join('\n')).toMatch(/not in the bot's WEBCHAT_ALLOWED_ORIGINS/);
  });

  it("shows the words staff wrote in a copy of dialogs/ (as text, never markup); a page's own data-title and data-launcher-label still win", async () => {
    const { page } = browser!;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dialogs-'));
    await fs.cp(path.join(ROOT, 'dialogs'), dir, { recursive: true });
    const title = 'Contoso desk "beta" </script><script>window.__xss=1</script>';
    const file = path.join(dir, 'messages.yaml');
    const shipped = await fs.readFile(file, 'utf8');
    const edited = shipped
      .replace('widgetTitle: Partner support', () => `widgetTitle: ${JSON.stringify(title)}`)
      .replace('widgetLauncherLabel: Ask partner support', 'widgetLauncherLabel: Chat with our team')
      .replace('widgetNewButton: New', 'widgetNewButton: Start over')
      .replace('widgetUnavailable: Sorry, the chat is not available right now.', 'widgetUnavailable: "The chat\'s closed for now."')
      .replace('widgetTryAgain: Try again', 'widgetTryAgain: Retry');
    expect(edited.split('\n').filter((l, i) => l !== shipped.split('\n')[i])).toHaveLength(5);
    await fs.writeFile(file, edited);
    const reworded = await startBot({ WEBCHAT_TOKEN_SECRET: KEY, WEBCHAT_ALLOWED_ORIGINS: portal.origin }, undefined, undefined, dir);
    const portalPage = (attrs: string) => `<!doctype html><html lang="en"><body><h1>Contoso portal</h1><script src="${reworded.url}/widget.js" ${attrs}></script></body></html>`;
    try {
      portal.setPage(portalPage(''));
      await page.goto(portal.origin);
      await page.getByRole('button', { name: 'Chat with our team' }).click();
      await expect(page.getByRole('dialog', { name: title }).isVisible()).resolves.toBe(true);
      await expect(page.locator('.psc-header h2').textContent()).resolves.toBe(title);
      await expect(page.locator('.psc-new').textContent()).resolves.toBe('Start over');
      await botSays(page, /I answer questions about/);
      await expect(page.evaluate('window.__xss')).resolves.toBeUndefined();
      await shot(page, '9-reworded');

      // The page's own attributes override the words of messages.yaml (the panel reopens: it was open).
      portal.setPage(portalPage('data-title="Contoso Partner Desk" data-launcher-label="Chat with Contoso"'));
      await page.goto(portal.origin);
      await page.getByRole('dialog', { name: 'Contoso Partner Desk' }).waitFor();
      await page.keyboard.press('Escape');
      await expect(page.getByRole('button', { name: 'Chat with Contoso' }).isVisible()).resolves.toBe(true);

      // On an origin the bot does not list: the reworded status line and button.
      portal.setPage(portalPage('data-open="true"'));
      await page.goto(portal.otherOrigin);
      await page.getByText("The chat's closed for now.").waitFor();
      await expect(page.getByRole('button', { name: 'Retry' }).isVisible()).resolves.toBe(true);
    } finally {
      await reworded.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('with Azure Bot Service: the page gets a token, never the Direct Line secret', async () => {
    const { page } = browser!;
    const secret = 'AzureDirectLineSecret.for-the-browser-test.0123456789';
    // Azure's token API, in front of a bot serving Direct Line (as Azure's Direct Line does).
    const azure = await startFakeAzureDirectLine({ secret, signingKey: KEY });
    const portalBot = await startBot({ DIRECT_LINE_SECRET: secret, DIRECT_LINE_DOMAIN: `${azure.url}/v3/directline` });
    const channel = await startBot({ WEBCHAT_TOKEN_SECRET: KEY, WEBCHAT_ALLOWED_ORIGINS: portalBot.url });
    azure.setDirectLine(channel.url);
    try {
      const seen: string[] = [];
      page.on('request', (req) => seen.push(req.url(), JSON.stringify(req.headers()), req.postData() ?? ''));
      page.on('response', (res) => void res.body().then((b) => seen.push(b.toString('utf8')), () => undefined));
      page.on('websocket', (ws) => ws.on('framereceived', (f) => seen.push(String(f.payload))));
      await page.goto(portalBot.url);
      await launcher(page).click();
      await botSays(page, /I answer questions about/);
      await ask(page, 'when is WPC?');
      await botSays(page, /July 2011/);
      expect(azure.calls.some((c) => c.path === '/v3/directline/tokens/generate' && c.authorization === `Bearer ${secret}`)).toBe(true);
      const everything = [...seen, await page.content(), String(await page.evaluate('JSON.stringify(localStorage)'))].join('\n');
      expect(everything).toMatch(/July 2011/);
      expect(everything).not.toContain(secret);
      // The token endpoint's answer itself carries no secret.
      expect(JSON.stringify(await issueToken(portalBot.url))).not.toContain(secret);
    } finally {
      await portalBot.close();
      await azure.close();
      await channel.close();
    }
  });
});
