/**
 * Jest's TypeScript transform: esbuild strips the types, as tsx does when the server runs. Type
 * checking is `npm run typecheck`'s job (npm test runs it first), so the tests need no second,
 * slower compiler; tsconfig's isolatedModules keeps every file transpilable on its own.
 */
const { createHash } = require('node:crypto');
const { transformSync, version } = require('esbuild');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcefile: filename,
      sourcemap: 'external',
      sourcesContent: false,
    });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return createHash('sha1').update(version).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
