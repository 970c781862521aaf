import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ENV_VARIABLES, parseConfig, type ConfigResult } from '../src/config';

/** The variables named in a failed result, or a test failure when the result succeeded. */
function badVariables(result: ConfigResult): string[] {
  if (result.success) throw new Error('expected the configuration to be refused');
  return result.error.problems.map((p) => p.variable);
}

function config(env: Record<string, string | undefined>) {
  const result = parseConfig(env);
  if (!result.success) throw new Error(`expected a valid configuration, got:\n${result.error.message}`);
  return result.data;
}

describe('parseConfig', () => {
  describe('storage', () => {
    it('keeps everything in files under ./data by default', () => {
      expect(config({}).storage).toEqual({ kind: 'file', dir: 'data', journal: true, checkpointBytes: 4 * 1024 * 1024, cacheBytes: 64 * 1024 * 1024 });
      expect(config({ STORAGE_JOURNAL: 'off', STORAGE_JOURNAL_CHECKPOINT_MB: '16' }).storage).toMatchObject({ journal: false, checkpointBytes: 16 * 1024 * 1024 });
      expect(config({ STORAGE_CACHE_MB: '8' }).storage).toMatchObject({ cacheBytes: 8 * 1024 * 1024 });
      expect(badVariables(parseConfig({ STORAGE_CACHE_MB: 'lots' }))).toEqual(['STORAGE_CACHE_MB']);
      expect(badVariables(parseConfig({ STORAGE_JOURNAL: 'maybe' }))).toEqual(['STORAGE_JOURNAL']);
    });

    it('refuses memory storage in production, where a restart would lose tickets', () => {
      expect(badVariables(parseConfig({ STORAGE: 'memory', NODE_ENV: 'production' }))).toEqual(['STORAGE']);
      expect(config({ STORAGE: 'memory' }).storage.kind).toBe('memory');
    });

    it('names what Azure Blob and Cosmos DB need, without echoing secrets', () => {
      expect(badVariables(parseConfig({ STORAGE: 'blob' }))).toEqual(['BLOB_CONNECTION_STRING']);
      expect(badVariables(parseConfig({ STORAGE: 'cosmos' })).sort()).toEqual(['COSMOS_AUTH_KEY', 'COSMOS_ENDPOINT']);
      const bad = parseConfig({ STORAGE: 'blob', BLOB_CONNECTION_STRING: 'AccountKey=sekrit', BLOB_CONTAINER: 'Bad_Name' });
      expect(badVariables(bad)).toEqual(['BLOB_CONTAINER']);
      expect(bad.success ? '' : bad.error.message).not.toContain('sekrit');
      expect(config({ STORAGE: 'cosmos', COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/', COSMOS_AUTH_KEY: 'k' }).storage).toMatchObject({
        kind: 'cosmos',
        database: 'partner-bot',
        container: 'bot-state',
      });
    });

    it('refuses an unknown backend', () => {
      expect(badVariables(parseConfig({ STORAGE: 'redis' }))).toEqual(['STORAGE']);
    });
  });

  describe('escalation and support hours', () => {
    it('reads support hours in a time zone and refuses a bad schedule or zone by name', () => {
      expect(config({ SUPPORT_HOURS: 'Mon-Thu 08:30-17:30, Fri 08:30-15:00', SUPPORT_TIMEZONE: 'Europe/London' }).support.hoursText).toMatch(/Europe\/London/);
      expect(badVariables(parseConfig({ SUPPORT_HOURS: 'weekdays, mostly' }))).toEqual(['SUPPORT_HOURS']);
      expect(badVariables(parseConfig({ SUPPORT_TIMEZONE: 'Mars/Olympus' }))).toEqual(['SUPPORT_TIMEZONE']);
    });

    it('refuses a webhook secret without a webhook, and a webhook that is not http(s)', () => {
      expect(badVariables(parseConfig({ ESCALATION_WEBHOOK_SECRET: 's' }))).toEqual(['ESCALATION_WEBHOOK_SECRET']);
      expect(badVariables(parseConfig({ ESCALATION_WEBHOOK_URL: 'ftp://example.com/x' }))).toEqual(['ESCALATION_WEBHOOK_URL']);
      expect(config({ ESCALATION_WEBHOOK_URL: 'https://support.example.com/hook' }).escalation.webhookUrl).toBe('https://support.example.com/hook');
    });
  });

  describe('metrics and tracing', () => {
    it('opens /metrics outside production, needs METRICS_TOKEN in production, and turns it off there without one', () => {
      expect(config({}).metrics.access).toBe('open');
      expect(config({ NODE_ENV: 'production' }).metrics.access).toBe('off');
      expect(config({ NODE_ENV: 'production', METRICS_TOKEN: 'a-long-scrape-token' }).metrics).toEqual({ access: 'token', token: 'a-long-scrape-token' });
      expect(badVariables(parseConfig({ METRICS_TOKEN: 'short' }))).toEqual(['METRICS_TOKEN']);
    });

    it('takes an Application Insights connection string, and refuses something else without echoing it', () => {
      const good = 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/';
      expect(config({ APPLICATIONINSIGHTS_CONNECTION_STRING: good }).telemetry.connectionString).toBe(good);
      expect(config({}).telemetry.connectionString).toBeUndefined();
      for (const bad of ['https://westeurope-5.in.applicationinsights.azure.com/', 'IngestionEndpoint=https://x.example/', 'InstrumentationKey=k;IngestionEndpoint=ftp://x.example/']) {
        const result = parseConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: bad });
        expect(badVariables(result)).toEqual(['APPLICATIONINSIGHTS_CONNECTION_STRING']);
        expect(result.success ? '' : result.error.message).not.toContain('x.example');
      }
    });
  });

  it('treats an empty value (PORT= in .env) as not set, so the default applies', () => {
    const c = config({ PORT: '', LOG_LEVEL: '', KNOWLEDGE_DIR: ' ', HOST: '', MicrosoftAppType: '', MAX_BODY_BYTES: '' });
    expect(c.port).toBe(3978);
    expect(c.logLevel).toBe('info');
    expect(c.knowledgeDir).toBe('knowledge');
    expect(c.auth.appType).toBe('MultiTenant');
  });

  it('reports rules between variables together with other bad variables', () => {
    expect(badVariables(parseConfig({ MicrosoftAppId: 'x', PORT: 'abc' })).sort()).toEqual(['MicrosoftAppPassword', 'PORT']);
  });

  describe('defaults', () => {
    it('runs locally with no variables set at all', () => {
      const c = config({});
      expect(c.port).toBe(3978);
      expect(c.host).toBe('0.0.0.0');
      expect(c.knowledgeDir).toBe('knowledge');
      expect(c.dialogsDir).toBe('dialogs');
      expect(c.logLevel).toBe('info');
      expect(c.maxBodyBytes).toBe(256 * 1024);
      expect(c.maxQuestionChars).toBe(1000);
      expect(c.shutdownGraceMs).toBe(10_000);
      expect(c.auth).toEqual({ appId: undefined, appPassword: undefined, appType: 'MultiTenant', tenantId: undefined });
    });

    it('uses the values that are given', () => {
      const c = config({
        PORT: '8080',
        HOST: '127.0.0.1',
        KNOWLEDGE_DIR: 'kb',
        DIALOGS_DIR: 'd',
        LOG_LEVEL: 'debug',
        MAX_BODY_BYTES: '1024',
        MAX_QUESTION_CHARS: '200',
        SHUTDOWN_GRACE_MS: '500',
        MicrosoftAppId: 'app-id',
        MicrosoftAppPassword: 'secret',
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppTenantId: 'tenant',
      });
      expect(c).toMatchObject({
        port: 8080,
        host: '127.0.0.1',
        knowledgeDir: 'kb',
        dialogsDir: 'd',
        logLevel: 'debug',
        maxBodyBytes: 1024,
        maxQuestionChars: 200,
        shutdownGraceMs: 500,
        auth: { appId: 'app-id', appPassword: 'secret', appType: 'SingleTenant', tenantId: 'tenant' },
      });
    });

    it('treats empty credential variables, as in .env.example, as not set', () => {
      const c = config({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppTenantId: '  ' });
      expect(c.auth.appId).toBeUndefined();
      expect(c.auth.appPassword).toBeUndefined();
      expect(c.auth.tenantId).toBeUndefined();
    });

    it('accepts a port with surrounding spaces', () => {
      expect(config({ PORT: ' 8080 ' }).port).toBe(8080);
    });
  });

  describe('bad values', () => {
    it('names every bad variable in one result', () => {
      const bad = badVariables(parseConfig({ PORT: 'abc', LOG_LEVEL: 'loud', MicrosoftAppType: 'Foo' }));
      expect(bad.sort()).toEqual(['LOG_LEVEL', 'MicrosoftAppType', 'PORT']);
    });

    it('puts every bad variable in the error message, one per line', () => {
      const result = parseConfig({ PORT: 'abc', LOG_LEVEL: 'loud', MicrosoftAppType: 'Foo' });
      if (result.success) throw new Error('expected failure');
      const lines = result.error.message.split('\n');
      for (const name of ['PORT', 'LOG_LEVEL', 'MicrosoftAppType']) {
        expect(lines.filter((l) => l.trim().startsWith(`${name}:`))).toHaveLength(1);
      }
    });

    it.each([
      ['PORT', '70000'],
      ['PORT', '-1'],
      ['PORT', '80.5'],
      ['MAX_BODY_BYTES', '0'],
      ['MAX_QUESTION_CHARS', 'many'],
      ['SHUTDOWN_GRACE_MS', '999999999'],
      ['LOG_LEVEL', 'verbose'],
    ])('refuses %s=%s', (variable, value) => {
      expect(badVariables(parseConfig({ [variable]: value }))).toEqual([variable]);
    });

    it('accepts every documented log level', () => {
      for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
        expect(config({ LOG_LEVEL: level }).logLevel).toBe(level);
      }
    });
  });

  describe('Bot Framework credentials', () => {
    it('refuses an app id without a password', () => {
      expect(badVariables(parseConfig({ MicrosoftAppId: 'app-id' }))).toEqual(['MicrosoftAppPassword']);
    });

    it('refuses an app id whose password is empty', () => {
      expect(badVariables(parseConfig({ MicrosoftAppId: 'app-id', MicrosoftAppPassword: '' }))).toEqual(['MicrosoftAppPassword']);
    });

    it('lets a user-assigned managed identity run without a password', () => {
      const c = config({ MicrosoftAppId: 'app-id', MicrosoftAppType: 'UserAssignedMSI' });
      expect(c.auth.appId).toBe('app-id');
      expect(c.auth.appPassword).toBeUndefined();
    });

    it('refuses SingleTenant without a tenant id', () => {
      expect(badVariables(parseConfig({ MicrosoftAppType: 'SingleTenant' }))).toEqual(['MicrosoftAppTenantId']);
    });

    it('accepts SingleTenant with a tenant id', () => {
      expect(config({ MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 't' }).auth.tenantId).toBe('t');
    });
  });

  describe('secrets', () => {
    const password = 'Sup3r-S3cret-Value!';

    it('never echoes the password in problems or the error message', () => {
      const result = parseConfig({
        PORT: 'abc',
        LOG_LEVEL: 'loud',
        MicrosoftAppId: 'app-id',
        MicrosoftAppPassword: password,
        MicrosoftAppType: 'Foo',
      });
      if (result.success) throw new Error('expected failure');
      expect(result.error.message).not.toContain(password);
      expect(JSON.stringify(result.error.problems)).not.toContain(password);
    });

    it('echoes the bad value of an ordinary variable, so staff can see the typo', () => {
      const result = parseConfig({ LOG_LEVEL: 'loud' });
      if (result.success) throw new Error('expected failure');
      expect(result.error.message).toContain('loud');
    });
  });
});

describe('the portal widget settings', () => {
  it('default to the bot serving its own Direct Line, hour-long tokens and a day to resume', () => {
    const c = config({});
    expect(c.webchat).toMatchObject({ directLineSecret: undefined, allowedOrigins: [], tokenTtlSeconds: 3600, resumeSeconds: 86_400 });
    expect(c.webchat.directLineDomain).toBe('https://directline.botframework.com/v3/directline');
  });

  it('reads a list of origins, tolerating spaces and a trailing slash', () => {
    expect(config({ WEBCHAT_ALLOWED_ORIGINS: 'https://partners.contoso.com/, http://localhost:8080' }).webchat.allowedOrigins).toEqual([
      'https://partners.contoso.com',
      'http://localhost:8080',
    ]);
  });

  it.each([
    ['WEBCHAT_ALLOWED_ORIGINS', 'https://partners.contoso.com/portal', /origins such as/],
    ['WEBCHAT_ALLOWED_ORIGINS', 'partners.contoso.com', /origins such as/],
    ['WEBCHAT_TOKEN_TTL_MINUTES', '10', /at least 20/],
    ['WEBCHAT_TOKEN_SECRET', 'short', /at least 32 characters/],
    ['DIRECT_LINE_DOMAIN', 'directline.botframework.com', /http\(s\) URL/],
  ])('refuses %s=%s with a reason', (variable, value, reason) => {
    const result = parseConfig({ [variable]: value });
    expect(result.success).toBe(false);
    if (result.success) return;
    const problem = result.error.problems.find((p) => p.variable === variable);
    expect(problem?.message).toMatch(reason);
  });
});

describe('the documentation of the configuration', () => {
  it('.env.example and the README list every variable the bot reads', async () => {
    const root = path.resolve(__dirname, '..');
    const example = await fs.readFile(path.join(root, '.env.example'), 'utf8');
    const readme = await fs.readFile(path.join(root, 'README.md'), 'utf8');
    const inExample = new Set([...example.matchAll(/^([A-Za-z_]+)=/gm)].map((m) => m[1]));
    expect(ENV_VARIABLES.filter((v) => !inExample.has(v))).toEqual([]);
    expect(ENV_VARIABLES.filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
  });
});
