import { postgresConnectorDefinition } from './postgres.connector.js';

const { settingsSchema, credentialsSchema, instanceOf } = postgresConnectorDefinition;

function messagesOf(result: {
  success: boolean;
  error?: { issues: { message: string; path: PropertyKey[] }[] };
}) {
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('postgresConnectorDefinition', () => {
  it('fills in the defaults', () => {
    expect(settingsSchema.parse({ host: ' db.example.com ' })).toEqual({
      host: 'db.example.com',
      port: 5432,
      database: 'postgres',
      sslMode: 'prefer',
      connectTimeoutSeconds: 10,
    });
    expect(credentialsSchema.parse({ user: 'catalog' })).toEqual({ user: 'catalog', password: '' });
  });

  it('names the field and the rule in every error', () => {
    const result = settingsSchema.safeParse({ port: 70000, sslMode: 'always', databases: [], extra: 1 });
    expect(messagesOf(result)).toEqual(
      expect.arrayContaining([
        'host: host is required: the server name or IP address',
        'port: port must be between 1 and 65535',
        'sslMode: sslMode must be one of disable, prefer, require, verify-ca, verify-full',
        'databases: databases, when given, must name at least one database',
        ': unknown setting: extra',
      ]),
    );
    expect(messagesOf(credentialsSchema.safeParse({ user: ' ' }))).toEqual([
      'user: user is required: the role to connect as',
    ]);
  });

  it('uses host:port as the instance, without the default port', () => {
    expect(instanceOf(settingsSchema.parse({ host: 'DB.Example.com' }))).toBe('db.example.com');
    expect(instanceOf(settingsSchema.parse({ host: 'db.example.com', port: 6432 }))).toBe(
      'db.example.com:6432',
    );
    expect(instanceOf(settingsSchema.parse({ host: '::1', port: 6432 }))).toBe('[::1]:6432');
  });
});
