// Server configuration: flags over environment over defaults, and a bad value stops start-up with a message that
// names the setting.
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from '../../../src/server/config.ts';

describe('server configuration', () => {
  it('takes the defaults, then the environment, then flags', () => {
    expect(loadConfig([], {})).toEqual(DEFAULTS);
    expect(DEFAULTS.durability).toBe('fsync');
    const env = { CETS_PORT: '9000', CETS_DURABILITY: 'commit', CETS_SPEED: '120' };
    expect(loadConfig([], env)).toMatchObject({ port: 9000, durability: 'commit', speed: 120 });
    expect(loadConfig(['--port', '9100', '--durability', 'fsync'], env)).toMatchObject({
      port: 9100,
      durability: 'fsync',
      speed: 120,
    });
  });

  it('refuses bad values, naming the setting', () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--durability', 'sometimes'], {}, /--durability \/ CETS_DURABILITY: "sometimes" is not one of fsync, commit/],
      [[], { CETS_DURABILITY: '' }, /CETS_DURABILITY/],
      [['--port', '70000'], {}, /--port \/ CETS_PORT: "70000" is not a whole number from 0 to 65535/],
      [[], { CETS_SPEED: 'fast' }, /CETS_SPEED/],
      [['--bots', '11'], {}, /--bots/],
      [['--admin-token', 'short'], {}, /--admin-token .*16 to 128/],
      [['--log-level', 'loud'], {}, /--log-level/],
      [['--no-such-flag', 'x'], {}, /no-such-flag/],
    ];
    for (const [argv, env, message] of cases) {
      expect(() => loadConfig(argv, env)).toThrow(ConfigError);
      expect(() => loadConfig(argv, env)).toThrow(message);
    }
  });
});
