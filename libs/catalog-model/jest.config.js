import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'catalog-model', rootDir: '.' };
