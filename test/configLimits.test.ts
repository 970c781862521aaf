import { FORMER_BUILT_IN_SALT, parseConfig } from '../src/config';

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  const result = parseConfig(env);
  return result.success ? [] : [...result.error.problems];
}

describe('configuration of fair use, token lifetime and the question-log salt', () => {
  it('has sensible defaults: no proxy trusted, limits per minute, a 12-hour token chain', () => {
    const result = parseConfig({});
    if (!result.success) throw result.error;
    expect(result.data.limits).toEqual({
      trustedProxyHops: 0,
      tokensPerMinute: 30,
      conversationsPerMinute: 10,
      turnsPerMinute: 30,
      partnerTurnsPerMinute: 60,
      streamsPerConversation: 4,
      streamConnectsPerMinute: 20,
      maxKeys: 10000,
      refusalPauseMs: 1000,
    });
    expect(result.data.webchat.tokenMaxSeconds).toBe(12 * 3600);
    // No salt is built in: one is generated and kept in storage at start-up.
    expect(result.data.questionLog.salt).toBeUndefined();
  });

  it('refuses limits that are not whole positive numbers, and a proxy count out of range, with a reason', () => {
    expect(problemsOf({ RATE_LIMIT_TURNS_PER_MINUTE: '0' })).toEqual([{ variable: 'RATE_LIMIT_TURNS_PER_MINUTE', message: 'must be at least 1 (got "0")' }]);
    expect(problemsOf({ RATE_LIMIT_TOKENS_PER_MINUTE: 'lots' })[0]?.variable).toBe('RATE_LIMIT_TOKENS_PER_MINUTE');
    expect(problemsOf({ TRUSTED_PROXY_HOPS: '-1' })[0]?.message).toMatch(/0 or more/);
    expect(problemsOf({ TRUSTED_PROXY_HOPS: '11' })[0]?.message).toMatch(/at most 10/);
  });

  it('refuses a token chain shorter than one token', () => {
    expect(problemsOf({ WEBCHAT_TOKEN_TTL_MINUTES: '60', WEBCHAT_TOKEN_MAX_MINUTES: '30' })).toEqual([
      { variable: 'WEBCHAT_TOKEN_MAX_MINUTES', message: 'must be at least WEBCHAT_TOKEN_TTL_MINUTES (60)' },
    ]);
  });

  it('in production refuses the salt older versions had built in, and anywhere a short one, without echoing it', () => {
    const refused = problemsOf({ NODE_ENV: 'production', QUESTION_LOG_SALT: FORMER_BUILT_IN_SALT });
    expect(refused.map((p) => p.variable)).toEqual(['QUESTION_LOG_SALT']);
    expect(refused[0]?.message).toMatch(/built in/);
    const short = problemsOf({ QUESTION_LOG_SALT: 'tooshort' });
    expect(short.map((p) => p.variable)).toEqual(['QUESTION_LOG_SALT']);
    expect(JSON.stringify(short)).not.toContain('tooshort');
    const own = parseConfig({ NODE_ENV: 'production', QUESTION_LOG_SALT: 'a-secret-of-our-own-0123456789' });
    expect(own.success && own.data.questionLog.salt).toBe('a-secret-of-our-own-0123456789');
    expect(parseConfig({ NODE_ENV: 'production' }).success).toBe(true);
  });
});
