import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'gateway',
  rootDir: '.',
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
