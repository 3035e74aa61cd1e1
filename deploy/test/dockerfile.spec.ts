// deploy/Dockerfile, checked statically (no Docker engine here): parsed with dockerfile-ast, linted with
// dockerfile-utils (the checks of the VS Code Docker extension), and held to the image conventions.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import { deployDir } from '../scripts/helm.js';
import { isImageCommand } from './support/contract.js';

const repoRoot = path.dirname(deployDir);
const text = readFileSync(path.join(deployDir, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);

interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

/** Default values of the ARGs declared before the first FROM. */
const initialArgs = new Map(
  dockerfile.getInitialARGs().map((arg) => {
    const [key, ...value] = (arg.getArgumentsContent() ?? '').split('=');
    return [key!.trim(), value.join('=').trim()] as const;
  }),
);
const expand = (value: string): string =>
  value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => initialArgs.get(name) ?? '');

const stages: Stage[] = [];
for (const instruction of dockerfile.getInstructions()) {
  if (instruction.getKeyword() === 'FROM') {
    const from = dockerfile
      .getFROMs()
      .find((f) => f.getRange().start.line === instruction.getRange().start.line)!;
    stages.push({ name: from.getBuildStage(), image: expand(from.getImage() ?? ''), instructions: [] });
  } else if (stages.length > 0) {
    stages.at(-1)!.instructions.push(instruction);
  }
}
const finalStage = stages.at(-1)!;
const ofKind = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((i) => i.getKeyword() === keyword);
const args = (instruction: Instruction): string =>
  (instruction.getArgumentsContent() ?? '').replace(/\\\n/g, ' ');
const json = (instruction: Instruction): string[] => JSON.parse(args(instruction)) as string[];
const runs = (stage: Stage): string => ofKind(stage, 'RUN').map(args).join('\n');

describe('deploy/Dockerfile', () => {
  it('has no errors or warnings from dockerfile-utils', () => {
    const problems = validate(text).filter(
      (d) => d.severity === ValidationSeverity.ERROR || d.severity === ValidationSeverity.WARNING,
    );
    expect(problems.map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage, every stage on Node 20', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toMatch(/^node:20[.-]/);
    expect(new Set(stages.map((s) => s.name)).size).toBe(stages.length);
  });

  it('installs with npm install (never npm ci), builds with tsc -b and prunes dev dependencies', () => {
    for (const stage of stages) expect(runs(stage)).not.toMatch(/\bnpm\s+ci\b/);
    const build = stages.find((s) => /\bnpm run build\b/.test(runs(s)));
    expect(build).toBeDefined();
    const commands = runs(build!);
    expect(commands).toMatch(/npm install --no-audit --no-fund/);
    expect(commands).toMatch(/npm prune --omit=dev/);
    expect(commands.indexOf('npm install')).toBeLessThan(commands.indexOf('npm run build'));
    expect(commands.indexOf('npm run build')).toBeLessThan(commands.indexOf('npm prune'));
    expect(build).not.toBe(finalStage);
  });

  it('copies exactly the runtime tree into the final stage', () => {
    const assembly = stages.map(runs).join('\n');
    for (const part of [
      'package.json',
      'node_modules',
      'bin',
      'scripts',
      '$pkg/dist',
      'schema.graphql',
      'services/gateway/supergraph.graphql',
    ]) {
      expect(assembly).toContain(part);
    }
    expect(assembly).toMatch(/for pkg in libs\/\* services\/\*/);
    const finalLines = new Set(finalStage.instructions.map((i) => i.getRange().start.line));
    const copies: Copy[] = dockerfile.getCOPYs().filter((c) => finalLines.has(c.getRange().start.line));
    expect(copies.length).toBeGreaterThan(0);
    // Nothing straight from the build context: only the build stage's assembled output.
    for (const copy of copies)
      expect(
        copy
          .getFlags()
          .find((flag) => flag.getName() === 'from')
          ?.getValue(),
      ).toBe('build');
    expect(ofKind(finalStage, 'RUN').map(args).join('\n')).not.toMatch(/npm (install|run)/);
  });

  it('runs as the non-root user 10001 in production mode', () => {
    const users = ofKind(finalStage, 'USER').map(args);
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.split(':')[0]!;
    expect(user).not.toMatch(/^(root|0)$/);
    expect(user).toBe('10001');
    const env = ofKind(finalStage, 'ENV').map(args).join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(/PORT=3000/);
    expect(env).toMatch(/HOST=0\.0\.0\.0/);
  });

  it('has ENTRYPOINT node bin/cartograph.js and a CMD that is one of its commands', () => {
    const [entrypoint, ...extraEntrypoints] = ofKind(finalStage, 'ENTRYPOINT');
    expect(extraEntrypoints).toHaveLength(0);
    expect(json(entrypoint!)).toEqual(['node', 'bin/cartograph.js']);
    const cmds = ofKind(finalStage, 'CMD');
    expect(cmds).toHaveLength(1);
    expect(json(cmds[0]!)).toEqual(['serve', 'gateway']);
    expect(isImageCommand(json(cmds[0]!))).toBe(true);
    expect(ofKind(finalStage, 'EXPOSE').map(args)).toContain('3000');
  });

  it('checks /health/live in its HEALTHCHECK', () => {
    const [healthcheck] = ofKind(finalStage, 'HEALTHCHECK');
    expect(args(healthcheck!)).toContain('/health/live');
  });

  it('carries the OCI image labels', () => {
    const labels = ofKind(finalStage, 'LABEL').map(args).join(' ');
    for (const key of ['title', 'description', 'version', 'revision', 'created', 'licenses']) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
  });

  it('keeps host build output, secrets and deploy tooling out of the build context (/.dockerignore)', () => {
    const ignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const pattern of ['.git', '**/node_modules', '**/dist', '**/.env', 'deploy'])
      expect(ignore).toContain(pattern);
    // Nothing the build needs is excluded.
    for (const needed of [
      'package.json',
      'package-lock.json',
      'libs',
      'services',
      'bin',
      'scripts',
      'tsconfig.base.json',
    ]) {
      expect(ignore).not.toContain(needed);
    }
  });
});
