import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'semantic-layer',
  rootDir: '.',
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
