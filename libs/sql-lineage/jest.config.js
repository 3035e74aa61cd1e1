import preset from '../../jest.preset.js';

export default { ...preset, displayName: 'sql-lineage', rootDir: '.' };
