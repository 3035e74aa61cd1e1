import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'warehouse',
  rootDir: '.',
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
