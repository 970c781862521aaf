import type { BrowserContext, Page } from 'playwright-core';
import { startBot, type RunningBot } from '../helpers/httpHarness';
import { openBrowser } from '../helpers/playground';

jest.setTimeout(90_000);

const sendBox = (page: Page) => page.locator('.psc-panel [data-id="webchat-sendbox-input"]');
const activities = (page: Page) => page.locator('.psc-panel .webchat__basic-transcript__activity');

async function ask(page: Page, text: string): Promise<void> {
  await sendBox(page).fill(text);
  await sendBox(page).press('Enter');
}

async function botSays(page: Page, pattern: RegExp): Promise<void> {
  await activities(page).filter({ hasText: pattern }).filter({ hasNot: page.locator('.webchat__bubble--from-user') }).last().waitFor({ timeout: 15_000 });
}

describe('a partner over the fair-use limit, in the portal widget', () => {
  let bot: RunningBot;
  let browser: { context: BrowserContext; page: Page } | undefined;
  beforeAll(async () => {
    bot = await startBot({ WEBCHAT_TOKEN_SECRET: 'fair-use-widget-key-0123456789-abcdefgh', RATE_LIMIT_TURNS_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await browser?.context.close();
    await bot.close();
  });

  it('sees the message marked as not sent, with Retry, and the bot asking them to slow down', async () => {
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(bot.url);
    await page.getByRole('button', { name: /ask partner support/i }).click();
    await botSays(page, /I answer questions about/);
    await ask(page, 'when is WPC?');
    await botSays(page, /July 2011/);
    await ask(page, 'what is BPOS?');
    await botSays(page, /BPOS/);
    await ask(page, 'one message too many');
    const mine = activities(page).filter({ hasText: 'one message too many' });
    // Within seconds (the bot holds a refusal back one second), not at Web Chat's 20-second send timeout.
    await mine.getByText('Send failed. Retry.').waitFor({ timeout: 10_000 });
    await expect(mine.getByRole('button', { name: /retry/i }).count()).resolves.toBe(1);
    await botSays(page, /faster than I can answer them/);
  });
});
