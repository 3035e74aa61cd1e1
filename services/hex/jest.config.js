import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'hex',
  rootDir: '.',
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
