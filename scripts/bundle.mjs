#!/usr/bin/env node
// Build step after the type check (package.json "build"): esbuild bundles haadm's entry points (the
// commands, the oclif hooks, src/cli/main.ts that bin/run.js runs) into dist/, at the paths oclif's
// configuration and manifest name, with the code several entries share (oclif itself among it) in
// dist/chunks. A run then reads a handful of files instead of ~200 modules one by one: start-up is most
// of a small command's time (issue 15). What haadm imports lazily (the ZooKeeper binding, the Kubernetes
// and S3 clients, yaml) stays lazy: dynamic imports become chunks of their own or stay packages.
import {build} from 'esbuild'
import {readFileSync, readdirSync, rmSync} from 'node:fs'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')
// HAADM_BUNDLE_OUT: another directory than dist (to compare builds).
const out = process.env.HAADM_BUNDLE_OUT ? resolve(process.env.HAADM_BUNDLE_OUT) : join(repo, 'dist')
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
// Bundled in: oclif's core (every run loads it: ~150 modules of its own and of its dependencies), chalk and
// string-width (every run), and yaml (a YAML kubeconfig needs it: 72 files loaded one by one cost more than
// Node's own start). Everything else loads from node_modules: the plugins (oclif loads them by path, with
// their own @oclif/core), the ZooKeeper binding, the Kubernetes and S3 clients.
const INLINE = ['@oclif/core', 'chalk', 'string-width', 'yaml']
// TypeScript and its loaders: oclif requires them only to run TypeScript sources in development.
const external = [...Object.keys({...pkg.dependencies, ...pkg.optionalDependencies}).filter((d) => !INLINE.includes(d)), 'typescript', 'ts-node', 'tsx']
// oclif's core is CommonJS and resolves files at run time (plugins, commands, hooks) with require and
// require.resolve: in the ES module bundle they are Node's own, made for the chunk's location.
const banner = "import {createRequire as __haadmCreateRequire} from 'node:module';const require = __haadmCreateRequire(import.meta.url);"
// oclif's core, rewritten as it is bundled:
// - oclif uses __dirname to find its own package.json (cache.js: the version it reports) and as a last-resort
//   root: in the bundle it is the directory the file had in the installed @oclif/core, found when first asked.
// - Each module's `const x_1 = require("...")` (TypeScript's CommonJS output) loads that module the first time
//   x_1 is used instead of when the requiring module loads: a run evaluates the parts of oclif it uses, not
//   all of them (index.js alone pulled in the help system, spinners, globbing, semver and Node's
//   child_process, readline, net and perf_hooks: ~25-40 ms of a run).
// - Help text goes through ejs (its compiler ~10 ms on first use) only when it has a template tag: plain
//   text is what ejs would return for it.
// - oclif sorts each plugin's commands with localeCompare: ICU's collator is built for it (~8-20 ms), and the
//   order follows the user's locale (LANG=da_DK sorts "aa" last). Command ids are compared by code unit
//   instead: the same order as localeCompare in English for ids of letters, digits, '-' and ':'.
const LAZY_REQUIRE = /^(const|var) (\w+_\d+) = ((?:__importDefault\()?require\("[^"]+"\)\)?);$/gm
function oclifSource(path, text) {
  if (/\b__(dirname|filename)\b/.test(text)) {
    const sub = relative(join(path.slice(0, path.lastIndexOf('@oclif')), '@oclif', 'core'), dirname(path)).split(sep)
    const dir = `require('node:path').join(require.resolve('@oclif/core/package.json'), '..', ${sub.map((s) => JSON.stringify(s)).join(', ')})`
    const file = JSON.stringify(path.slice(path.lastIndexOf(sep) + 1))
    text = `function __haadmDirname() { return ${dir} }\n` + text.replace(/\b__dirname\b/g, '__haadmDirname()').replace(/\b__filename\b/g, `require('node:path').join(__haadmDirname(), ${file})`)
  }
  if (/[\\/]config[\\/]plugin\.js$/.test(path)) {
    const sort = /\.sort\(\(a, b\) => a\.id\.localeCompare\(b\.id\)\)/
    if (!sort.test(text)) throw new Error(`oclif: the command sort is not in ${path}: the bundle step needs updating for this version`)
    text = text.replace(sort, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))')
  }
  if (/[\\/]help[\\/]util\.js$/.test(path)) {
    const render = 'return ejs_1.default.render(t, context);'
    if (!text.includes(render)) throw new Error(`oclif: the help template is not in ${path}: the bundle step needs updating for this version`)
    text = text.replace(render, "return typeof t === 'string' && !t.includes('<%') ? t : ejs_1.default.render(t, context);")
  }
  const lazy = [...text.matchAll(LAZY_REQUIRE)].map((m) => m[2])
  if (lazy.length > 0) {
    text = text.replace(LAZY_REQUIRE, (_, kind, id, load) => `let ${id}__made; ${kind} ${id}__get = () => (${id}__made ??= ${load});`)
    text = text.replace(new RegExp(`(?<![.\\w$])(${lazy.join('|')})\\b(?!__)`, 'g'), '($1__get())')
  }
  return text
}
const oclifCore = {
  name: 'oclif-core',
  setup(b) {
    b.onLoad({filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/}, ({path}) => ({contents: oclifSource(path, readFileSync(path, 'utf8')), loader: 'js'}))
  },
}

// Rewrites one dependency file at bundle time: each [pattern, replacement] must match (a new version of
// the file fails the build here, never silently at run time).
function rewrite(name, filter, edits) {
  return {
    name,
    setup(b) {
      b.onLoad({filter}, ({path}) => {
        let text = readFileSync(path, 'utf8')
        for (const [pattern, replacement] of edits(text)) {
          if (!pattern.test(text)) throw new Error(`${name}: ${pattern} not found in ${path}: the bundle step needs updating for this version`)
          text = text.replace(pattern, replacement)
        }
        return {contents: text, loader: 'js'}
      })
    },
  }
}
// string-width (tables: only for text that is not printable ASCII) builds a segmenter and Unicode
// property regexes when it loads, \p{RGI_Emoji} among them: ~15-30 ms on every command that prints a
// table. Each is made the first time it is used instead.
const stringWidthEntry = join(repo, 'node_modules', 'string-width', 'index.js').replace(/[\\/.]/g, (c) => (c === '.' ? '\\.' : '[\\\\/]'))
const stringWidthLazy = rewrite('string-width-lazy', new RegExp(`^${stringWidthEntry}$`), (text) => {
  const decls = [...text.matchAll(/^const (\w+) = (new Intl\.Segmenter\(\)|\/.+\/[gimsuyv]*);$/gm)]
  if (decls.length < 5) throw new Error(`string-width-lazy: expected the segmenter and regex constants, found ${decls.length}`)
  return decls.flatMap(([, id, value]) => [
    [new RegExp(`\\b${id}\\b(?!\\s*=)`, 'g'), `${id}()`],
    [new RegExp(`^const ${id} = .*$`, 'm'), () => `let ${id}Made;\nconst ${id} = () => (${id}Made ??= ${value});`],
  ])
})
const ts = (dir) =>
  readdirSync(join(repo, dir), {recursive: true, encoding: 'utf8'})
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(repo, dir, f))
const entryPoints = [...ts('commands'), ...ts('src/cli/hooks'), join(repo, 'src/cli/main.ts')]

rmSync(out, {recursive: true, force: true})
await build({
  entryPoints,
  outdir: out,
  outbase: repo,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  chunkNames: 'chunks/[name]-[hash]',
  banner: {js: banner},
  plugins: [oclifCore, stringWidthLazy],
  logLevel: 'warning',
  legalComments: 'none',
})
console.error(`bundled ${entryPoints.length} entry points into ${relative(repo, out) || '.'}`)
