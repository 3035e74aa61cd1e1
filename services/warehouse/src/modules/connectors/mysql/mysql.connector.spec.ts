import { mariadbConnectorDefinition, mysqlConnectorDefinition } from './mysql.connector.js';

describe('MySQL and MariaDB connector definitions', () => {
  it('share settings, with MySQL defaults', () => {
    expect(mysqlConnectorDefinition.settingsSchema.parse({ host: 'db' })).toEqual({
      host: 'db',
      port: 3306,
      sslMode: 'prefer',
      connectTimeoutSeconds: 10,
      historyLookbackHours: 24,
    });
    expect(mariadbConnectorDefinition.settingsSchema).toBe(mysqlConnectorDefinition.settingsSchema);
  });

  it('names the field and the rule in every error', () => {
    const result = mysqlConnectorDefinition.settingsSchema.safeParse({
      host: '',
      port: 1.5,
      historyLookbackHours: 500,
    });
    expect((result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'host: host is required: the server name or IP address',
      'port: port must be a whole number',
      'historyLookbackHours: historyLookbackHours must be between 0 and 168',
    ]);
  });

  it('gives each platform its own dataset ids', () => {
    const settings = mysqlConnectorDefinition.settingsSchema.parse({ host: 'DB.internal', port: 3307 });
    expect([mysqlConnectorDefinition.platform, mysqlConnectorDefinition.instanceOf(settings)]).toEqual([
      'mysql',
      'db.internal:3307',
    ]);
    expect(mariadbConnectorDefinition.platform).toBe('mariadb');
    expect(mariadbConnectorDefinition.instanceOf({ ...settings, port: 3306 })).toBe('db.internal');
  });
});
