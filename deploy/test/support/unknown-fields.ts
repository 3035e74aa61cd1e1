// kubernetes-models validates types and required fields, but the Kubernetes OpenAPI schemas allow unknown
// properties, so a typo such as `readinesProbe` would pass (the API server drops or rejects it later). The same
// package ships a TypeScript interface per kind, and TypeScript rejects unknown properties of object literals:
// type-check every rendered manifest as a literal of its interface, in memory, to catch them.
import path from 'node:path';
import ts from 'typescript';
import { modelModule, type Manifest } from './manifests.js';

/** Returns one message per unknown or mistyped field, naming the manifest it is in. */
export function findUnknownFields(manifests: Manifest[], resolveFromDir: string): string[] {
  const file = path.join(resolveFromDir, '__rendered-manifests__.ts');
  const imports: string[] = [];
  const declarations: string[] = [];
  const aliases = new Map<string, string>();
  manifests.forEach((manifest, index) => {
    const module = modelModule(manifest);
    let alias = aliases.get(module);
    if (!alias) {
      alias = `T${aliases.size}`;
      aliases.set(module, alias);
      imports.push(`import type { I${manifest.kind} as ${alias} } from '${module}';`);
    }
    declarations.push(`export const m${index}: ${alias} = ${JSON.stringify(manifest)};`);
  });
  const header = imports.length;
  const source = [...imports, ...declarations].join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? source : readFile.call(host, name));
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === file
      ? ts.createSourceFile(name, source, languageVersion)
      : getSourceFile.call(host, name, languageVersion, ...rest);

  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (diagnostic.file?.fileName !== file || diagnostic.start === undefined) return message;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const manifest = manifests[line - header];
    return manifest ? `${manifest.kind}/${manifest.metadata.name}: ${message}` : message;
  });
}
