import { ConfigError, describeConfig, loadConfig, SIMULATOR_DEFAULTS } from '../../config';

const LIVE_ENV = {
  WECOM_CORP_ID: 'wwlivecorp',
  WECOM_AGENT_ID: '1000005',
  WECOM_AGENT_SECRET: 'live-agent-secret-value',
  WECOM_CALLBACK_TOKEN: 'live-token',
  WECOM_CALLBACK_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  SESSION_SECRET: 'x'.repeat(40),
  PUBLIC_URL: 'https://crm.example.com',
};

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on the embedded defaults with an empty environment', () => {
    const config = loadConfig({});

    expect(config.port).toBe(3000);
    expect(config.database).toEqual({
      dialect: 'sqlite',
      storage: 'data/wecom-crm.sqlite',
      url: 'sqlite:data/wecom-crm.sqlite',
    });
    expect(config.wecom.mode).toBe('simulator');
    expect(config.wecom.apiBase).toBe('http://127.0.0.1:3000/__wecom');
    expect(config.wecom.corpId).toBe(SIMULATOR_DEFAULTS.corpId);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.logLevel).toBe('info');
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({});

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.wecom)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('generates a random session secret per start in simulator mode', () => {
    expect(loadConfig({}).sessionSecret).not.toBe(loadConfig({}).sessionSecret);
  });

  it.each([
    ['abc', 'must be an integer between 1 and 65535 (got "abc")'],
    ['0', 'must be an integer between 1 and 65535 (got "0")'],
    ['70000', 'must be an integer between 1 and 65535 (got "70000")'],
  ])('rejects PORT=%s with a one-line message naming PORT', (value, problem) => {
    const err = configErrorOf({ PORT: value });

    expect(err.variable).toBe('PORT');
    expect(err.message).toBe(`Invalid configuration: PORT ${problem}`);
    expect(err.message).not.toContain('\n');
  });

  it('rejects a database URL of an unsupported kind', () => {
    expect(configErrorOf({ DATABASE_URL: 'postgres://x@y/z' }).variable).toBe('DATABASE_URL');
  });

  it('accepts sqlite::memory: and mysql URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toMatchObject({
      dialect: 'sqlite',
      storage: ':memory:',
    });
    expect(loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/crm' }).database.dialect).toBe('mysql');
  });

  it('rejects an EncodingAESKey that is not 43 characters', () => {
    expect(configErrorOf({ WECOM_CALLBACK_AES_KEY: 'short' }).variable).toBe('WECOM_CALLBACK_AES_KEY');
  });

  it('never echoes the value of a secret variable in its error', () => {
    const err = configErrorOf({ SESSION_SECRET: 'tooshort-but-secret' });

    expect(err.variable).toBe('SESSION_SECRET');
    expect(err.message).not.toContain('tooshort-but-secret');
  });

  it('switches to live mode when WECOM_CORP_ID is set', () => {
    const config = loadConfig(LIVE_ENV);

    expect(config.wecom.mode).toBe('live');
    expect(config.wecom.apiBase).toBe('https://qyapi.weixin.qq.com');
    expect(config.wecom.oauthBase).toBe('https://open.weixin.qq.com');
  });

  it('falls back to the agent secret for the contact and external secrets in live mode', () => {
    const config = loadConfig(LIVE_ENV);

    expect(config.wecom.contactSecret).toBe(LIVE_ENV.WECOM_AGENT_SECRET);
    expect(config.wecom.externalSecret).toBe(LIVE_ENV.WECOM_AGENT_SECRET);
  });

  it.each(['WECOM_AGENT_SECRET', 'SESSION_SECRET', 'WECOM_CALLBACK_AES_KEY'])('requires %s in live mode', (name) => {
    const env: Record<string, string> = { ...LIVE_ENV };
    delete env[name];

    const err = configErrorOf(env);

    expect(err.variable).toBe(name);
    expect(err.message).toBe(`Invalid configuration: ${name} is required when WECOM_MODE=live`);
  });

  it('refuses a live mode without https, in one line naming PUBLIC_URL', () => {
    const err = configErrorOf({ ...LIVE_ENV, PUBLIC_URL: 'http://crm.example.com' });

    expect(err.variable).toBe('PUBLIC_URL');
    expect(err.message).toBe('Invalid configuration: PUBLIC_URL must be an https:// URL when WECOM_MODE=live (got "http://crm.example.com")');
  });

  it('trusts no proxy unless told, and one hop for TRUST_PROXY=on', () => {
    expect([loadConfig({}).trustProxy, loadConfig({ TRUST_PROXY: 'on' }).trustProxy, loadConfig({ TRUST_PROXY: '2' }).trustProxy]).toEqual([0, 1, 2]);
    expect(configErrorOf({ TRUST_PROXY: 'yes' }).variable).toBe('TRUST_PROXY');
  });

  it('ends sessions after 8 idle hours and 7 days by default', () => {
    expect(loadConfig({}).sessions).toEqual({ idleMs: 8 * 3_600_000, maxAgeMs: 7 * 86_400_000 });
    expect(loadConfig({ SESSION_IDLE_MINUTES: '30' }).sessions.idleMs).toBe(1_800_000);
  });

  it('seeds demo data in simulator mode unless DEMO_DATA=off, never in live mode', () => {
    expect([loadConfig({}).demoData, loadConfig({ DEMO_DATA: 'off' }).demoData, loadConfig(LIVE_ENV).demoData]).toEqual([true, false, false]);
  });

  it('runs the event worker by default with 8 attempts and a 5-minute reclaim', () => {
    expect(loadConfig({}).events).toEqual({ worker: true, maxAttempts: 8, reclaimAfterMs: 300_000 });
    expect(loadConfig({ EVENT_WORKER: 'off', EVENT_MAX_ATTEMPTS: '3', EVENT_RECLAIM_SECONDS: '30' }).events).toEqual({
      worker: false,
      maxAttempts: 3,
      reclaimAfterMs: 30_000,
    });
  });

  it.each([
    ['EVENT_WORKER', 'maybe'],
    ['EVENT_MAX_ATTEMPTS', '0'],
    ['EVENT_RECLAIM_SECONDS', 'soon'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(configErrorOf({ [name]: value }).variable).toBe(name);
  });

  it('takes the simulator corp credentials from the environment when given', () => {
    const config = loadConfig({ WECOM_MODE: 'simulator', WECOM_CORP_ID: 'wwcustom' });

    expect(config.wecom.mode).toBe('simulator');
    expect(config.wecom.corpId).toBe('wwcustom');
  });
});

describe('describeConfig', () => {
  it('masks database passwords and leaves out every secret', () => {
    const config = loadConfig({
      ...LIVE_ENV,
      DATABASE_URL: 'mysql://crm:hunter2@db:3306/crm',
    });

    const text = JSON.stringify(describeConfig(config));

    expect(text).toContain('mysql://crm:***@db:3306/crm');
    for (const secret of ['hunter2', LIVE_ENV.WECOM_AGENT_SECRET, LIVE_ENV.SESSION_SECRET, LIVE_ENV.WECOM_CALLBACK_TOKEN]) {
      expect(text).not.toContain(secret);
    }
  });
});

const GALERA = 'mysql://crm:secret@10.0.0.1:3306/crm';

describe('DATABASE_FALLBACK_HOSTS (the other Galera nodes an instance moves to)', () => {
  it('reads comma-separated host:port, the port defaulting to 3306', () => {
    const config = loadConfig({ DATABASE_URL: GALERA, DATABASE_FALLBACK_HOSTS: '10.0.0.2:3307, db-3' });

    expect(config.database).toEqual({
      dialect: 'mysql',
      url: GALERA,
      fallbackNodes: [
        { host: '10.0.0.2', port: 3307 },
        { host: 'db-3', port: 3306 },
      ],
    });
  });

  it('refuses what is not a host:port list', () => {
    expect(configErrorOf({ DATABASE_URL: GALERA, DATABASE_FALLBACK_HOSTS: 'mysql://crm@10.0.0.2/crm' }).variable).toBe('DATABASE_FALLBACK_HOSTS');
  });

  it('refuses them on SQLite, which has no nodes', () => {
    expect(configErrorOf({ DATABASE_URL: 'sqlite::memory:', DATABASE_FALLBACK_HOSTS: '10.0.0.2' }).variable).toBe('DATABASE_FALLBACK_HOSTS');
  });

  it('refuses them together with read replicas', () => {
    const env = { DATABASE_URL: GALERA, DATABASE_FALLBACK_HOSTS: '10.0.0.2', DATABASE_READ_URLS: 'mysql://crm@10.0.0.9/crm' };

    expect(configErrorOf(env).variable).toBe('DATABASE_FALLBACK_HOSTS');
  });
});
